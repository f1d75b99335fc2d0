import Fluent
import PenahDomain
import Vapor

/// `penah service-account create --name N --role lawEnforcementGateway`: an account for another
/// system, with no password, and one API token printed once, alone on the last line.
struct ServiceAccountCommand: AsyncCommandGroup {
    var help: String { "Manage service accounts for other systems." }
    var commands: [String: any AnyAsyncCommand] { ["create": CreateServiceAccountCommand()] }
}

struct CreateServiceAccountCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name") var name: String?
        @Option(name: "role", help: "lawEnforcementGateway") var role: String?
    }

    var help: String { "Create a service account and print its token once." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let role = signature.role.flatMap(Role.init(rawValue:)), role.isServiceRole else {
            throw CommandFailure("--role must be lawEnforcementGateway")
        }
        let username = StaffService.normalisedUsername(signature.name ?? "")
        guard StaffService.isValidUsername(username) else {
            throw CommandFailure("--name: 3–64 characters of a–z, 0–9, '.', '_' or '-'")
        }
        let db = context.application.db
        guard let hq = try await Unit.query(on: db).filter(\.$kind == .hq).first() else {
            throw CommandFailure("create the HQ unit first: penah unit create --code HQ --kind hq --name \"…\"")
        }
        guard try await StaffUser.query(on: db).filter(\.$username == username).first() == nil else {
            throw CommandFailure("--name: an account with this name already exists")
        }
        let token = try await db.writeTransaction { db in
            let user = StaffUser()
            user.username = username
            user.displayName = signature.name ?? username
            user.role = role
            user.$unit.id = try hq.requireID()
            user.totpLastStep = 0
            user.isService = true
            user.active = true
            try await user.create(on: db)
            let (_, token) = try await SessionStore(db: db).create(for: user, kind: .api)
            try await AuditLog.append(on: db, actor: .system("cli:service-account-create"), action: "staff.createService",
                                      recordType: "staffUser", recordID: user.id?.uuidString)
            return token
        }
        context.console.print("Created service account \(username) (\(role.rawValue)). Its token, shown only now:")
        context.console.print(token)
    }
}
