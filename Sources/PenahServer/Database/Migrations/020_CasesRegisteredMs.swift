import Fluent
import SQLKit

/// `008_CreateCases` was edited the day it landed: the worklist's order moved from `registered_at` to an
/// integer `registered_ms` (one paging key on both databases). A database created before that edit has
/// `008` recorded without the column, so today's code could not read its cases. This brings such a
/// database to today's shape; on every other database it finds the column and changes nothing.
struct CasesRegisteredMs: AsyncMigration {
    var name: String { "020_CasesRegisteredMs" }

    /// The worklist indexes of the old shape, on `registered_at`; today's are on `registered_ms`.
    static let orderedIndexes = [
        ("cases_unit_registered", "unit_id"), ("cases_registered_by", "registered_by"),
        ("cases_lawyer", "lawyer_id"), ("cases_psychologist", "psychologist_id"),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, try await !Self.hasColumn(sql) else { return }
        // Raw DDL with fixed text: a NOT NULL column needs a default to be added to existing rows.
        try await sql.raw("ALTER TABLE cases ADD COLUMN registered_ms BIGINT NOT NULL DEFAULT 0").run()
        // Each case's value from its own time, the way registration writes it (whole milliseconds).
        for record in try await CaseRecord.query(on: database).filter(\.$registeredMs == 0).all() {
            record.registeredMs = Int64((record.registeredAt.timeIntervalSince1970 * 1000).rounded(.down))
            try await record.save(on: database)
        }
        // Raw DDL: SQLKit builds no index on two columns portably. Names are this file's constants.
        for (index, column) in Self.orderedIndexes {
            try await sql.raw("DROP INDEX IF EXISTS \(ident: index)").run()
            try await sql.raw("CREATE INDEX \(ident: index) ON cases (\(ident: column), registered_ms)").run()
        }
        try await sql.raw("CREATE INDEX IF NOT EXISTS cases_registered ON cases (registered_ms)").run()
    }

    func revert(on database: any Database) async throws {}

    static func hasColumn(_ sql: any SQLDatabase) async throws -> Bool {
        // Raw: each database's own catalogue, fixed text; this is the one place a migration asks it.
        let query: SQLQueryString = DatabaseEngine(sql) == .sqlite
            ? "SELECT name FROM pragma_table_info('cases') WHERE name = 'registered_ms'"
            : "SELECT column_name FROM information_schema.columns WHERE table_name = 'cases' AND column_name = 'registered_ms' AND table_schema = current_schema()"
        return try await !sql.raw(query).all().isEmpty
    }
}
