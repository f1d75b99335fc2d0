import FluentPostgresDriver
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import SQLKit
import Vapor

/// Carries board calls between server nodes on PostgreSQL: a call is sent with `pg_notify`, and
/// every node (the caller's included) hears it on its own `LISTEN` connection and hands it to its
/// local boards, so each board gets each call once whichever node made it. On SQLite there is one
/// node and the broadcaster publishes directly.
final class BoardRelay: Sendable {
    let channel: String
    private let configuration: PostgresConnection.Configuration
    private let state = NIOLockedValueBox<(task: Task<Void, Never>?, connection: PostgresConnection?)>((nil, nil))

    init(configuration: PostgresConnection.Configuration, schema: String?) {
        self.configuration = configuration
        // One channel per schema, so test schemas sharing a database do not hear each other.
        channel = "penah_board" + (schema.map { "_" + $0.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" } } ?? "")
    }

    struct Message: Codable {
        let unitCode: String
        let event: BoardBroadcaster.Event
    }

    /// Connects and starts listening before returning, so no call made afterwards is missed.
    func start(deliver: @escaping @Sendable (String, BoardBroadcaster.Event) -> Void, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        let notifications = try await connection.listen(channel)
        let task = Task {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            do {
                for try await notification in notifications {
                    guard let message = try? decoder.decode(Message.self, from: Data(notification.payload.utf8)) else { continue }
                    deliver(message.unitCode, message.event)
                }
            } catch {
                logger.warning("board relay stopped listening", metadata: ["type": .string(String(reflecting: type(of: error)))])
            }
        }
        state.withLockedValue { $0 = (task, connection) }
    }

    func notify(on db: any SQLDatabase, unitCode: String, event: BoardBroadcaster.Event) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let payload = String(decoding: try encoder.encode(Message(unitCode: unitCode, event: event)), as: UTF8.self)
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
