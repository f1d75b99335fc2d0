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
    }

    private struct Subscriber { let unitCode: String; let continuation: AsyncStream<Event>.Continuation }
    private let subscribers = NIOLockedValueBox<[UUID: Subscriber]>([:])
    /// Set on PostgreSQL: calls then travel through `NOTIFY` to every node, this one included.
    let relay: BoardRelay?

    init(relay: BoardRelay? = nil) { self.relay = relay }

    /// Announces a call from inside the transaction that records it. On PostgreSQL the `NOTIFY` is
    /// part of that transaction: it is sent when, and only if, the call commits, and it needs no
    /// connection of its own. Without a relay (SQLite, one node) it returns the event for the
    /// caller to `publish` after the commit.
    func announce(unitCode: String, ticket: Ticket, within db: any Database) async throws -> Event? {
        guard let desk = ticket.desk, let calledAt = ticket.calledAt else { return nil }
        let event = Event(number: ticket.label, desk: desk, calledAt: calledAt)
        guard let relay, let sql = db as? any SQLDatabase else { return event }
        try await relay.notify(on: sql, unitCode: unitCode, event: event)
        return nil
    }

    func publish(unitCode: String, event: Event) {
        let targets = subscribers.withLockedValue { $0.values.filter { $0.unitCode == unitCode } }
        for subscriber in targets { subscriber.continuation.yield(event) }
    }

    /// A stream of the unit's calls; it ends its subscription when the consumer goes away.
    func subscribe(unitCode: String) -> AsyncStream<Event> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(32))
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
