import Fluent
import SQLKit

/// One case per ticket, enforced by the database. A database that already holds a ticket linked to
/// several cases keeps the link on the first registered; the later cases lose only the link (their
/// operator clock then starts at registration), which is what they would have had if refused.
struct UniqueCaseTicket: AsyncMigration {
    var name: String { "016_UniqueCaseTicket" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        // Raw: a correlated update SQLKit cannot build. No values.
        try await sql.raw("""
            UPDATE cases SET ticket_id = NULL WHERE ticket_id IS NOT NULL AND EXISTS (
              SELECT 1 FROM cases earlier WHERE earlier.ticket_id = cases.ticket_id
                AND (earlier.registered_ms < cases.registered_ms OR (earlier.registered_ms = cases.registered_ms AND earlier.number < cases.number)))
            """).run()
        try await sql.create(index: "cases_one_per_ticket").on(CaseRecord.schema).column("ticket_id").unique().run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "cases_one_per_ticket").run()
    }
}
