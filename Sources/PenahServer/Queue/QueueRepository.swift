import Fluent
import FluentSQLiteDriver
import Foundation
import PenahDomain
import SQLKit
import Vapor

/// The queue's raw SQL, in one place. Claiming the next ticket is the one race that matters: two
/// desks pressing "call next" at once must never get the same ticket.
///
/// - PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks a ticket no other transaction holds, so
///   concurrent desks take different tickets without waiting on each other.
/// - SQLite: the caller's transaction is `BEGIN IMMEDIATE` (see `WriteCombiner`), which
///   serialises writers, so the first waiting ticket is the caller's alone.
/// Both then update conditionally (`AND status = 'waiting'`). The desks of one node pressing at
/// the same moment share one such statement (see `QueueGroups`), each still getting its own ticket.
struct QueueRepository {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    /// A desk's "call next", as `QueueGroups` gathers them: the desk and the moment it pressed.
    struct Call: Sendable { let desk: Int; let at: Date }

    /// Priority first, then arrival order: one statement that picks as many tickets as there are
    /// calls and calls them, walking the `tickets_next` index (no sort, however long the queue).
    /// The first call gets the first ticket, and so on; calls beyond the queue get nothing. Returns
    /// the called tickets in that order.
    func claimNext(unitID: UUID, day: String, calls: [Call]) async throws -> [Ticket] {
        guard !calls.isEmpty else { return [] }
        // Raw: see `claimStatement` (a CTE, a window and UPDATE … FROM, which SQLKit cannot build).
        let rows = try await sql.raw(claimStatement(unitID: unitID, day: day, calls: calls)).all()
        // RETURNING gives no order; the calling order is that of the index.
        return try rows.map(Ticket.init(row:)).sorted {
            ($0.priority.rank, $0.issuedAt, $0.number) < ($1.priority.rank, $1.issuedAt, $1.number)
        }
    }

    /// The statement behind `claimNext`; a test explains it to check the plan.
    func claimStatement(unitID: UUID, day: String, calls: [Call]) -> SQLQueryString {
        let sqlite = db.engine == .sqlite
        let lock: SQLQueryString = sqlite ? "" : "FOR UPDATE SKIP LOCKED"
        // The picked rows are updated by their physical address (`ctid`, `rowid`), not their id. By
        // id, PostgreSQL with statistics from before today (which know of no waiting ticket) walked
        // the whole of `tickets_next` to find each, as the condition matches that partial index; an
        // address is always one look-up. The rows are locked by the pick, so their addresses hold.
        let address: SQLQueryString = sqlite ? "rowid" : "ctid"
        // SQLite, too, would rather scan that index than look an address up, so its re-check of the
        // status is written `+status`, SQLite's way of keeping a condition from choosing an index.
        let status: SQLQueryString = sqlite ? "+tickets.status" : "tickets.status"
        let values = calls.enumerated().map { "(\(bind: $0.offset + 1), \(bind: $0.element.desk), \(bind: $0.element.at))" as SQLQueryString }
        // The window numbers the picked tickets in calling order, to pair them with the calls.
        // RETURNING the whole row saves a query and Fluent's model loading, which costs more than
        // the statement, on the path every desk's "call next" takes.
        return """
            WITH calls(position, call_desk, call_at) AS (VALUES \(values.joined(separator: ", "))),
            picked AS (
                SELECT address, row_number() OVER (ORDER BY call_rank, issued_at, number) AS position FROM (
                    SELECT \(address) AS address, \(unsafeRaw: Self.rank) AS call_rank, issued_at, number FROM tickets
                    WHERE unit_id = \(bind: unitID) AND day = \(bind: day) AND status = 'waiting'
                    ORDER BY \(unsafeRaw: Self.rank), issued_at, number
                    LIMIT \(bind: calls.count) \(lock)) AS locked)
            UPDATE tickets SET status = 'called', desk = calls.call_desk, called_at = calls.call_at
            FROM picked JOIN calls ON calls.position = picked.position
            WHERE tickets.\(address) = picked.address AND \(status) = 'waiting'
            RETURNING \(unsafeRaw: Ticket.columns.map { "tickets.\($0)" }.joined(separator: ", "))
            """
    }

    /// Priority tickets before standard ones; the same text as in the `tickets_next` index, so
    /// both databases use the index for the order.
    static let rank = "CASE priority WHEN 'priority' THEN 0 ELSE 1 END"

    /// The tickets that hold these desks (`DeskRules.holdsDesk`), by desk: their labels. Inside the
    /// caller's write transaction, so that no other "call next" can slip in between this look and
    /// the call: SQLite's writers are serialised already (`BEGIN IMMEDIATE`); on PostgreSQL a lock
    /// on the unit's desks for the day, held to the COMMIT, orders the presses of every node.
    func holders(unitID: UUID, day: String, desks: Set<Int>) async throws -> [Int: String] {
        if db.engine == .postgres {
            // Raw: an advisory lock is a function call; its own statement, so the look that follows
            // sees what the press before it committed.
            let desksOfDay = "penah.desks.\(unitID.uuidString).\(day)"
            try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: desksOfDay), 0))").run()
        }
        let holding = TicketStatus.allCases.filter(DeskRules.holdsDesk)
        let tickets = try await Ticket.query(on: db).filter(\.$unit.$id == unitID).filter(\.$day == day)
            .filter(\.$status ~~ holding).filter(\.$desk ~~ desks.map(Optional.some)).all()
        var labels: [Int: String] = [:]
        for ticket in tickets { if let desk = ticket.desk { labels[desk] = labels[desk] ?? ticket.label } }
        return labels
    }

    /// Stores new tickets of one unit, day and series with its next numbers, in their order, in
    /// one statement. Within a node, the tickets issued at one moment come as one group (see
    /// `QueueGroups`) and groups are written one after another. Between PostgreSQL nodes a lock
    /// on the series, held to the COMMIT, orders them: without it, two nodes issuing back to back
    /// kept taking the same numbers, and one of them lost five times running. The unique index on
    /// (unit, day, series, number) still refuses any duplicate, and the caller then tries again.
    func insertNumbered(_ tickets: [Ticket]) async throws {
        guard let first = tickets.first else { return }
        if db.engine == .postgres {
            // Raw: an advisory lock is a function call. Its own statement, so the insert's snapshot,
            // taken after the lock, sees the other node's committed numbers.
            let series = "penah.tickets.\(first.$unit.id.uuidString).\(first.day).\(first.series)"
            try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: series), 0))").run()
        }
        let values = tickets.enumerated().map { offset, ticket in
            "(\(bind: offset + 1), \(bind: ticket.id), \(bind: ticket.priority.rawValue), \(bind: ticket.issuedAt))" as SQLQueryString
        }
        let (unitID, day, series) = (first.$unit.id, first.day, first.series)
        // Raw: INSERT … SELECT from a CTE of bound VALUES, which SQLKit cannot build. Values bound.
        let rows = try await sql.raw("""
            WITH issued(position, id, priority, issued_at) AS (VALUES \(values.joined(separator: ", "))),
            top(number) AS (SELECT COALESCE(MAX(number), 0) FROM tickets
                            WHERE unit_id = \(bind: unitID) AND day = \(bind: day) AND series = \(bind: series))
            INSERT INTO tickets (id, unit_id, day, series, number, priority, status, issued_at)
            SELECT issued.id, \(bind: unitID), \(bind: day), \(bind: series), top.number + issued.position, issued.priority,
                   \(bind: first.status.rawValue), issued.issued_at
            FROM issued CROSS JOIN top
            RETURNING id, number
            """).all()
        let numbers = try Dictionary(rows.map { try ($0.decode(column: "id", as: UUID.self), $0.decode(column: "number", as: Int.self)) },
                                     uniquingKeysWith: { first, _ in first })
        for ticket in tickets {
            // Every ticket has a row, or the statement failed; this only keeps a bug from passing.
            guard let id = ticket.id, let number = numbers[id] else { throw Abort(.conflict) }
            ticket.number = number
            ticket.$id.exists = true
        }
    }

    /// Calls made since `since` (recalls and transfers included), per unit in calling order: what
    /// the boards may have missed while the relay was away.
    func calledSince(_ since: Date) async throws -> [String: [BoardBroadcaster.Event]] {
        let tickets = try await Ticket.query(on: db).join(Unit.self, on: \Ticket.$unit.$id == \Unit.$id)
            .filter(\.$calledAt >= since).filter(\.$desk != nil).sort(\.$calledAt).all()
        var calls: [String: [BoardBroadcaster.Event]] = [:]
        for ticket in tickets {
            guard let desk = ticket.desk, let calledAt = ticket.calledAt else { continue }
            calls[try ticket.joined(Unit.self).code, default: []]
                .append(.init(number: ticket.label, desk: desk, calledAtMs: BoardBroadcaster.Event.milliseconds(calledAt)))
        }
        return calls
    }
}
