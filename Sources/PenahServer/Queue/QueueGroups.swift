import Fluent
import Foundation
import PenahDomain
import Vapor

/// The queue's two busy writes, grouped per unit and day (see `GroupedWrites`): tickets issued at
/// about the same moment are numbered and stored by one statement, and desks pressing "call next"
/// at about the same moment are served by one. Each ticket and each call is still audited on its
/// own, and the boards get a group's calls as one delivery. One per node.
final class QueueGroups: Sendable {
    struct UnitDay: Hashable, Sendable { let unitID: UUID; let day: String }
    struct Issue: Sendable { let priority: TicketPriority; let at: Date; let actor: AuditActor }
    struct Press: Sendable { let desk: Int; let at: Date; let actor: AuditActor }

    /// Within `WriteCombiner.maximumRerunnableBatch`, so a group's audit events and notifications
    /// stay the size of a batch the combiner already handles.
    let issues = GroupedWrites<UnitDay, Issue, Ticket>(maximumGroup: WriteCombiner.maximumRerunnableBatch)
    let presses = GroupedWrites<UnitDay, Press, Ticket?>(maximumGroup: WriteCombiner.maximumRerunnableBatch)

    func issue(_ issue: Issue, unitID: UUID, db: any Database) async throws -> Ticket {
        let key = UnitDay(unitID: unitID, day: BakuFormat.dayKey(issue.at))
        return try await issues.submit(issue, key: key, alone: Self.inTransaction(db)) { group in
            try await Self.write(group, key: key, db: db)
        }
    }

    func callNext(_ press: Press, unitID: UUID, unitCode: String, db: any Database, board: BoardBroadcaster) async throws -> Ticket? {
        let key = UnitDay(unitID: unitID, day: BakuFormat.dayKey(press.at))
        return try await presses.submit(press, key: key, alone: Self.inTransaction(db)) { group in
            try await Self.write(group, key: key, unitCode: unitCode, db: db, board: board)
        }
    }

    /// A caller already inside a write transaction is written in it, not grouped (see `GroupedWrites.submit`).
    private static func inTransaction(_ db: any Database) -> Bool { WriteCombiner.currentBatch != nil || db.inTransaction }

    private static func write(_ group: [Issue], key: UnitDay, db: any Database) async throws -> [Ticket] {
        // A collision between server nodes (see `insertNumbered`) simply takes the next numbers.
        for attempt in 1...5 {
            do {
                return try await db.groupedWriteTransaction { db in
                    let tickets = group.map { issue in
                        let ticket = Ticket()
                        ticket.id = UUID()
                        ticket.$unit.id = key.unitID
                        ticket.day = key.day
                        ticket.series = TicketNumber.socialServicesSeries
                        ticket.priority = issue.priority
                        ticket.status = .waiting
                        ticket.issuedAt = issue.at
                        return ticket
                    }
                    try await QueueRepository(db: db).insertNumbered(tickets)
                    for (issue, ticket) in zip(group, tickets) {
                        try await AuditLog.append(on: db, actor: issue.actor, action: "queue.issue", recordType: "ticket",
                                                  recordID: ticket.id?.uuidString)
                    }
                    return tickets
                }
            } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 5 {
                continue
            }
        }
        throw Abort(.conflict)
    }

    private static func write(_ group: [Press], key: UnitDay, unitCode: String, db: any Database,
                              board: BoardBroadcaster) async throws -> [Ticket?] {
        let calls = group.map { QueueRepository.Call(desk: $0.desk, at: $0.at) }
        let (tickets, events) = try await db.groupedWriteTransaction { db in
            let tickets = try await QueueRepository(db: db).claimNext(unitID: key.unitID, day: key.day, calls: calls)
            var events: [BoardBroadcaster.Event] = []
            for (press, ticket) in zip(group, tickets) {
                try await AuditLog.append(on: db, actor: press.actor, action: "queue.call", recordType: "ticket",
                                          recordID: ticket.id?.uuidString)
                if let event = try await board.announce(unitCode: unitCode, ticket: ticket, within: db) { events.append(event) }
            }
            return (tickets, events)
        }
        if !events.isEmpty { board.publish(unitCode: unitCode, events: events) }
        // The first presses get the tickets; those beyond the queue get none.
        return group.indices.map { $0 < tickets.count ? tickets[$0] : nil }
    }
}

struct QueueGroupsKey: StorageKey { typealias Value = QueueGroups }
