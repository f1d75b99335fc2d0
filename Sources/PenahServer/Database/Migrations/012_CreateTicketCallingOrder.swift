import Fluent
import SQLKit

/// The index "call next" walks: a unit's waiting tickets today in calling order (narrowed to
/// waiting tickets only by `NarrowTicketCallingOrder`).
struct CreateTicketCallingOrder: AsyncMigration {
    var name: String { "012_CreateTicketCallingOrder" }

    func prepare(on database: any Database) async throws {
        // Raw SQL: SQLKit cannot declare an index on an expression. The same text runs on both databases.
        try await (database as! any SQLDatabase).raw("""
            CREATE INDEX tickets_next ON tickets (unit_id, day, status, (\(unsafeRaw: QueueRepository.rank)), issued_at, number)
            """).run()
    }

    func revert(on database: any Database) async throws {
        // Raw: the index above was made raw; its name is fixed text.
        try await (database as! any SQLDatabase).raw("DROP INDEX tickets_next").run()
    }
}
