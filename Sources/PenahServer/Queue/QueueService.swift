import Fluent
import Foundation
import PenahDomain
import Vapor

/// Tickets and desks. Every action is audited in its own transaction and announced to the unit's
/// display boards. Scope: a member of staff acts only on their own unit's queue (anything else is 404).
struct QueueService {
    let db: any Database
    let board: BoardBroadcaster
    let groups: QueueGroups

    struct TicketView: Content {
        let id: UUID
        let number: String
        let status: String
        let priority: String?
        let desk: Int?
        let issuedAt: Date
        let calledAt: Date?
        let waitingSeconds: Int?
    }

    /// The unit named in the path, if the caller may act on it.
    static func unit(code: String, for staff: StaffContext, on db: any Database) async throws -> Unit {
        guard code == staff.unitCode, let unit = try await UnitService(db: db).find(code: code),
              unit.kind.servesVisitors else { throw Abort(.notFound) }
        return unit
    }

    /// A new waiting ticket with the unit's next number today. Tickets issued at the same moment
    /// are stored together (see `QueueGroups`).
    func issue(unit: Unit, priority: TicketPriority, actor: AuditActor, now: Date = Date()) async throws -> Ticket {
        try await groups.issue(.init(priority: priority, at: now, actor: actor), unitID: unit.requireID(), db: db)
    }

    /// The next ticket in calling order for this desk, or nil when nobody is waiting. Desks
    /// pressing at the same moment are served together (see `QueueGroups`).
    func callNext(unit: Unit, desk: Int, actor: AuditActor, now: Date = Date()) async throws -> Ticket? {
        try await call(unit: unit, desk: desk, actor: actor, keepingDeskRule: false, now: now).ticket
    }

    /// "Call next" as the desk page presses it: with `keepingDeskRule`, a desk that still holds a
    /// ticket calls nobody and says which ticket holds it (see `DeskRules.holdsDesk`).
    func call(unit: Unit, desk: Int, actor: AuditActor, keepingDeskRule: Bool, now: Date = Date()) async throws -> QueueGroups.CallOutcome {
        guard (1...unit.desks).contains(desk) else { throw ValidationProblems([.init(field: "desk", code: "outOfRange")]) }
        return try await groups.callNext(.init(desk: desk, at: now, actor: actor, keepingDeskRule: keepingDeskRule),
                                         unitID: unit.requireID(), unitCode: unit.code, db: db, board: board)
    }

    /// Recall, no-show, start, finish or transfer. A transition the status does not allow is 409 and
    /// changes nothing; a ticket of another unit is 404.
    func apply(_ transition: TicketTransition, ticketID: UUID, desk newDesk: Int? = nil, staff: StaffContext,
               actor: AuditActor, now: Date = Date()) async throws -> Ticket {
        let unit = try await Self.unit(code: staff.unitCode, for: staff, on: db)
        if transition == .transfer {
            guard let newDesk else { throw ValidationProblems([.init(field: "desk", code: "required")]) }
            guard (1...unit.desks).contains(newDesk) else { throw ValidationProblems([.init(field: "desk", code: "outOfRange")]) }
        }
        let (ticket, event): (Ticket, BoardBroadcaster.Event?) = try await db.groupedWriteTransaction { [board] db in
            guard let ticket = try await Ticket.find(ticketID, on: db), ticket.$unit.id == unit.id else { throw Abort(.notFound) }
            guard let next = transition.apply(to: ticket.status) else { throw Abort(.conflict) }
            ticket.status = next
            switch transition {
            case .recall, .call: ticket.calledAt = now
            case .start: ticket.startedAt = now
            case .finish, .noShow: ticket.finishedAt = now
            case .transfer: ticket.desk = newDesk; ticket.calledAt = now
            }
            try await ticket.update(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "queue.\(transition.rawValue)", recordType: "ticket",
                                      recordID: ticketID.uuidString)
            try await QueueChanges.signal(unitID: try unit.requireID(), on: db)
            let announced = transition == .recall || transition == .transfer
            return (ticket, announced ? try await board.announce(unitCode: unit.code, ticket: ticket, within: db) : nil)
        }
        if let event { board.publish(unitCode: unit.code, event: event) }
        return ticket
    }

    /// Today's waiting and called tickets: numbers, desks and times only.
    func queue(unit: Unit, now: Date = Date()) async throws -> (waiting: [TicketView], called: [TicketView]) {
        let tickets = try await Ticket.query(on: db).filter(\.$unit.$id == unit.requireID())
            .filter(\.$day == BakuFormat.dayKey(now))
            .filter(\.$status ~~ [TicketStatus.waiting, .called, .serving])
            .all()
        let waiting = tickets.filter { $0.status == .waiting }
            .sorted { ($0.priority.rank, $0.issuedAt, $0.number) < ($1.priority.rank, $1.issuedAt, $1.number) }
        let called = tickets.filter { $0.status != .waiting }.sorted { ($0.calledAt ?? .distantPast) > ($1.calledAt ?? .distantPast) }
        return (waiting.map { Self.view($0, now: now, showPriority: true) }, called.map { Self.view($0, now: now, showPriority: true) })
    }

    static func view(_ ticket: Ticket, now: Date, showPriority: Bool) -> TicketView {
        TicketView(id: ticket.id!, number: ticket.label, status: ticket.status.rawValue,
                   priority: showPriority ? ticket.priority.rawValue : nil, desk: ticket.desk, issuedAt: ticket.issuedAt,
                   calledAt: ticket.calledAt,
                   waitingSeconds: ticket.status == .waiting ? Int(now.timeIntervalSince(ticket.issuedAt)) : nil)
    }
}
