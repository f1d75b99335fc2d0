import Foundation
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
    struct Signature: CommandSignature {
        @Option(name: "checkpoints", help: "Also check the chains reach the newest checkpoints in this file (see `penah audit checkpoint`)")
        var checkpoints: String?
    }
    var help: String { "Recompute the audit hash chains; exit 1 naming the first broken event." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let result = try await AuditLog.verify(on: app.db, readingWith: app.databasesOnEveryLoop)
        guard result.ok else {
            throw CommandFailure("audit trail broken at event \(result.firstBrokenEventId?.uuidString ?? "(a chain head)") (\(result.events) events read)")
        }
        if let path = signature.checkpoints {
            let unmet = try await AuditCheckpoints.unmet(URL(fileURLWithPath: path), on: app.db)
            guard unmet.isEmpty else {
                throw CommandFailure("audit trail does not reach its checkpoints: \(unmet.joined(separator: ", ")) (truncated or rewritten)")
            }
        }
        context.console.print("Audit trail intact: \(result.events) events verified.")
    }
}
