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
    /// A desk's "call next". `keepingDeskRule` refuses it while a ticket still holds the desk
    /// (`DeskRules.holdsDesk`), decided inside the write so that two presses at once cannot both pass.
    struct Press: Sendable { let desk: Int; let at: Date; let actor: AuditActor; var keepingDeskRule = false }

    /// What a press got.
    enum CallOutcome: Sendable {
        case called(Ticket)
        case nobodyWaiting
        /// The desk still holds this ticket (its label), so nothing was called.
        case deskHeld(number: String)

        var ticket: Ticket? { if case .called(let ticket) = self { ticket } else { nil } }
    }

    /// Within `WriteCombiner.maximumRerunnableBatch`, so a group's audit events and notifications
    /// stay the size of a batch the combiner already handles.
    let issues = GroupedWrites<UnitDay, Issue, Ticket>(maximumGroup: WriteCombiner.maximumRerunnableBatch)
    let presses = GroupedWrites<UnitDay, Press, CallOutcome>(maximumGroup: WriteCombiner.maximumRerunnableBatch)

    func issue(_ issue: Issue, unitID: UUID, db: any Database) async throws -> Ticket {
        let key = UnitDay(unitID: unitID, day: BakuFormat.dayKey(issue.at))
        return try await issues.submit(issue, key: key, alone: Self.inTransaction(db)) { group in
            try await Self.write(group, key: key, db: db)
        }
    }

    func callNext(_ press: Press, unitID: UUID, unitCode: String, db: any Database, board: BoardBroadcaster) async throws -> CallOutcome {
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
                    try await QueueChanges.signal(unitID: key.unitID, on: db)
                    return tickets
                }
            } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 5 {
                continue
            }
        }
        throw Abort(.conflict)
    }

    private static func write(_ group: [Press], key: UnitDay, unitCode: String, db: any Database,
                              board: BoardBroadcaster) async throws -> [CallOutcome] {
        let (outcomes, events) = try await db.groupedWriteTransaction { db in
            let repository = QueueRepository(db: db)
            let ruled = group.filter(\.keepingDeskRule).map(\.desk)
            let held = ruled.isEmpty ? [:] : try await repository.holders(unitID: key.unitID, day: key.day, desks: Set(ruled))
            // Which presses may call: a ruled press at a held desk may not, nor one at a desk an
            // earlier press of this group is calling to (it is held as soon as that call is made).
            var claiming: [Int] = []
            var claimedDesk: [Int: Int] = [:]
            var outcomes = [CallOutcome](repeating: .nobodyWaiting, count: group.count)
            var sameDeskAs: [Int: Int] = [:]
            for (index, press) in group.enumerated() {
                if press.keepingDeskRule, let number = held[press.desk] {
                    outcomes[index] = .deskHeld(number: number)
                } else if press.keepingDeskRule, let earlier = claimedDesk[press.desk] {
                    sameDeskAs[index] = earlier
                } else {
                    claimedDesk[press.desk] = claimedDesk[press.desk] ?? index
                    claiming.append(index)
                }
            }
            let calls = claiming.map { QueueRepository.Call(desk: group[$0].desk, at: group[$0].at) }
            let tickets = try await repository.claimNext(unitID: key.unitID, day: key.day, calls: calls)
            var events: [BoardBroadcaster.Event] = []
            // The first presses get the tickets; those beyond the queue get none.
            for (index, ticket) in zip(claiming, tickets) {
                outcomes[index] = .called(ticket)
                try await AuditLog.append(on: db, actor: group[index].actor, action: "queue.call", recordType: "ticket",
                                          recordID: ticket.id?.uuidString)
                if let event = try await board.announce(unitCode: unitCode, ticket: ticket, within: db) { events.append(event) }
            }
            for (index, earlier) in sameDeskAs {
                if let ticket = outcomes[earlier].ticket { outcomes[index] = .deskHeld(number: ticket.label) }
            }
            if !tickets.isEmpty { try await QueueChanges.signal(unitID: key.unitID, on: db) }
            return (outcomes, events)
        }
        if !events.isEmpty { board.publish(unitCode: unitCode, events: events) }
        return outcomes
    }
}

struct QueueGroupsKey: StorageKey { typealias Value = QueueGroups }
