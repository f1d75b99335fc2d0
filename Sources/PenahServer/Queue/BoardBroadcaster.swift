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

    /// Announces a committed call. Failing to announce never fails the call itself: the board
    /// catches up on its next reload.
    func announce(unitCode: String, ticket: Ticket, db: any Database) async {
        guard let desk = ticket.desk, let calledAt = ticket.calledAt else { return }
        let event = Event(number: ticket.label, desk: desk, calledAt: calledAt)
        if let relay, let sql = db as? any SQLDatabase {
            do { try await relay.notify(on: sql, unitCode: unitCode, event: event) } catch { publish(unitCode: unitCode, event: event) }
        } else {
            publish(unitCode: unitCode, event: event)
        }
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
