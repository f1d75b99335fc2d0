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

    /// Priority first, then arrival order.
    func claimNext(unitID: UUID, day: String, desk: Int, now: Date) async throws -> UUID? {
        let lock: SQLQueryString = db is any SQLiteDatabase ? "" : "FOR UPDATE SKIP LOCKED"
        guard let row = try await sql.raw("""
            SELECT id FROM tickets
            WHERE unit_id = \(bind: unitID) AND day = \(bind: day) AND status = 'waiting'
            ORDER BY CASE priority WHEN 'priority' THEN 0 ELSE 1 END, issued_at, number
            LIMIT 1 \(lock)
            """).first() else { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        let updated = try await sql.raw("""
            UPDATE tickets SET status = 'called', desk = \(bind: desk), called_at = \(bind: now)
            WHERE id = \(bind: id) AND status = 'waiting' RETURNING id
            """).all()
        return updated.count == 1 ? id : nil
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
