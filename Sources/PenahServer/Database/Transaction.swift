import Fluent
import FluentSQLiteDriver
import SQLKit

extension Database {
    /// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write lock at once:
    /// Fluent's deferred `BEGIN` reads first and may then fail to upgrade to a writer while another
    /// connection writes (SQLITE_BUSY without waiting). PostgreSQL uses Fluent's transaction.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard self is any SQLiteDatabase else { return try await transaction(body) }
        // Writers queue here, in async code, rather than inside SQLite's busy wait, which would hold
        // one of the few thread-pool threads (shared with bcrypt) while the lock holder needs one to
        // commit. One SQLite database per process (DESIGN.md: embedded means one node).
        await SQLiteWriteGate.shared.enter()
        do {
            let result = try await immediateTransaction(body)
            await SQLiteWriteGate.shared.leave()
            return result
        } catch {
            await SQLiteWriteGate.shared.leave()
            throw error
        }
    }

    private func immediateTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await withConnection { connection in
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

/// A first-come, first-served async lock for SQLite write transactions.
actor SQLiteWriteGate {
    static let shared = SQLiteWriteGate()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
