import Fluent

extension Database {
    /// A write transaction, committed together with the others waiting at the same moment (see
    /// `WriteCombiner`). Called inside another one, it joins it.
    ///
    /// `rerunnable`: the body may be run a second time, because it reads and writes nothing but
    /// the database it is given and values it makes itself (no model loaded outside it, no call
    /// to the outside world). Such units can share a batch without a savepoint each.
    func writeTransaction<T: Sendable>(rerunnable: Bool = false,
                                       _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let enclosing = WriteCombiner.currentBatch { return try await body(enclosing.connection) }
        if inTransaction { return try await body(self) }
        guard let combined = context.configuration as? CombinedWrites else { return try await transaction(body) }
        return try await combined.combiner.perform(on: self, rerunnable: rerunnable, body)
    }
}
