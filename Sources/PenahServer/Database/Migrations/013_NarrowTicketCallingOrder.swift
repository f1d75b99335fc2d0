import Fluent
import SQLKit

/// Narrows the calling order to waiting tickets (a partial index) and drops `tickets_waiting`,
/// which the unique index on (unit, day, series, number) makes redundant.
///
/// Why: PostgreSQL estimates a table it has not yet analysed at one matching row, and then ranks
/// any index on (unit, day) plus a sort as cheap as walking `tickets_next` in order. The queue
/// benchmark caught it choosing the sort: every "call next" sorted the day's 7,000 waiting tickets,
/// 3 to 7 ms a call. A partial index holds only waiting tickets and already implies the status
/// condition, so it is the cheaper plan whatever the statistics say; it is also far smaller, since
/// the day's called and finished tickets leave it.
struct NarrowTicketCallingOrder: AsyncMigration {
    var name: String { "013_NarrowTicketCallingOrder" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "tickets_waiting").run()
        try await sql.drop(index: "tickets_next").run()
        // Raw SQL: SQLKit cannot declare an index on an expression. `status = 'waiting'` is written
        // exactly as in `claimNext`, so both databases see that the query matches the index.
        try await sql.raw("""
            CREATE INDEX tickets_next ON tickets (unit_id, day, (\(unsafeRaw: QueueRepository.rank)), issued_at, number)
            WHERE status = 'waiting'
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "tickets_next").run()
        try await CreateTicketCallingOrder().prepare(on: database)
        try await sql.create(index: "tickets_waiting").on(Ticket.schema).column("unit_id").column("day").column("status").run()
    }
}
