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

    /// Priority first, then arrival order. Returns the called ticket.
    func claimNext(unitID: UUID, day: String, desk: Int, now: Date) async throws -> Ticket? {
        let lock: SQLQueryString = db is any SQLiteDatabase ? "" : "FOR UPDATE SKIP LOCKED"
        guard let row = try await sql.raw("""
            SELECT id FROM tickets
            WHERE unit_id = \(bind: unitID) AND day = \(bind: day) AND status = 'waiting'
            ORDER BY CASE priority WHEN 'priority' THEN 0 ELSE 1 END, issued_at, number
            LIMIT 1 \(lock)
            """).first() else { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        // RETURNING the whole row saves a second query and Fluent's slow model loading on the
        // path every desk's "call next" takes.
        guard let called = try await sql.raw("""
            UPDATE tickets SET status = 'called', desk = \(bind: desk), called_at = \(bind: now)
            WHERE id = \(bind: id) AND status = 'waiting' RETURNING \(unsafeRaw: Ticket.columns.joined(separator: ", "))
            """).first() else { return nil }
        return try Ticket(row: called)
    }

    /// Stores a new ticket (SQLKit rather than Fluent's `create`, which costs ten times the insert).
    func insert(_ ticket: Ticket) async throws {
        try await sql.insert(into: Ticket.schema)
            .columns("id", "unit_id", "day", "series", "number", "priority", "status", "issued_at")
            .values(SQLBind(ticket.id), SQLBind(ticket.$unit.id), SQLBind(ticket.day), SQLBind(ticket.series),
                    SQLBind(ticket.number), SQLBind(ticket.priorityCode), SQLBind(ticket.statusCode), SQLBind(ticket.issuedAt))
            .run()
        ticket.$id.exists = true
    }

    /// Serialises ticket numbering per unit: on PostgreSQL by locking the unit's row for the rest of
    /// the transaction; on SQLite the `BEGIN IMMEDIATE` transaction already excludes other writers.
    func lockUnitForNumbering(unitID: UUID) async throws {
        guard !(db is any SQLiteDatabase) else { return }
        try await sql.raw("SELECT id FROM units WHERE id = \(bind: unitID) FOR UPDATE").run()
    }

    /// The next number for the unit's series today.
    func nextNumber(unitID: UUID, day: String, series: String) async throws -> Int {
        let row = try await sql.raw("""
            SELECT COALESCE(MAX(number), 0) AS last FROM tickets
            WHERE unit_id = \(bind: unitID) AND day = \(bind: day) AND series = \(bind: series)
            """).first()
        return (try row?.decode(column: "last", as: Int.self) ?? 0) + 1
    }
}
