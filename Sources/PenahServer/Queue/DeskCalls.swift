import Fluent
import Foundation
import NIOConcurrencyHelpers
import PenahDomain
import Vapor

/// Gathers the "call next" presses of a unit's desks that arrive while the unit's previous calls
/// are being written, and serves them with one statement in one write (`QueueRepository.claimNext`):
/// the first press gets the first ticket in calling order, the next the next. Each call is audited
/// and announced on its own, and the boards get the group's calls as one delivery.
///
/// Why: with 50 desks calling at once, one statement per desk meant 50 round trips one after
/// another inside the shared transaction, and a desk waited for all the others' before its answer.
/// One group per unit is written at a time, so a busy unit's presses gather while it is.
final class DeskCalls: Sendable {
    private struct Press: Sendable {
        let call: QueueRepository.Call
        let actor: AuditActor
        let answer: CheckedContinuation<Ticket?, any Error>
    }

    /// Within `WriteCombiner.maximumRerunnableBatch`, so one group's audit events and
    /// notifications stay the size of a batch the combiner already handles.
    static let maximumGroup = WriteCombiner.maximumRerunnableBatch

    /// Presses waiting per unit. A unit present here has a group being written; the one that
    /// writes it takes the presses that arrived meanwhile before it stops.
    private let waiting = NIOLockedValueBox<[UUID: [Press]]>([:])

    /// Presses not yet taken into a group, over all units.
    var pressesWaiting: Int { waiting.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } }

    func callNext(unit: Unit, desk: Int, actor: AuditActor, now: Date, db: any Database,
                  board: BoardBroadcaster) async throws -> Ticket? {
        let unitID = try unit.requireID(), unitCode = unit.code
        return try await withCheckedThrowingContinuation { answer in
            let start = waiting.withLockedValue { waiting -> Bool in
                defer { waiting[unitID, default: []].append(Press(call: .init(desk: desk, at: now), actor: actor, answer: answer)) }
                return waiting[unitID] == nil
            }
            if start { Task { await self.serve(unitID: unitID, unitCode: unitCode, db: db, board: board) } }
        }
    }

    private func serve(unitID: UUID, unitCode: String, db: any Database, board: BoardBroadcaster) async {
        while true {
            // Desks answered together usually press again together: let them join this group.
            await Task.yield()
            let group = waiting.withLockedValue { waiting -> [Press] in
                let presses = waiting[unitID] ?? []
                // One day per group: the day decides which tickets may be called.
                let day = presses.first.map { BakuFormat.dayKey($0.call.at) }
                let group = Array(presses.prefix(Self.maximumGroup).prefix { BakuFormat.dayKey($0.call.at) == day })
                if group.isEmpty { waiting[unitID] = nil } else { waiting[unitID] = Array(presses.dropFirst(group.count)) }
                return group
            }
            guard let first = group.first else { return }
            await write(group, day: BakuFormat.dayKey(first.call.at), unitID: unitID, unitCode: unitCode, db: db, board: board)
        }
    }

    private func write(_ group: [Press], day: String, unitID: UUID, unitCode: String, db: any Database,
                       board: BoardBroadcaster) async {
        do {
            let (tickets, events) = try await db.writeTransaction(rerunnable: true) { db in
                let tickets = try await QueueRepository(db: db).claimNext(unitID: unitID, day: day, calls: group.map(\.call))
                var events: [BoardBroadcaster.Event] = []
                for (press, ticket) in zip(group, tickets) {
                    try await AuditLog.append(on: db, actor: press.actor, action: "queue.call", recordType: "ticket",
                                              recordID: ticket.id?.uuidString)
                    if let event = try await board.announce(unitCode: unitCode, ticket: ticket, within: db) { events.append(event) }
                }
                return (tickets, events)
            }
            if !events.isEmpty { board.publish(unitCode: unitCode, events: events) }
            for (index, press) in group.enumerated() { press.answer.resume(returning: index < tickets.count ? tickets[index] : nil) }
        } catch {
            for press in group { press.answer.resume(throwing: error) }
        }
    }
}

struct DeskCallsKey: StorageKey { typealias Value = DeskCalls }
