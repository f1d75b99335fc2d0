import NIOConcurrencyHelpers
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
    /// The relay to the other server nodes, once started (PostgreSQL only).
    let nodes = OtherNodes()

    var middleware: [any AnyModelMiddleware] {
        get { inner.middleware }
        set { inner.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver { inner.makeDriver(for: databases) }
}

/// Set once the board relay runs: how a write reaches the other nodes (see `Notifications.send`).
final class OtherNodes: Sendable {
    private let box = NIOLockedValueBox<BoardRelay?>(nil)
    var relay: BoardRelay? {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}
