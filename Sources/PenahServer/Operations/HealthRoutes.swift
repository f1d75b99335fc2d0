import Fluent
import Prometheus
import SQLKit
import NIOCore
import PenahDomain
import Vapor

public enum PenahVersion {
    public static let current = "0.1.0"
}

/// `/health` for load balancers and `/metrics` for Prometheus.
struct OperationsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health).access(.public)
        // Public at the routing level; `MetricsAccess` admits loopback or an admin/auditor token.
        routes.get("metrics", use: metrics).access(.public)
    }

    struct Health: Content {
        let status: String
        /// `ok`, `readOnly` (answers but cannot commit: disk full, read-only file), `unreachable`.
        let database: String
        /// PostgreSQL only: `listening`, or `reconnecting` while the board relay is without its
        /// `LISTEN` connection (boards then see only this node's calls until it is back).
        let boardRelay: String?
        let version: String
    }

    /// Commits a one-row write, so a database that still answers reads but cannot write (a full
    /// disk, a read-only file) is reported as it is: every write would fail.
    @Sendable func health(_ req: Request) async throws -> Response {
        let database: String
        do {
            try await req.sql.raw("SELECT 1").run()
            do {
                try await HealthProbe.write(node: req.application.nodeID, on: req.db)
                database = "ok"
            } catch {
                req.logger.warning("health: database cannot write", metadata: ["fault": .string(DatabaseFault.code(error) ?? "\(type(of: error))")])
                database = "readOnly"
            }
        } catch {
            database = "unreachable"
        }
        let relay = req.application.board.relay?.state
        let healthy = database == "ok" && relay != .reconnecting
        let body = Health(status: healthy ? "ok" : "unavailable", database: database, boardRelay: relay?.rawValue,
                          version: PenahVersion.current)
        return try await body.encodeResponse(status: healthy ? .ok : .serviceUnavailable, for: req)
    }

    @Sendable func metrics(_ req: Request) async throws -> Response {
        guard try await MetricsAccess.allows(req) else { throw Abort(.notFound) }
        var buffer: [UInt8] = []
        PenahMetrics.registry.emit(into: &buffer)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(data: Data(buffer)))
    }
}

enum PenahMetrics {
    static let registry = PrometheusCollectorRegistry()
    /// swift-metrics can be bootstrapped once per process; tests build many applications.
    static let bootstrap: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }()
}

enum MetricsAccess {
    static func allows(_ req: Request) async throws -> Bool {
        // The socket address only: `peerAddress` trusts X-Forwarded-For, which anyone can send.
        if let address = req.remoteAddress, isLoopback(address) { return true }
        guard let staff = req.staff else { return false }
        return AccessPolicy.allows(staff.role, .viewMetrics)
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress else { return false }
        return ip == "127.0.0.1" || ip == "::1" || ip.hasPrefix("127.") || ip == "::ffff:127.0.0.1"
    }
}

import Metrics
