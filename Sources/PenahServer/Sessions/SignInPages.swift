import Fluent
import PenahDomain
import Vapor

/// The staff sign-in form and sign-out. A new session (new id, new CSRF token) is issued at every
/// sign-in and any session the browser already had is ended, so a planted cookie is worthless.
struct SignInPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.login, use: form).access(.public)
        routes.post(.login, use: submit).access(.public)
        routes.post(.logout, use: signOut).access(.action(.signOut))
        routes.post(.keepAlive, use: keepAlive).access(.action(.staffHome))
    }

    struct FormContext: Encodable {
        var page: PageFrame
        var username: String
        var errorKey: String?
        var retryAfter: Int?
        /// Arrived here because a form was kept when the session ran out.
        var kept = false
    }

    struct Submission: Content {
        var username: String?
        var password: String?
        var otp: String?
    }

    @Sendable func form(_ req: Request) async throws -> Response {
        if req.staff != nil { return req.redirect(to: SitePath.staff()) }
        return try await render(req, username: "", errorKey: nil, status: .ok)
    }

    @Sendable func submit(_ req: Request) async throws -> Response {
        let input = (try? req.content.decode(Submission.self)) ?? Submission()
        let signIn = SignIn(db: req.db, keyring: req.application.keyring, hasher: req.application.bcrypt)
        let outcome = try await signIn.attempt(username: input.username ?? "", password: input.password ?? "",
                                               otp: input.otp ?? "", request: req.facts)
        switch outcome {
        case .throttled(let wait):
            let response = try await render(req, username: input.username ?? "", errorKey: "auth.throttled",
                                            status: .tooManyRequests, retryAfter: wait)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(wait))
            return response
        case .denied:
            return try await render(req, username: input.username ?? "", errorKey: "auth.failed", status: .unauthorized)
        case .success(let user):
            let store = SessionStore(db: req.db)
            if let old = req.staff?.session.id, let session = try await AuthSession.find(old, on: req.db) {
                try await store.end(session)
            }
            let (_, token) = try await store.create(for: user, kind: .web)
            // A form kept when the last session ran out is offered first.
            let kept = try await ParkedForms(db: req.db, vault: req.vault).pending(userID: try user.requireID())
            let response = req.redirect(to: kept.isEmpty ? SitePath.staff() : ParkedFormPages.path, redirectType: .normal)
            response.cookies[Authenticator.sessionCookie] = HTTPCookies.Value(
                string: token, path: "/", isSecure: req.application.secureCookies, isHTTPOnly: true, sameSite: .strict)
            response.cookies[CSRF.preSessionCookie] = .cleared
            return response
        }
    }

    /// "Stay signed in": counts as activity without reloading the page, so nothing typed is lost.
    /// Fetched by session-timeout.js (204); a plain form post goes back to the staff page.
    @Sendable func keepAlive(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        try await AuthSession.query(on: req.db).filter(\.$id == staff.session.id).set(\.$lastSeenAt, to: Date()).update()
        if req.headers.first(name: "X-Requested-With") == "penah" { return Response(status: .noContent) }
        return req.redirect(to: SitePath.staff(), redirectType: .normal)
    }

    @Sendable func signOut(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        if let session = try await AuthSession.find(staff.session.id, on: req.db) {
            try await req.db.writeTransaction { db in
                try await SessionStore(db: db).end(session)
                try await AuditLog.append(on: db, actor: req.auditActor, action: "auth.signOut",
                                          recordType: "staffUser", recordID: staff.userID.uuidString)
            }
        }
        let response = req.redirect(to: SitePath.login(), done: .signedOut)
        response.cookies[Authenticator.sessionCookie] = .cleared
        return response
    }

    private func render(_ req: Request, username: String, errorKey: String?, status: HTTPStatus,
                        retryAfter: Int? = nil) async throws -> Response {
        var page = PageFrame(req, titleKey: "auth.title", isPublic: false)
        let csrf = CSRF.token(for: req)
        page.csrfToken = csrf.token
        let context = FormContext(page: page, username: String(username.prefix(64)), errorKey: errorKey, retryAfter: retryAfter,
                                  kept: req.query[String.self, at: "kept"] == "1")
        let response = try await req.view.render("login", context).encodeResponse(status: status, for: req)
        if let cookie = csrf.cookie { response.cookies[CSRF.preSessionCookie] = cookie }
        return response
    }
}
