import Fluent

/// A database configuration that carries its database's write combiner, so any `Database` made
/// from it (the application's, a request's, a transaction's connection) finds the same one.
struct CombinedWrites: DatabaseConfiguration {
    var inner: any DatabaseConfiguration
    /// `Settings.groupCommit`: when false, `groupedWriteTransaction` is a plain write transaction.
    var grouping = true
    let combiner = WriteCombiner()
    /// SQLite's writers, one at a time (see `WriteCombiner.transaction`).
    let sqliteWriters = WriteGate()
    /// The key of this database's audit chain (see `AuditChainKey`).
    let auditKey = AuditChainKey()

    var middleware: [any AnyModelMiddleware] {
        get { inner.middleware }
        set { inner.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver { inner.makeDriver(for: databases) }
}
