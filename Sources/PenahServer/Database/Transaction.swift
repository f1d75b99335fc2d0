import Fluent

extension Database {
    /// A write transaction, committed together with the others waiting at the same moment (see
    /// `WriteCombiner`). Called inside another one, it joins it.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let enclosing = WriteCombiner.currentBatch { return try await body(enclosing.connection) }
        if inTransaction { return try await body(self) }
        guard let combined = context.configuration as? CombinedWrites else { return try await transaction(body) }
        return try await combined.combiner.perform(on: self, body)
    }
}
