import Vapor

/// The public site: about the service, using it safely, and the quick exit.
struct PublicPages: RouteCollection {
    let quickExitURL: String

    func boot(routes: any RoutesBuilder) throws {
        routes.get(SitePath.home.components) { req in
            try await req.view.render("home", ["page": PageFrame(req, titleKey: "layout.publicTitle", isPublic: true)])
        }.access(.public)
        routes.get(SitePath.safety.components) { req in
            try await req.view.render("safety", ["page": PageFrame(req, titleKey: "layout.publicTitle", isPublic: true)])
        }.access(.public)
        routes.get(.exit, use: exit).access(.public)
    }

    /// Leaves for a neutral site and tells the browser to drop everything this origin stored.
    /// A GET, so the plain link works without JavaScript.
    @Sendable func exit(_ req: Request) async throws -> Response {
        if let staff = req.staff, let session = try await AuthSession.find(staff.session.id, on: req.db) {
            try await SessionStore(db: req.db).end(session)
        }
        let response = req.redirect(to: quickExitURL, redirectType: .normal)
        // With JavaScript the page has cleared storage itself and left one flag behind (see
        // exit-guard.js), which "storage" would wipe; the plain link has no such flag to keep.
        let storage = req.query[String.self, at: "js"] == "1" ? "" : ", \"storage\""
        response.headers.replaceOrAdd(name: "Clear-Site-Data", value: "\"cache\", \"cookies\"" + storage)
        // The neutral site must not learn where the visitor came from.
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        for name in req.cookies.all.keys {
            response.cookies[name] = .cleared
        }
        return response
    }
}


extension HTTPCookies.Value {
    /// Deletes a cookie: both `Expires` in the past and `Max-Age=0`, on the path it was set for.
    static let cleared = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                                           isHTTPOnly: true, sameSite: .lax)
}
