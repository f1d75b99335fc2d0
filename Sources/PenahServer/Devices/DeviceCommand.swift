import Fluent
import PenahDomain
import Vapor

/// `penah device create --name N --unit CODE`: a kiosk for the unit and its one-time code, to be
/// typed at `/device/enrol` on the kiosk. `penah device revoke --name N`: disables it and ends its
/// session at once.
struct DeviceCommand: AsyncCommandGroup {
    var help: String { "Enrol and revoke entrance kiosks (device accounts)." }
    var commands: [String: any AnyAsyncCommand] { ["create": CreateDeviceCommand(), "revoke": RevokeDeviceCommand()] }
}

struct CreateDeviceCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name") var name: String?
        @Option(name: "unit") var unit: String?
    }
    var help: String { "Create a kiosk for a unit and print its one-time enrolment code." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        do {
            let (device, code) = try await Enrolment(db: app.db, keyring: app.keyring, hasher: app.bcrypt).invite(
                username: signature.name ?? "", displayName: signature.name, role: .kiosk, unitCode: signature.unit ?? "",
                actor: .system("cli:device-create"))
            context.console.print("Created kiosk \(device.username). On the kiosk, open /device/enrol and type this code (valid 72 hours, once):")
            context.console.print(code)
        } catch let problems as ValidationProblems {
            throw CommandFailure(problems.problems.map { "--\($0.field): \($0.code)" }.joined(separator: "; "))
        }
    }
}

struct RevokeDeviceCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name") var name: String?
    }
    var help: String { "Disable a kiosk and end its session." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let db = context.application.db
        let username = StaffService.normalisedUsername(signature.name ?? "")
        guard let device = try await StaffUser.query(on: db).filter(\.$username == username).first(), device.role.isDeviceRole else {
            throw CommandFailure("--name: no kiosk of that name")
        }
        try await db.writeTransaction { db in
            device.active = false
            device.enrolmentCodeHash = nil
            try await device.update(on: db)
            try await SessionStore(db: db).endAll(userID: device.requireID())
            try await AuditLog.append(on: db, actor: .system("cli:device-revoke"), action: "device.revoke", recordType: "staffUser", recordID: device.id?.uuidString)
        }
        context.console.print("Revoked kiosk \(username).")
    }
}
