import Fluent
import SQLKit

extension Database {
    /// A write transaction of its own: `BEGIN IMMEDIATE` on SQLite (see `WriteCombiner.transaction`),
    /// Fluent's transaction on PostgreSQL. Called inside another one, it joins it.
    ///
    /// Why not group commit by default: a grouped unit shares its COMMIT with strangers, so one
    /// slow or failing unit delays or fails theirs. Only the measured hot paths take that trade
    /// (`groupedWriteTransaction`); every other write is plain and answers for itself.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let enclosing = WriteCombiner.currentBatch { return try await body(enclosing.connection) }
        if inTransaction { return try await body(self) }
        return try await WriteCombiner.alone(on: self, body)
    }

    /// A write committed together with the others waiting at the same moment (see `WriteCombiner`),
    /// for the hot paths only: the queue's issue and call, and audited reads. Inside another write
    /// transaction it joins it.
    ///
    /// The body must be rerunnable: it reads and writes nothing but the database it is given and
    /// values it makes itself (no model loaded outside it, no call to the outside world), because a
    /// batch whose unit fails is rolled back and run again with a savepoint per unit.
    func groupedWriteTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let enclosing = WriteCombiner.currentBatch { return try await body(enclosing.connection) }
        if inTransaction { return try await body(self) }
        guard let combined = context.configuration as? CombinedWrites, combined.grouping else { return try await writeTransaction(body) }
        return try await combined.combiner.perform(on: self, rerunnable: true, body)
    }
}
