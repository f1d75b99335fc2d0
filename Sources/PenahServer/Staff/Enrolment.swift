import Crypto
import Fluent
import Foundation
import PenahDomain
import Vapor

/// Accounts made by an admin: the admin never learns or sets the password. The person receives a
/// one-time enrolment code in person, chooses a password, adds the TOTP secret to an app and
/// confirms one code; only then can they sign in. Resetting the second factor sends them through
/// the TOTP half again.
struct Enrolment {
    let db: any Database
    let keyring: MasterKeyring
    let hasher: any PasswordHashing

    static let codeLifetime: TimeInterval = 72 * 3600

    struct Started {
        let provisioningURI: String
        let secret: String
        let recoveryCodes: [String]
        let needsPassword: Bool
    }

    /// Creates an account waiting for enrolment; returns the code to hand over.
    func invite(username raw: String, displayName: String?, role: Role, unitCode: String, actor: AuditActor) async throws -> (StaffUser, String) {
        let username = StaffService.normalisedUsername(raw)
        var problems = try await StaffService(db: db, keyring: keyring)
            .problemsForNew(username: username, displayName: displayName, role: role, unitCode: unitCode)
        let unit = try await UnitService(db: db).find(code: unitCode)
        if unit == nil, !problems.contains(where: { $0.field == "unit" }) { problems.append(.init(field: "unit", code: "unknownUnit")) }
        guard problems.isEmpty, let unit else { throw ValidationProblems(problems) }
        let code = SessionStore.randomToken().prefix(20).uppercased()
        let user = StaffUser()
        user.username = username
        user.displayName = (displayName ?? username).trimmingCharacters(in: .whitespacesAndNewlines)
        user.role = role
        user.$unit.id = try unit.requireID()
        user.totpLastStep = 0
        user.isService = false
        user.active = true
        user.enrolmentCodeHash = SessionStore.hash(String(code))
        user.enrolmentExpiresAt = Date().addingTimeInterval(Self.codeLifetime)
        try await db.writeTransaction { db in
            try await user.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "staff.invite", recordType: "staffUser", recordID: user.id?.uuidString)
        }
        return (user, String(code))
    }

    func pending(code: String) async throws -> StaffUser? {
        let trimmed = code.trimmingCharacters(in: .whitespaces).uppercased()
        guard !trimmed.isEmpty, trimmed.count <= 64 else { return nil }
        guard let user = try await StaffUser.query(on: db).filter(\.$enrolmentCodeHash == SessionStore.hash(trimmed)).first(),
              let expires = user.enrolmentExpiresAt, expires > Date(), user.active,
              // A device's code enrols the device (`DeviceEnrolment`), never a person with a password.
              !user.role.isDeviceRole else { return nil }
        return user
    }

    /// Step one: the password (new, or the current one after a second-factor reset) and a fresh
    /// TOTP secret with recovery codes. Nothing is usable until `confirm`.
    func start(user: StaffUser, password: String, actor: AuditActor) async throws -> Started {
        if let existing = user.passwordHash {
            guard try await hasher.verify(password, created: existing) else {
                throw ValidationProblems([.init(field: "password", code: "wrongPassword")])
            }
        } else if let problem = PasswordPolicy.problem(with: password, username: user.username) {
            throw ValidationProblems([.init(field: "password", code: problem)])
        }
        let newHash = user.passwordHash == nil ? try await hasher.hash(password) : nil
        let factor = SecondFactor.generate()
        let needsPassword = user.passwordHash == nil
        try await db.writeTransaction { db in
            if let newHash { user.passwordHash = newHash }
            user.totpSecretSealed = try factor.sealedSecret(keyring)
            user.totpLastStep = 0
            try await user.update(on: db)
            try await factor.storeRecoveryCodes(for: user.requireID(), on: db)
            try await AuditLog.append(on: db, actor: actor, action: "staff.enrolStart", recordType: "staffUser", recordID: user.id?.uuidString)
        }
        return Started(provisioningURI: factor.provisioningURI(username: user.username),
                       secret: Base32.encode(factor.secret), recoveryCodes: factor.recoveryCodes, needsPassword: needsPassword)
    }

    /// Step two: a current code proves the app is set up; the enrolment code is spent.
    func confirm(user: StaffUser, otp: String, actor: AuditActor) async throws -> Bool {
        guard let sealed = user.totpSecretSealed else { return false }
        let secret = try keyring.open(sealed, purpose: "totp")
        guard let step = TOTP.verify(otp, secret: secret, at: Date(), lastUsedStep: user.totpLastStep) else { return false }
        try await db.writeTransaction { db in
            user.totpLastStep = step
            user.enrolledAt = Date()
            user.enrolmentCodeHash = nil
            user.enrolmentExpiresAt = nil
            try await user.update(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "staff.enrolConfirm", recordType: "staffUser", recordID: user.id?.uuidString)
        }
        return true
    }
}
