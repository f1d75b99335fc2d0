import Fluent
import FluentSQLiteDriver
import NIOConcurrencyHelpers

/// The transactions that are not grouped: every write that does not ask for group commit runs here.
extension WriteCombiner {
    /// A transaction of one unit, not grouped: a batch of its own, so nested writes join it and its
    /// audit events are chained just before its COMMIT exactly as in a group.
    static func alone<T: Sendable>(on database: any Database,
                                   _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let ran = NIOLockedValueBox<Batch?>(nil)
        let value = try await transaction(on: database) { connection in
            let batch = Batch(connection: connection)
            ran.withLockedValue { $0 = batch }
            let value = try await $currentBatch.withValue(batch) { try await body(connection) }
            try await batch.flush()
            return value
        }
        ran.withLockedValue { $0 }?.committed()
        return value
    }

    /// On SQLite `BEGIN IMMEDIATE`, taking the write lock at once: Fluent's deferred `BEGIN` reads
    /// first and may then fail to upgrade to a writer while another connection writes (SQLITE_BUSY
    /// without waiting). On PostgreSQL Fluent's transaction, so nested Fluent transactions join it.
    /// An error after the body returned is the COMMIT's, and comes as `CommitFailed`.
    static func transaction<T: Sendable>(on database: any Database,
                                         _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let finished = NIOLockedValueBox(false)
        do {
            guard database.engine == .sqlite else {
                return try await database.transaction { connection in
                    let value = try await body(connection)
                    finished.withLockedValue { $0 = true }
                    return value
                }
            }
            // One writer at a time in this process, in arrival order: SQLite's busy handler is not
            // fair, and a connection waiting in BEGIN IMMEDIATE could starve past its timeout while
            // the other connection's writers take the lock again and again.
            let gate = (database.context.configuration as? CombinedWrites)?.sqliteWriters
            await gate?.acquire()
            defer { gate?.release() }
            return try await database.withConnection { connection in
                let sql = connection as! any SQLDatabase
                // Raw, fixed statements: Fluent has no BEGIN IMMEDIATE (see above), so this
                // transaction opens, commits and rolls back by hand.
                try await sql.raw("BEGIN IMMEDIATE").run()
                do {
                    let value = try await body(connection)
                    finished.withLockedValue { $0 = true }
                    try await sql.raw("COMMIT").run()
                    return value
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        } catch where finished.withLockedValue({ $0 }) {
            throw CommitFailed(underlying: error)
        }
    }
}
