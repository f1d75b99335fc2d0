import Fluent
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import SQLKit

/// Group commit, for the hot paths that ask for it (`groupedWriteTransaction`). The write
/// transactions waiting at one moment run one after another inside a single database transaction,
/// and every caller is answered after the one COMMIT.
///
/// Why: every write appends to its unit's audit chain, whose head is one row, so writers queue
/// behind each other anyway, each paying for its own BEGIN, head updates and durable COMMIT. In a
/// shared transaction those costs are paid once per batch (the batch's audit events take three
/// statements in all), throughput grows with load, and the connection pool stays free for readers.
///
/// Each unit of work stays all-or-nothing: a body that throws is rolled back to its savepoint and
/// its caller gets the error while the others commit; if the COMMIT itself fails, every caller of
/// the batch gets that error and the batch is never run again: a COMMIT that failed on a lost
/// connection may have committed on the server, and running the units again would write their
/// tickets and events twice. The callers' retries (with `Idempotency-Key`) decide instead. One combiner per database
/// (see `CombinedWrites`); several server nodes each have their own and PostgreSQL's locks order
/// their batches.
final class WriteCombiner: Sendable {
    /// The batch being run. Nested `writeTransaction` calls join the enclosing unit on its
    /// connection, as Fluent's nested transactions do; audit events wait in it for the COMMIT.
    @TaskLocal static var currentBatch: Batch?

    /// One database transaction's worth of units, their audit events and their PostgreSQL
    /// notifications. Both are sent last, just before the COMMIT (the events are chained then, so
    /// the chain heads are locked only briefly; a NOTIFY is delivered at COMMIT wherever it is
    /// sent), which costs one statement per batch instead of one per unit.
    final class Batch: Sendable {
        struct Notification: Sendable { let channel: String; let payload: String }
        struct Mark { fileprivate let audit: Int, notifications: Int, committed: Int }

        let connection: any Database
        private let deferred = NIOLockedValueBox<(audit: [AuditLog.Draft], notifications: [Notification], committed: [@Sendable () -> Void])>(([], [], []))

        init(connection: any Database) { self.connection = connection }

        func `defer`(_ draft: AuditLog.Draft) { deferred.withLockedValue { $0.audit.append(draft) } }
        func `defer`(_ notification: Notification) { deferred.withLockedValue { $0.notifications.append(notification) } }
        /// Runs `action` in this process once the batch has committed (never if it is rolled back):
        /// for what other requests must see only when it is true, a live notification for one.
        func afterCommit(_ action: @escaping @Sendable () -> Void) { deferred.withLockedValue { $0.committed.append(action) } }
        var mark: Mark {
            deferred.withLockedValue { Mark(audit: $0.audit.count, notifications: $0.notifications.count, committed: $0.committed.count) }
        }

        /// A unit rolled back to its savepoint takes its events and notifications with it.
        func drop(after mark: Mark) {
            deferred.withLockedValue {
                $0.audit.removeSubrange(mark.audit...)
                $0.notifications.removeSubrange(mark.notifications...)
                $0.committed.removeSubrange(mark.committed...)
            }
        }

        /// Called once the COMMIT succeeded.
        func committed() { for action in deferred.withLockedValue({ $0.committed }) { action() } }

        func flush() async throws {
            let (audit, notifications) = deferred.withLockedValue { ($0.audit, $0.notifications) }
            try await AuditLog.write(audit, on: connection)
            guard !notifications.isEmpty else { return }
            // Raw: pg_notify is a function call, not a query SQLKit builds. Sent in their order,
            // so boards on other nodes see the calls as they were made. Values bound. Both drivers
            // are SQL databases, hence the cast.
            let calls = notifications.map { "pg_notify(\(bind: $0.channel), \(bind: $0.payload))" as SQLQueryString }
            try await (connection as! any SQLDatabase).raw("SELECT \(calls.joined(separator: ", "))").run()
        }
    }

    /// Enough to amortise a flush; small enough that no caller waits behind a long queue, and
    /// within PostgreSQL's cache of 64 subtransactions per transaction (one savepoint per unit).
    static let maximumBatch = 32
    /// Rerunnable units take no savepoints, so more of them fit in one batch: 50 desks calling at
    /// once then share one COMMIT instead of two. Run again unit by unit, such a batch takes 63
    /// savepoints, still within that cache.
    static let maximumRerunnableBatch = 64

    /// A unit of work waiting for a batch.
    private struct Job: Sendable {
        /// Runs the body; reports whether it succeeded, and how to answer its caller once the
        /// batch's fate is known.
        let run: @Sendable (any Database) async -> (succeeded: Bool, answer: @Sendable ((any Error)?) -> Void)
        /// Answers a caller whose body never ran because the batch failed first.
        let abandon: @Sendable (any Error) -> Void
        /// See `Database.groupedWriteTransaction(_:)`; the combiner also runs units that are not, for its own retries.
        let rerunnable: Bool
    }

    private let state = NIOLockedValueBox<(waiting: [Job], draining: Bool)>(([], false))

    /// Units waiting for the next batch.
    var queued: Int { state.withLockedValue { $0.waiting.count } }

    /// Runs `body` in the next batch and returns once that batch has committed.
    func perform<T: Sendable>(on database: any Database, rerunnable: Bool = false,
                              _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                run: { connection in
                    do {
                        let value = try await body(connection)
                        return (true, { error in
                            if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: value) }
                        })
                    } catch {
                        // A failed body answers with its own error, whatever happens to the batch.
                        return (false, { _ in continuation.resume(throwing: error) })
                    }
                },
                abandon: { continuation.resume(throwing: $0) },
                rerunnable: rerunnable)
            let start = state.withLockedValue { state -> Bool in
                state.waiting.append(job)
                defer { state.draining = true }
                return !state.draining
            }
            if start { Task { await drain(database) } }
        }
    }

    private func drain(_ database: any Database) async {
        while true {
            // Callers answered by the last batch usually have their next unit ready at once: let
            // them queue it, so batches fill instead of alternating between one unit and the rest.
            await Task.yield()
            let batch = state.withLockedValue { state -> [Job] in
                // A run of rerunnable units at the head of the queue, longer than a usual batch,
                // goes as one batch; anything else as usual.
                let rerunnable = state.waiting.prefix(Self.maximumRerunnableBatch).prefix(while: \.rerunnable)
                let batch = Array(rerunnable.count > Self.maximumBatch ? rerunnable : state.waiting.prefix(Self.maximumBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            await run(batch, on: database)
        }
    }

    private struct FirstUnitFailed: Error {}
    private struct LeadingUnitFailed: Error {}
    /// The units ran and the batch was flushed; what failed was the COMMIT, whose outcome is unknown.
    struct CommitFailed: Error { let underlying: any Error }

    /// Rerunnable units go first and take no savepoints: a savepoint costs a round trip, as much
    /// as a unit's own statement on the queue's paths or an audited read. Nothing else has run
    /// before them, so if one fails the transaction is rolled back unanswered and the batch runs
    /// again with a savepoint for every unit. The units of a batch were submitted at the same
    /// moment by different callers, so the order they run in is theirs to choose.
    private func run(_ batch: [Job], on database: any Database) async {
        guard batch.count > 1 else { return await run(leading: [], rest: batch, on: database) }
        await run(leading: batch.filter(\.rerunnable), rest: batch.filter { !$0.rerunnable }, on: database)
    }

    /// One transaction: the `leading` units without savepoints, then the `rest` in a savepoint
    /// each. The transaction's very first unit needs none: if it fails, the transaction holds
    /// nothing else, so it is rolled back whole and the others run in a new one. Savepoints of one
    /// name nest and are not released one by one, which would cost a round trip per unit: a
    /// rollback goes back to the newest, the unit's own; COMMIT ends them all.
    private func run(leading: [Job], rest: [Job], on database: any Database) async {
        let answers = NIOLockedValueBox<[@Sendable ((any Error)?) -> Void]>([])
        let ran = NIOLockedValueBox<Batch?>(nil)
        do {
            try await Self.transaction(on: database) { connection in
                let sql = connection as! any SQLDatabase
                let current = Batch(connection: connection)
                ran.withLockedValue { $0 = current }
                for job in leading {
                    let outcome = await Self.$currentBatch.withValue(current) { await job.run(connection) }
                    guard outcome.succeeded else { throw LeadingUnitFailed() }
                    answers.withLockedValue { $0.append(outcome.answer) }
                }
                for (index, job) in rest.enumerated() {
                    let first = leading.isEmpty && index == 0
                    // Fixed statements; Fluent has no savepoints.
                    if !first { try await sql.raw("SAVEPOINT penah_unit").run() }
                    let mark = current.mark
                    let outcome = await Self.$currentBatch.withValue(current) { await job.run(connection) }
                    answers.withLockedValue { $0.append(outcome.answer) }
                    if outcome.succeeded { continue }
                    if first { throw FirstUnitFailed() }
                    try await sql.raw("ROLLBACK TO SAVEPOINT penah_unit").run()
                    current.drop(after: mark)
                }
                try await current.flush()
            }
            ran.withLockedValue { $0 }?.committed()
            for answer in answers.withLockedValue({ $0 }) { answer(nil) }
        } catch let failure as CommitFailed {
            let ran = answers.withLockedValue { $0 }
            for answer in ran { answer(failure.underlying) }
            for job in (leading + rest).dropFirst(ran.count) { job.abandon(failure.underlying) }
        } catch is LeadingUnitFailed {
            await run(leading: [], rest: leading + rest, on: database)
        } catch is FirstUnitFailed {
            answers.withLockedValue { $0 }.first?(nil)
            if rest.count > 1 { await run(leading: [], rest: Array(rest.dropFirst()), on: database) }
        } catch {
            let ran = answers.withLockedValue { $0 }
            for answer in ran { answer(error) }
            for job in (leading + rest).dropFirst(ran.count) { job.abandon(error) }
        }
    }

}
