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
        let database: String
        let version: String
    }

    @Sendable func health(_ req: Request) async throws -> Response {
        let reachable: Bool
        do {
            try await req.sql.raw("SELECT 1").run()
            reachable = true
        } catch {
            reachable = false
        }
        let body = Health(status: reachable ? "ok" : "unavailable", database: reachable ? "ok" : "unreachable",
                          version: PenahVersion.current)
        return try await body.encodeResponse(status: reachable ? .ok : .serviceUnavailable, for: req)
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
