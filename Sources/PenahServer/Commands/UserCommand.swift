import PenahDomain
import Vapor

/// `penah user create --username U --role ROLE --unit CODE [--display-name N] [--password-stdin]`.
/// Prints the TOTP provisioning URI on a line of its own, and the ten recovery codes.
struct UserCommand: AsyncCommandGroup {
    var help: String { "Manage staff accounts." }
    var commands: [String: any AnyAsyncCommand] { ["create": CreateUserCommand()] }
}

struct CreateUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "role", help: "reception|lawyer|psychologist|supervisor|callCentre|sxaOfficer|shelterStaff|auditor|admin")
        var role: String?
        @Option(name: "unit", help: "Code of the person's unit") var unit: String?
        @Option(name: "display-name", help: "Name shown in the header (defaults to the username)") var displayName: String?
        @Flag(name: "password-stdin", help: "Read the password from standard input instead of prompting") var passwordStdin: Bool
    }

    var help: String { "Create a staff account with a password and TOTP second factor." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let roleCode = signature.role, let role = Role(rawValue: roleCode), !role.isServiceRole else {
            throw CommandFailure("--role must be one of: \(Role.staffRoles.map(\.rawValue).joined(separator: ", "))")
        }
        let password: String
        if signature.passwordStdin {
            password = readLine(strippingNewline: true) ?? ""
        } else {
            password = context.console.ask("Password (12–128 characters): ", isSecure: true)
        }
        let app = context.application
        let service = StaffService(db: app.db, keyring: app.keyring)
        do {
            let enrolment = try await service.createStaff(
                username: signature.username ?? "", displayName: signature.displayName, role: role,
                unitCode: signature.unit ?? "", password: password, hasher: app.bcrypt,
                actor: .system("cli:user-create"))
            context.console.print("Created \(role.rawValue) \(enrolment.user.username) in \(signature.unit ?? "").")
            context.console.print("Recovery codes (each works once; store them safely):")
            for code in enrolment.recoveryCodes { context.console.print("  \(code)") }
            context.console.print("Add this to an authenticator app (or show it as a QR code):")
            context.console.print(enrolment.provisioningURI)
        } catch let problems as ValidationProblems {
            throw CommandFailure(problems.englishSummary)
        }
    }
}
