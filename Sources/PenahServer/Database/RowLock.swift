import Fluent
import SQLKit

/// Holds a row for the rest of the write transaction. SQLite's `BEGIN IMMEDIATE` already serialises
/// writers, so only PostgreSQL needs `FOR UPDATE`. Table and column names are ours, never input.
enum RowLock {
    static func hold(_ table: String, column: String = "id", id: some Encodable & Sendable, on db: any Database) async throws {
        guard db.engine == .postgres else { return }
        // Raw SQL because Fluent cannot lock rows; identifiers are ours, the id is bound.
        try await (db as! any SQLDatabase).raw("SELECT 1 FROM \(ident: table) WHERE \(ident: column) = \(bind: id) FOR UPDATE").run()
    }
}
