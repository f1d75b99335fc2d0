import Foundation
import NIOConcurrencyHelpers
import Fluent
import SQLKit
import Vapor

/// Fans calls out to the display boards connected to this node. An event is only
/// `{number, desk, calledAt}`: nothing on a board can name anyone.
final class BoardBroadcaster: Sendable {
    struct Event: Content, Equatable {
        let number: String
        let desk: Int
        let calledAt: Date

        init(number: String, desk: Int, calledAtMs: Int64) {
            self.number = number
            self.desk = desk
            calledAt = Date(timeIntervalSince1970: Double(calledAtMs) / 1000)
        }

        static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    }

    private struct Subscriber { let unitCode: String; let continuation: AsyncStream<Event>.Continuation }
    private let subscribers = NIOLockedValueBox<[UUID: Subscriber]>([:])
    /// Set on PostgreSQL: calls then travel through `NOTIFY` to the other nodes.
    let relay: BoardRelay?

    init(relay: BoardRelay? = nil) { self.relay = relay }

    /// Announces a call from inside the transaction that records it, and returns the event for
    /// the caller to `publish` to this node's boards once the call has committed. On PostgreSQL
    /// the `NOTIFY` for the other nodes is part of that transaction: it is sent when, and only if,
    /// the call commits, and needs no connection of its own.
    func announce(unitCode: String, ticket: Ticket, within db: any Database) async throws -> Event? {
        guard let desk = ticket.desk, let calledAt = ticket.calledAt else { return nil }
        // Whole milliseconds, the same here and on every other node (see `BoardRelay.Message`).
        let event = Event(number: ticket.label, desk: desk, calledAtMs: Event.milliseconds(calledAt))
        if let relay, let sql = db as? any SQLDatabase { try await relay.notify(on: sql, unitCode: unitCode, event: event) }
        return event
    }

    func publish(unitCode: String, event: Event) {
        let targets = subscribers.withLockedValue { $0.values.filter { $0.unitCode == unitCode } }
        for subscriber in targets { subscriber.continuation.yield(event) }
    }

    /// A stream of the unit's calls; it ends its subscription when the consumer goes away.
    func subscribe(unitCode: String) -> AsyncStream<Event> {
        let id = UUID()
        // Room for a whole batch of calls (see `WriteCombiner.maximumRerunnableBatch`) arriving at
        // once, several times over; a board that stops reading keeps only the newest.
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(4 * WriteCombiner.maximumRerunnableBatch))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLockedValue { $0.removeValue(forKey: id) }
        }
        subscribers.withLockedValue { $0[id] = Subscriber(unitCode: unitCode, continuation: continuation) }
        return stream
    }

    var connectedBoards: Int { subscribers.withLockedValue { $0.count } }
}

struct BoardBroadcasterKey: StorageKey { typealias Value = BoardBroadcaster }

extension Application {
    var board: BoardBroadcaster { storage[BoardBroadcasterKey.self]! }
}

extension Request {
    var queue: QueueService { QueueService(db: db, board: application.board) }
}
