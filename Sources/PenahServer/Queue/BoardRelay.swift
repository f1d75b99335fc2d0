import FluentPostgresDriver
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import SQLKit
import Vapor

/// Carries board calls between server nodes on PostgreSQL: a call is sent with `pg_notify`, and
/// every other node hears it on its own `LISTEN` connection and hands it to its local boards. The
/// calling node publishes to its own boards directly (no round trip through the database) and
/// ignores its own notifications, so each board gets each call once whichever node made it. On
/// SQLite there is one node and no relay.
final class BoardRelay: Sendable {
    let channel: String
    /// This node, named in its notifications so it can skip them.
    let node = UUID().uuidString
    private let configuration: PostgresConnection.Configuration
    private let retryMilliseconds: Int
    private let running = NIOLockedValueBox<(task: Task<Void, Never>?, connection: PostgresConnection?, state: State)>((nil, nil, .listening))

    /// Shown by `/health`.
    enum State: String, Sendable { case listening, reconnecting }
    var state: State { running.withLockedValue { $0.state } }

    init(configuration: PostgresConnection.Configuration, schema: String?, retryMilliseconds: Int = 250) {
        self.configuration = configuration
        self.retryMilliseconds = retryMilliseconds
        // One channel per schema, so test schemas sharing a database do not hear each other.
        channel = "penah_board" + (schema.map { "_" + $0.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" } } ?? "")
    }

    /// Notifications committed for these users on one node: the others tell their open pages (see
    /// `NotificationHub`). Told apart from a call by its fields (each lacks the other's).
    struct Nudge: Codable {
        let node: String
        let users: [UUID]
    }

    /// Sends the nudge with the caller's transaction: PostgreSQL delivers it at COMMIT, never before.
    func nudge(_ users: Set<UUID>, on db: any SQLDatabase) async throws {
        try await send(Nudge(node: node, users: users.sorted { $0.uuidString < $1.uuidString }), on: db)
    }

    /// The call's time travels as whole milliseconds, exactly as the calling node's boards have
    /// it (an ISO 8601 date would drop the fraction and make far boards look up to a second late).
    struct Message: Codable {
        let node: String
        let unitCode: String
        let number: String
        let desk: Int
        let calledAtMs: Int64
    }

    /// Connects and starts listening before returning, so no call made afterwards is missed. When
    /// the `LISTEN` connection drops (a PostgreSQL restart, a network cut), it reconnects with
    /// backoff, listens again, and hands `catchUp` the moment it lost the connection, so the calls
    /// made meanwhile still reach the boards.
    func start(deliver: @escaping @Sendable (String, BoardBroadcaster.Event) -> Void,
               nudged: @escaping @Sendable (Set<UUID>) -> Void = { _ in },
               catchUp: @escaping @Sendable (Date) async throws -> Void, logger: Logger) async throws {
        let first = try await listen(logger: logger)
        let task = Task { [self] in
            var notifications = first
            while !Task.isCancelled {
                await relay(notifications, deliver: deliver, nudged: nudged, logger: logger)
                if Task.isCancelled { return }
                // Notifications sent just before the drop may not have arrived: look back a little.
                let lost = Date().addingTimeInterval(-2)
                running.withLockedValue { $0.state = .reconnecting }
                logger.warning("board relay lost its LISTEN connection; reconnecting")
                guard let again = await reconnect(logger: logger) else { return }
                notifications = again
                do { try await catchUp(lost) } catch {
                    logger.warning("board relay could not catch up", metadata: ["fault": .string(DatabaseFault.code(error) ?? "\(type(of: error))")])
                }
                running.withLockedValue { $0.state = .listening }
                logger.notice("board relay listening again")
            }
        }
        running.withLockedValue { $0.task = task }
    }

    private func listen(logger: Logger) async throws -> PostgresNotificationSequence {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let notifications = try await connection.listen(channel)
            let old = running.withLockedValue { state in defer { state.connection = connection }; return state.connection }
            try? await old?.close()
            return notifications
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func relay(_ notifications: PostgresNotificationSequence, deliver: @Sendable (String, BoardBroadcaster.Event) -> Void,
                       nudged: @Sendable (Set<UUID>) -> Void, logger: Logger) async {
        let decoder = JSONDecoder()
        do {
            for try await notification in notifications {
                if let nudge = try? decoder.decode(Nudge.self, from: Data(notification.payload.utf8)) {
                    if nudge.node != node { nudged(Set(nudge.users)) }
                    continue
                }
                guard let message = try? decoder.decode(Message.self, from: Data(notification.payload.utf8)),
                      message.node != node else { continue }
                deliver(message.unitCode, BoardBroadcaster.Event(number: message.number, desk: message.desk, calledAtMs: message.calledAtMs))
            }
        } catch {
            logger.warning("board relay stopped listening", metadata: ["type": .string(String(reflecting: type(of: error)))])
        }
    }

    /// Tries again and again, doubling the wait up to five seconds; nil once the relay is stopped.
    private func reconnect(logger: Logger) async -> PostgresNotificationSequence? {
        var wait = retryMilliseconds
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(wait))
            if Task.isCancelled { return nil }
            if let notifications = try? await listen(logger: logger) { return notifications }
            wait = min(wait * 2, 5_000)
        }
        return nil
    }

    func notify(on db: any SQLDatabase, unitCode: String, event: BoardBroadcaster.Event) async throws {
        try await send(Message(node: node, unitCode: unitCode, number: event.number, desk: event.desk,
                               calledAtMs: BoardBroadcaster.Event.milliseconds(event.calledAt)), on: db)
    }

    /// A message to the other nodes, sent with the caller's transaction (delivered at its COMMIT).
    private func send(_ message: some Encodable, on db: any SQLDatabase) async throws {
        let payload = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        // In a group commit the batch sends its notifications together, before its COMMIT.
        if let batch = WriteCombiner.currentBatch { return batch.defer(.init(channel: channel, payload: payload)) }
        // Raw: pg_notify is a function call, not a query SQLKit builds; channel and payload are bound.
        try await db.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
    }

    func stop() async {
        let (task, connection) = running.withLockedValue { ($0.task, $0.connection) }
        task?.cancel()
        try? await connection?.close()
        await task?.value
    }
}

/// Starts the relay with the application and stops it on shutdown.
struct BoardRelayLifecycle: LifecycleHandler {
    let relay: BoardRelay
    func shutdownAsync(_ application: Application) async { await relay.stop() }
}
