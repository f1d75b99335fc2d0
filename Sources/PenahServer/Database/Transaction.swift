import Fluent
import FluentSQLiteDriver
import SQLKit

extension Database {
    /// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write lock at once:
    /// Fluent's deferred `BEGIN` reads first and may then fail to upgrade to a writer while another
    /// connection writes (SQLITE_BUSY without waiting). PostgreSQL uses Fluent's transaction.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard self is any SQLiteDatabase else { return try await transaction(body) }
        return try await withConnection { connection in
            let sql = connection as! any SQLDatabase
            // Raw statements: Fluent can only begin a deferred transaction. No values are involved.
            try await sql.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(connection)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
