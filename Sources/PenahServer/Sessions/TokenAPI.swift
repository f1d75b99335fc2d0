import Vapor

/// `POST /api/v1/auth/token` and `DELETE /api/v1/auth/token` (CONTRACT.md, "Auth").
struct TokenAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let auth = routes.grouped("api", "v1", "auth", "token")
        auth.post(use: issue).access(.public)
        auth.delete(use: revoke).access(.action(.signOut))
    }

    struct Credentials: Content {
        let username: String
        let password: String
        let otp: String
    }

    struct Issued: Content {
        struct User: Content { let id: UUID; let username: String; let role: String; let unitCode: String }
        let token: String
        let expiresAt: Date
        let user: User
    }

    @Sendable func issue(_ req: Request) async throws -> Issued {
        let credentials = try req.decodeJSON(Credentials.self)
        let signIn = SignIn(db: req.db, keyring: req.application.keyring, hasher: req.application.bcrypt)
        switch try await signIn.attempt(username: credentials.username, password: credentials.password,
                                        otp: credentials.otp, request: req.facts) {
        case .throttled(let wait):
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(wait)])
        case .denied:
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"])
        case .success(let user):
            let (session, token) = try await SessionStore(db: req.db).create(for: user, kind: .api)
            let unitCode = try await user.$unit.get(on: req.db).code
            return Issued(token: token, expiresAt: session.expiresAt,
                          user: .init(id: try user.requireID(), username: user.username, role: user.role.rawValue, unitCode: unitCode))
        }
    }

    @Sendable func revoke(_ req: Request) async throws -> HTTPStatus {
        let staff = try req.requireStaff()
        guard let session = try await AuthSession.find(staff.session.id, on: req.db) else { throw Abort(.unauthorized) }
        try await req.db.writeTransaction { db in
            try await SessionStore(db: db).end(session)
            try await AuditLog.append(on: db, actor: req.auditActor, action: "auth.revokeToken",
                                      recordType: "staffUser", recordID: staff.userID.uuidString)
        }
        return .noContent
    }
}
