import Vapor

/// Headers every response carries. The CSP allows only our own scripts, styles and images — no inline
/// script or style anywhere — and forbids framing. Responses default to `no-store`: on a shared or
/// watched computer a cached page can betray a visit. Static assets opt back into caching.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let isProduction: Bool

    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
        "connect-src 'self'", "font-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
        "base-uri 'none'", "manifest-src 'self'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            // `same-origin`, not `no-referrer`: with no referrer at all Chromium sends `Origin: null` on
            // form posts, which the CSRF check must refuse. Other sites still learn nothing.
            ("Referrer-Policy", response.headers.first(name: "Referrer-Policy") ?? "same-origin"),
            ("X-Frame-Options", "DENY"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if isProduction {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        if !response.headers.contains(name: .cacheControl) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}
