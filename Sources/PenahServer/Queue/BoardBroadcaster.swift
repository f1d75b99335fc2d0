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

    /// A board's calls, one at a time; `batches` gives them as they were delivered.
    struct Feed: AsyncSequence, Sendable {
        let batches: AsyncStream<[Event]>
        fileprivate let continuation: AsyncStream<[Event]>.Continuation

        /// Ends the feed and unsubscribes the board (idempotent).
        func cancel() { continuation.finish() }

        struct AsyncIterator: AsyncIteratorProtocol {
            var inner: AsyncStream<[Event]>.AsyncIterator
            var pending: ArraySlice<Event> = []

            mutating func next() async -> Event? {
                // Empty deliveries are heartbeats for the HTTP feed; a reader of calls skips them.
                while pending.isEmpty {
                    guard let batch = await inner.next() else { return nil }
                    pending = batch[...]
                }
                return pending.popFirst()
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: batches.makeAsyncIterator()) }
    }

    private struct Subscriber { let unitCode: String; let continuation: AsyncStream<[Event]>.Continuation }
    private let subscribers = NIOLockedValueBox<[UUID: Subscriber]>([:])
    /// Calls published but not yet handed to the boards, per unit in order; and whether a
    /// delivery is under way (it takes these too before it ends).
    private let pending = NIOLockedValueBox<(calls: [String: [Event]], delivering: Bool)>(([:], false))
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

    /// Hands a committed call to the unit's boards. Calls published at about the same moment (the
    /// desks answered by one group commit, a burst of notifications from another node) reach each
    /// board as one delivery: the first call starts a delivery, which leaves once the callers already
    /// woken have had their turn. Why: delivering them one by one woke every board once per call;
    /// with 100 boards and 50 desks, that cost more than the calls themselves.
    func publish(unitCode: String, event: Event) { publish(unitCode: unitCode, events: [event]) }

    /// Calls that are known together reach each board as one delivery, in this order.
    func publish(unitCode: String, events: [Event]) {
        recent.withLockedValue { recent in for event in events { recent.remember(unitCode, event) } }
        let start = pending.withLockedValue { pending -> Bool in
            pending.calls[unitCode, default: []] += events
            defer { pending.delivering = true }
            return !pending.delivering
        }
        guard start else { return }
        Task {
            await Task.yield()
            deliverPending()
        }
    }

    /// Calls the relay found in the database after it lost its connection: those the boards
    /// already had (this node's own, or heard before the drop) are left out.
    func publishMissed(unitCode: String, events: [Event]) {
        let missed = recent.withLockedValue { recent in events.filter { !recent.contains(unitCode, $0) } }
        if !missed.isEmpty { publish(unitCode: unitCode, events: missed) }
    }

    /// The calls handed to boards lately, newest last, up to `capacity`.
    private struct Recent {
        static let capacity = 10_000
        var keys: Set<String> = []
        var order: [String] = []

        static func key(_ unitCode: String, _ event: Event) -> String {
            "\(unitCode)|\(event.number)|\(event.desk)|\(Event.milliseconds(event.calledAt))"
        }
        func contains(_ unitCode: String, _ event: Event) -> Bool { keys.contains(Self.key(unitCode, event)) }
        mutating func remember(_ unitCode: String, _ event: Event) {
            let key = Self.key(unitCode, event)
            guard keys.insert(key).inserted else { return }
            order.append(key)
            if order.count > Self.capacity {
                let dropped = order.prefix(Self.capacity / 2)
                for old in dropped { keys.remove(old) }
                order.removeFirst(dropped.count)
            }
        }
    }
    private let recent = NIOLockedValueBox(Recent())

    /// One delivery at a time, until nothing is pending, so each board gets the calls in the order
    /// they were published.
    private func deliverPending() {
        while true {
            let calls = pending.withLockedValue { pending in
                defer { pending.calls = [:] }
                if pending.calls.isEmpty { pending.delivering = false }
                return pending.calls
            }
            if calls.isEmpty { return }
            let targets = subscribers.withLockedValue { Array($0.values) }
            for subscriber in targets {
                if let events = calls[subscriber.unitCode] { subscriber.continuation.yield(events) }
            }
        }
    }

    /// The unit's calls; the subscription ends when the consumer goes away.
    func subscribe(unitCode: String) -> Feed {
        let id = UUID()
        // A board that stops reading keeps only the newest deliveries.
        let (stream, continuation) = AsyncStream<[Event]>.makeStream(bufferingPolicy: .bufferingNewest(Self.bufferedDeliveries))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLockedValue { $0.removeValue(forKey: id) }
        }
        subscribers.withLockedValue { $0[id] = Subscriber(unitCode: unitCode, continuation: continuation) }
        return Feed(batches: stream, continuation: continuation)
    }

    /// An empty delivery to every board, so the feed of a board that has gone away fails its
    /// write and ends. `serve` sends one every `heartbeatInterval`.
    func heartbeat() {
        for subscriber in subscribers.withLockedValue({ Array($0.values) }) { subscriber.continuation.yield([]) }
    }

    /// Sends heartbeats until the task is cancelled.
    func runHeartbeats(every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            heartbeat()
        }
    }

    /// Deliveries kept for a board that has not read them yet; each holds at least one call.
    static let bufferedDeliveries = 64

    var connectedBoards: Int { subscribers.withLockedValue { $0.count } }
}
