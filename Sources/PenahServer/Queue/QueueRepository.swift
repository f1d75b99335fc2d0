import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit

/// The queue's raw SQL, in one place. Claiming the next ticket is the one race that matters: two
/// desks pressing "call next" at once must never get the same ticket.
///
/// - PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks a ticket no other transaction holds, so
///   concurrent desks take different tickets without waiting on each other.
/// - SQLite: the caller's transaction is `BEGIN IMMEDIATE` (see `WriteCombiner`), which
///   serialises writers, so the first waiting ticket is the caller's alone.
/// Both then update conditionally (`AND status = 'waiting'`), and the update must touch one row.
struct QueueRepository {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    /// Priority first, then arrival order: one statement that picks and calls the ticket, walking
    /// the `tickets_next` index (no sort, however long the queue). Returns the called ticket.
    func claimNext(unitID: UUID, day: String, desk: Int, now: Date) async throws -> Ticket? {
        let lock: SQLQueryString = db is any SQLiteDatabase ? "" : "FOR UPDATE SKIP LOCKED"
        // RETURNING the whole row saves a query and Fluent's model loading, which costs more than
        // the statement, on the path every desk's "call next" takes.
        guard let called = try await sql.raw("""
            UPDATE tickets SET status = 'called', desk = \(bind: desk), called_at = \(bind: now)
            WHERE status = 'waiting' AND id = (
                SELECT id FROM tickets
                WHERE unit_id = \(bind: unitID) AND day = \(bind: day) AND status = 'waiting'
                ORDER BY \(unsafeRaw: Self.rank), issued_at, number
                LIMIT 1 \(lock))
            RETURNING \(unsafeRaw: Ticket.columns.joined(separator: ", "))
            """).first() else { return nil }
        return try Ticket(row: called)
    }

    /// Priority tickets before standard ones; the same text as in the `tickets_next` index, so
    /// both databases use the index for the order.
    static let rank = "CASE priority WHEN 'priority' THEN 0 ELSE 1 END"

    /// Stores a new ticket with the next number of its unit's series today, in one statement.
    /// Within a node the write combiner runs issues one after another; between nodes the unique
    /// index on (unit, day, series, number) refuses a duplicate and the caller takes the next.
    func insertNumbered(_ ticket: Ticket) async throws {
        let unitID = ticket.$unit.id
        let row = try await sql.raw("""
            INSERT INTO tickets (id, unit_id, day, series, number, priority, status, issued_at)
            SELECT \(bind: ticket.id), \(bind: unitID), \(bind: ticket.day), \(bind: ticket.series), COALESCE(MAX(number), 0) + 1,
                   \(bind: ticket.priorityCode), \(bind: ticket.statusCode), \(bind: ticket.issuedAt)
            FROM tickets WHERE unit_id = \(bind: unitID) AND day = \(bind: ticket.day) AND series = \(bind: ticket.series)
            RETURNING number
            """).first()
        ticket.number = try row?.decode(column: "number", as: Int.self) ?? 0
        ticket.$id.exists = true
    }
}

/// The index "call next" walks: a unit's waiting tickets today in calling order.
struct CreateTicketCallingOrder: AsyncMigration {
    var name: String { "012_CreateTicketCallingOrder" }

    func prepare(on database: any Database) async throws {
        // Raw SQL: SQLKit cannot declare an index on an expression. The same text runs on both databases.
        try await (database as! any SQLDatabase).raw("""
            CREATE INDEX tickets_next ON tickets (unit_id, day, status, (\(unsafeRaw: QueueRepository.rank)), issued_at, number)
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX tickets_next").run()
    }
}
