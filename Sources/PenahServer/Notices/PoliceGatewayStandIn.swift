import AsyncHTTPClient
import Foundation
import NIOCore
import Vapor

/// A STAND-IN for the police gateway, for local runs and tests only — never a production receiver.
/// It checks the signature, keeps what it received in memory (one entry per `Idempotency-Key`, so a
/// repeat is harmless), and acknowledges each new notice through Penah's public API with its
/// service-account token, as the real gateway would.
actor StandInInbox {
    private(set) var received: [String: Data] = [:]
    /// Every accepted POST, repeats included.
    private(set) var posts = 0
    /// While false the stand-in answers 503, like a receiver that is down.
    var available = true

    func setAvailable(_ value: Bool) { available = value }

    /// Records a notice; true when its key is new.
    func record(key: String, body: Data) -> Bool {
        posts += 1
        guard received[key] == nil else { return false }
        received[key] = body
        return true
    }
}

struct PoliceGatewayStandIn: RouteCollection {
    struct Acknowledger: Sendable {
        let penahURL: String
        let token: String
        let client: HTTPClient

        func acknowledge(noticeID: String) async {
            var request = HTTPClientRequest(url: "\(penahURL)/api/v1/law-enforcement-notices/\(noticeID)/acknowledgement")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            let reference = "SANDBOX-" + noticeID.prefix(8).uppercased()
            let body = #"{"reference":"\#(reference)","receivedAt":"\#(ISO8601DateFormatter().string(from: Date()))"}"#
            request.body = .bytes(ByteBuffer(string: body))
            _ = try? await client.execute(request, timeout: .seconds(10))
        }
    }

    let secret: String
    let inbox: StandInInbox
    let acknowledger: Acknowledger?

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "notices", body: .collect(maxSize: "1mb"), use: receive)
        routes.get("health") { _ in "stand-in police gateway" }
    }

    @Sendable func receive(_ req: Request) async throws -> Response {
        let body = req.body.data.map { Data(buffer: $0) } ?? Data()
        let expected = HTTPPoliceGateway.signature(of: body, secret: secret)
        guard let given = req.headers.first(name: "X-Penah-Signature"), constantTimeEqual(given, expected) else {
            return Response(status: .unauthorized, body: .init(string: #"{"error":"bad signature"}"#))
        }
        guard let key = req.headers.first(name: "Idempotency-Key"), !key.isEmpty else { return Response(status: .badRequest) }
        guard await inbox.available else { return Response(status: .serviceUnavailable) }
        let isNew = await inbox.record(key: key, body: body)
        if isNew, let acknowledger {
            // Acknowledge later, as the real gateway does, not inside this answer.
            Task { try? await Task.sleep(for: .milliseconds(50)); await acknowledger.acknowledge(noticeID: key) }
        }
        return Response(status: .accepted, body: .init(string: #"{"received":true,"duplicate":\#(!isNew)}"#))
    }

    /// Starts the stand-in on `port` (0 picks a free one) and returns it with the port it listens on.
    static func start(secret: String, acknowledger: Acknowledger?, port: Int, inbox: StandInInbox = StandInInbox()) async throws -> (Application, Int) {
        try await StandInServer.start(PoliceGatewayStandIn(secret: secret, inbox: inbox, acknowledger: acknowledger), port: port)
    }

    static func stop(_ app: Application) async throws { try await StandInServer.stop(app) }
}

/// A small loopback HTTP server for a stand-in receiver.
enum StandInServer {
    static func start(_ routes: any RouteCollection, port: Int) async throws -> (Application, Int) {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = port
        try app.register(collection: routes)
        try await app.server.start()
        return (app, app.http.server.shared.localAddress?.port ?? port)
    }

    static func stop(_ app: Application) async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
