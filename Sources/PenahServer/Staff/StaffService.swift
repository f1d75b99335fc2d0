import Crypto
import Fluent
import Foundation
import PenahDomain
import Vapor

/// Creating staff accounts and checking sign-ins.
struct StaffService {
    let db: any Database
    let keyring: MasterKeyring

    struct Created {
        let user: StaffUser
        let provisioningURI: String
        let recoveryCodes: [String]
    }

    static func normalisedUsername(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func isValidUsername(_ name: String) -> Bool {
        (3...64).contains(name.count) && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".contains($0) }
    }

    /// Creates a person's account with a password, a TOTP secret and ten recovery codes.
    func createStaff(username raw: String, displayName: String?, role: Role, unitCode: String, password: String,
                     hasher: some PasswordHashing, actor: AuditActor) async throws -> Created {
        let username = Self.normalisedUsername(raw)
        var problems = try await problemsForNew(username: username, displayName: displayName, role: role, unitCode: unitCode)
        if let problem = PasswordPolicy.problem(with: password, username: username) {
            problems.append(.init(field: "password", code: problem))
        }
        let unit = try await UnitService(db: db).find(code: unitCode)
        let name = (displayName ?? username).trimmingCharacters(in: .whitespacesAndNewlines)
        guard problems.isEmpty, let unit else { throw ValidationProblems(problems) }

        let hash = try await hasher.hash(password)
        let factor = SecondFactor.generate()
        let user = StaffUser()
        user.username = username
        user.displayName = name
        user.role = role
        user.$unit.id = try unit.requireID()
        user.passwordHash = hash
        user.totpSecretSealed = try factor.sealedSecret(keyring)
        user.totpLastStep = 0
        user.isService = false
        user.active = true
        user.enrolledAt = Date()
        try await db.writeTransaction { db in
            try await user.create(on: db)
            try await factor.storeRecoveryCodes(for: user.requireID(), on: db)
            try await AuditLog.append(on: db, actor: actor, action: "staff.create", recordType: "staffUser",
                                      recordID: user.id?.uuidString)
        }
        return Created(user: user, provisioningURI: factor.provisioningURI(username: username),
                       recoveryCodes: factor.recoveryCodes)
    }

    /// What is wrong with a new account's username, name, role and unit.
    func problemsForNew(username: String, displayName: String?, role: Role, unitCode: String) async throws -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if !Self.isValidUsername(username) { problems.append(.init(field: "username", code: "invalidUsername")) }
        if role.isServiceRole { problems.append(.init(field: "role", code: "invalidValue")) }
        if let unit = try await UnitService(db: db).find(code: unitCode) {
            if !role.fits(unit.kind) { problems.append(.init(field: "unit", code: "roleDoesNotFitUnit")) }
        } else {
            problems.append(.init(field: "unit", code: "unknownUnit"))
        }
        let name = (displayName ?? username).trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 200 { problems.append(.init(field: "displayName", code: "required")) }
        if Self.isValidUsername(username), try await StaffUser.query(on: db).filter(\.$username == username).first() != nil {
            problems.append(.init(field: "username", code: "duplicateUsername"))
        }
        return problems
    }

}

/// Password hashing, behind a protocol so the service does not depend on the application object.
protocol PasswordHashing: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, created hash: String) async throws -> Bool
    /// A hash of a random password at the same cost, checked when the username is unknown so that
    /// unknown and known usernames take the same time.
    var dummyHash: String { get }
}

/// bcrypt on the application's thread pool, so hashing never blocks an event loop.
struct BcryptHashing: PasswordHashing {
    let app: Application
    var dummyHash: String { app.storage[DummyHashKey.self]! }

    /// bcrypt cost 12 in service; 4 under test, where hundreds of accounts are made.
    static func configure(_ app: Application) throws {
        let cost = app.environment == .testing ? 4 : 12
        app.passwords.use(.bcrypt(cost: cost))
        app.storage[DummyHashKey.self] = try Bcrypt.hash(SessionStore.randomToken(), cost: cost)
    }

    private var hasher: Vapor.AsyncPasswordHasher {
        app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next())
    }

    func hash(_ password: String) async throws -> String { try await hasher.hash(password).get() }
    func verify(_ password: String, created hash: String) async throws -> Bool {
        try await hasher.verify(password, created: hash).get()
    }
}

extension Application {
    var bcrypt: BcryptHashing { BcryptHashing(app: self) }
}

struct DummyHashKey: StorageKey { typealias Value = String }
