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
    private let state = NIOLockedValueBox<(task: Task<Void, Never>?, connection: PostgresConnection?)>((nil, nil))

    init(configuration: PostgresConnection.Configuration, schema: String?) {
        self.configuration = configuration
        // One channel per schema, so test schemas sharing a database do not hear each other.
        channel = "penah_board" + (schema.map { "_" + $0.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" } } ?? "")
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

    /// Connects and starts listening before returning, so no call made afterwards is missed.
    func start(deliver: @escaping @Sendable (String, BoardBroadcaster.Event) -> Void, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        let notifications = try await connection.listen(channel)
        let task = Task {
            let decoder = JSONDecoder()
            do {
                for try await notification in notifications {
                    guard let message = try? decoder.decode(Message.self, from: Data(notification.payload.utf8)),
                          message.node != node else { continue }
                    deliver(message.unitCode, BoardBroadcaster.Event(number: message.number, desk: message.desk, calledAtMs: message.calledAtMs))
                }
            } catch {
                logger.warning("board relay stopped listening", metadata: ["type": .string(String(reflecting: type(of: error)))])
            }
        }
        state.withLockedValue { $0 = (task, connection) }
    }

    func notify(on db: any SQLDatabase, unitCode: String, event: BoardBroadcaster.Event) async throws {
        let message = Message(node: node, unitCode: unitCode, number: event.number, desk: event.desk,
                              calledAtMs: BoardBroadcaster.Event.milliseconds(event.calledAt))
        let payload = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        // In a group commit the batch sends its notifications together, before its COMMIT.
        if let batch = WriteCombiner.currentBatch { return batch.defer(.init(channel: channel, payload: payload)) }
        try await db.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
    }

    func stop() async {
        let (task, connection) = state.withLockedValue { ($0.task, $0.connection) }
        task?.cancel()
        try? await connection?.close()
    }
}

/// Starts the relay with the application and stops it on shutdown.
struct BoardRelayLifecycle: LifecycleHandler {
    let relay: BoardRelay
    func shutdownAsync(_ application: Application) async { await relay.stop() }
}
