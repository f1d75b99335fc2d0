import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import PenahServer

/// Requests for one key that arrive while its group is written go together as the next group.
@Suite("Grouped writes")
struct GroupedWritesTests {
    struct Refused: Error {}

    /// Holds the writes of `key` until released, and records every group written.
    final class Recorder: Sendable {
        let groups = NIOLockedValueBox<[[String]]>([])
        let gate = NIOLockedValueBox<(held: Bool, waiters: [CheckedContinuation<Void, Never>])>((true, []))

        func write(_ group: [String]) async throws -> [String] {
            groups.withLockedValue { $0.append(group) }
            await withCheckedContinuation { waiter in
                let go = gate.withLockedValue { gate -> Bool in
                    if gate.held { gate.waiters.append(waiter) }
                    return !gate.held
                }
                if go { waiter.resume() }
            }
            if group.contains("refused") { throw Refused() }
            return group.map { $0.uppercased() }
        }

        func release() {
            let waiters = gate.withLockedValue { gate in
                defer { gate = (false, []) }
                return gate.waiters
            }
            waiters.forEach { $0.resume() }
        }
    }

    typealias Writes = GroupedWrites<String, String, String>

    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition())
    }

    /// `name`, for the one key "unit", written by `recorder`.
    func submit(_ name: String, to writes: Writes, _ recorder: Recorder) -> Task<String, any Error> {
        Task { try await writes.submit(name, key: "unit") { try await recorder.write($0) } }
    }

    /// "a" submitted and held in its write.
    func holdFirst(_ writes: Writes, _ recorder: Recorder) async throws -> Task<String, any Error> {
        let first = submit("a", to: writes, recorder)
        try await waitUntil { recorder.groups.withLockedValue { $0.count } == 1 }
        return first
    }

    /// `names` submitted while "a" is held, all waiting for the next group.
    func submitWhileHeld(_ names: [String], to writes: Writes, _ recorder: Recorder) async throws -> [Task<String, any Error>] {
        let later = names.map { submit($0, to: writes, recorder) }
        try await waitUntil { writes.requestsWaiting == names.count }
        return later
    }

    @Test("requests arriving while a group is written go as the next group, in order, and each gets its own answer")
    func nextGroup() async throws {
        let writes = Writes(maximumGroup: 64)
        let recorder = Recorder()
        let first = try await holdFirst(writes, recorder)
        let later = try await submitWhileHeld(["b", "c", "d"], to: writes, recorder)
        recorder.release()
        #expect(try await first.value == "A")
        var answers: [String] = []
        for task in later { answers.append(try await task.value) }
        #expect(answers == ["B", "C", "D"])
        let groups = recorder.groups.withLockedValue { $0 }
        #expect(groups.count == 2 && groups[0] == ["a"] && Set(groups[1]) == ["b", "c", "d"])
        #expect(writes.requestsWaiting == 0)
    }

    @Test("a group holds at most the maximum; the rest go in the next")
    func maximum() async throws {
        let writes = Writes(maximumGroup: 2)
        let recorder = Recorder()
        let first = try await holdFirst(writes, recorder)
        let later = try await submitWhileHeld(["b", "c", "d"], to: writes, recorder)
        recorder.release()
        _ = try await first.value
        for task in later { _ = try await task.value }
        #expect(recorder.groups.withLockedValue { $0.map(\.count) } == [1, 2, 1])
    }

    @Test("a failed write fails every request of its group and no other; another key is never held up")
    func failure() async throws {
        let writes = Writes(maximumGroup: 64)
        let recorder = Recorder(), free = Recorder()
        free.release()
        let first = try await holdFirst(writes, recorder)
        // Another unit is written while this one is held.
        #expect(try await writes.submit("x", key: "other") { try await free.write($0) } == "X")
        let waiting = try await submitWhileHeld(["refused", "b"], to: writes, recorder)
        let (refused, companion) = (waiting[0], waiting[1])
        recorder.release()
        #expect(try await first.value == "A")
        await #expect(throws: Refused.self) { try await refused.value }
        await #expect(throws: Refused.self) { try await companion.value }
        #expect(try await writes.submit("c", key: "unit") { try await recorder.write($0) } == "C")
    }

    @Test("a write that answers fewer requests than it was given fails the rest instead of leaving them waiting")
    func tooFewAnswers() async throws {
        let writes = Writes(maximumGroup: 64)
        let recorder = Recorder()
        let first = try await holdFirst(writes, recorder)
        let short: Writes.Write = { group in Array(group.prefix(1)) }
        let b = Task { try await writes.submit("b", key: "unit", write: short) }
        try await waitUntil { writes.requestsWaiting == 1 }
        let c = Task { try await writes.submit("c", key: "unit", write: short) }
        try await waitUntil { writes.requestsWaiting == 2 }
        recorder.release()
        _ = try await first.value
        #expect(try await b.value == "b")
        await #expect(throws: Writes.Unanswered.self) { try await c.value }
    }
}
