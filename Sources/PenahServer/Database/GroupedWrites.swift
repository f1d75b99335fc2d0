import NIOConcurrencyHelpers

/// Requests for one key (a unit's queue today) that arrive while the key's previous group is being
/// written wait, and are then written together by one call of `write`, which answers each of them.
/// One group per key is written at a time, so a busy key's requests gather while it is.
///
/// Why: with 50 desks calling at once, one statement per desk meant 50 round trips one after
/// another inside the shared transaction (see `WriteCombiner`), and each desk waited for all the
/// others' before its answer. One statement for the group costs about as much as one for a desk.
final class GroupedWrites<Key: Hashable & Sendable, Request: Sendable, Answer: Sendable>: Sendable {
    /// Writes a group; one answer per request, in the requests' order. If it throws, every
    /// request of the group gets the error.
    typealias Write = @Sendable ([Request]) async throws -> [Answer]

    private struct Waiting: Sendable {
        let request: Request
        let write: Write
        let answer: CheckedContinuation<Answer, any Error>
    }

    let maximumGroup: Int
    /// Requests waiting per key. A key present here has a group being written; the task writing
    /// it takes the requests that arrived meanwhile before it stops.
    private let waiting = NIOLockedValueBox<[Key: [Waiting]]>([:])

    /// A `write` that returned fewer answers than requests: a bug, reported to those left over.
    struct Unanswered: Error {}

    init(maximumGroup: Int) { self.maximumGroup = maximumGroup }

    /// Requests not yet taken into a group, over all keys.
    var requestsWaiting: Int { waiting.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } }

    /// Returns once the group holding `request` is written. A group is written by the `write` of
    /// its first request; requests of one key share their context, so any of them would do.
    ///
    /// `alone`: written at once as a group of its own. For a request made inside a transaction,
    /// which must be written in it: in a group it would wait for a write that waits, in turn, for
    /// that transaction to commit.
    func submit(_ request: Request, key: Key, alone: Bool = false, write: @escaping Write) async throws -> Answer {
        if alone {
            guard let answer = try await write([request]).first else { throw Unanswered() }
            return answer
        }
        return try await withCheckedThrowingContinuation { answer in
            let start = waiting.withLockedValue { waiting -> Bool in
                defer { waiting[key, default: []].append(Waiting(request: request, write: write, answer: answer)) }
                return waiting[key] == nil
            }
            if start { Task { await self.serve(key) } }
        }
    }

    private func serve(_ key: Key) async {
        while true {
            // Callers answered together usually ask again together: let them join this group.
            await Task.yield()
            let group = waiting.withLockedValue { waiting -> [Waiting] in
                let all = waiting[key] ?? []
                let group = Array(all.prefix(maximumGroup))
                if group.isEmpty { waiting[key] = nil } else { waiting[key] = Array(all.dropFirst(group.count)) }
                return group
            }
            guard let first = group.first else { return }
            do {
                let answers = try await first.write(group.map(\.request))
                for (index, waiting) in group.enumerated() {
                    if index < answers.count { waiting.answer.resume(returning: answers[index]) }
                    else { waiting.answer.resume(throwing: Unanswered()) }
                }
            } catch {
                for waiting in group { waiting.answer.resume(throwing: error) }
            }
        }
    }
}
