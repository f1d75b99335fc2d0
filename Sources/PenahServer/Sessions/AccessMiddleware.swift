import PenahDomain
import Vapor

/// The one place where every route's access is enforced, for pages and API alike: who is signed in
/// (session cookie for pages; bearer token for `/api` and `/metrics`, never a cookie, so the API needs
/// no CSRF defence), whether the role may perform the route's action (otherwise 404, so existence
/// does not leak), and CSRF on every unsafe page request.
struct AccessMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let route = request.route else { return try await next.respond(to: request) }
        guard let access = route.declaredAccess else {
            request.logger.error("route without an access declaration", metadata: ["route": .string(route.description)])
            throw Abort(.notFound)
        }
        let usesBearer = request.usesBearerAuthentication
        try await Authenticator.authenticate(request, bearer: usesBearer)
        if !usesBearer, ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            // A staff form sent just after the session ran out is kept, not lost (ParkedFormPages).
            if request.staff == nil, case .action = access, let kept = try await ParkedFormPages.parkIfLapsed(request) {
                return kept
            }
            try await CSRF.verify(request)
        }
        if case .action(let action) = access {
            guard let staff = request.staff else {
                if usesBearer { throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"]) }
                return request.redirect(to: SitePath.login())
            }
            guard AccessPolicy.allows(staff.role, action) else { throw Abort(.notFound) }
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    var usesBearerAuthentication: Bool {
        url.path.hasPrefix("/api/") || url.path == "/metrics"
    }
}

enum Authenticator {
    static let sessionCookie = "penah_session"

    /// Sets `request.staff` when the request carries a live session or token.
    static func authenticate(_ request: Request, bearer: Bool) async throws {
        let store = SessionStore(db: request.db)
        let session: AuthSession?
        if bearer {
            guard let token = request.headers.bearerAuthorization?.token else { return }
            session = try await store.find(token: token, kind: .api)
        } else {
            guard let token = request.cookies[sessionCookie]?.string else { return }
            session = try await store.find(token: token, kind: .web, touching: !SitePath.isLiveFeed(request.url.path))
        }
        guard let session, let unit = session.user.$unit.value else { return }
        request.staff = StaffContext(
            userID: try session.user.requireID(), username: session.user.username, displayName: session.user.displayName,
            role: session.user.role, unitCode: unit.code, unitName: unit.name,
            session: AuthSessionRef(id: try session.requireID(), kind: session.kind, csrfToken: session.csrfToken))
        // The count in the header of every page (see `PageFrame.unreadNotifications`).
        if !bearer, request.method == .GET { request.unreadNotifications = try await Notifications.unread(for: try session.user.requireID(), on: request.db) }
    }
}
