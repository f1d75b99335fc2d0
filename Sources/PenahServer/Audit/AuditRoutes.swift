import Vapor

/// `GET /api/v1/audit/verify` and `penah verify-audit`.
struct AuditRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "v1", "audit", "verify", use: verify).access(.action(.verifyAudit))
    }

    @Sendable func verify(_ req: Request) async throws -> AuditLog.Verification {
        try await AuditLog.verify(on: req.db, readingWith: req.application.databasesOnEveryLoop)
    }
}

struct VerifyAuditCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Recompute the audit hash chains; exit 1 naming the first broken event." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let result = try await AuditLog.verify(on: app.db, readingWith: app.databasesOnEveryLoop)
        if result.ok {
            context.console.print("Audit trail intact: \(result.events) events verified.")
        } else {
            throw CommandFailure("audit trail broken at event \(result.firstBrokenEventId?.uuidString ?? "?") (\(result.events) events read)")
        }
    }
}
