import Metrics
import Vapor

/// One log line and one metric per request. It records the route *pattern* (`/api/v1/cases/:id`),
/// never the concrete path or query, so no name, FIN or phone typed into a URL reaches a log line.
struct AccessLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // Errors are turned into responses further in; this is only a last resort.
            log(request, status: 500, since: started)
            throw error
        }
        log(request, status: Int(response.status.code), since: started)
        return response
    }

    private func log(_ request: Request, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        let dimensions = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
        Counter(label: "penah_http_requests_total", dimensions: dimensions).increment()
        Metrics.Timer(label: "penah_http_request_duration_seconds",
                      dimensions: [("route", route)]).recordNanoseconds(elapsed.nanoseconds)
        request.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(route),
            "status": .stringConvertible(status),
            "ms": .string(String(format: "%.2f", Double(elapsed.nanoseconds) / 1_000_000)),
        ])
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
