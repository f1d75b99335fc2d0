import Fluent
import Foundation
import PenahDomain
import SQLKit
import Vapor

/// Checks a username, password and second factor. Every outcome takes one bcrypt verification
/// (unknown users are checked against a dummy hash) and is audited; the caller only learns
/// "signed in", "denied" or "wait".
struct SignIn {
    let db: any Database
    let keyring: MasterKeyring
    let hasher: any PasswordHashing

    enum Outcome: Sendable {
        case success(StaffUser)
        case denied
        case throttled(retryAfter: Int)
    }

    func attempt(username raw: String, password: String, otp: String, request: RequestFacts) async throws -> Outcome {
        let username = StaffService.normalisedUsername(String(raw.prefix(128)))
        // Counted before bcrypt (see `LoginThrottle.admit`): attempts sent at once cannot all slip through.
        if let wait = try await LoginThrottle(db: db).admit(username: username, address: request.address) {
            try await AuditLog.record(on: db, actor: Self.actor(nil, request), action: "auth.signIn", recordType: "staffUser",
                                      recordID: nil, outcome: "throttled")
            return .throttled(retryAfter: wait)
        }
        let user = try await StaffUser.query(on: db).filter(\.$username == username).with(\.$unit).first()
        let candidate = user.flatMap { $0.active && !$0.isService && $0.enrolledAt != nil ? $0 : nil }
        // bcrypt before the transaction: it takes a quarter of a second and holds no lock.
        let passwordOK = try await hasher.verify(String(password.prefix(PasswordPolicy.maximumLength * 4)),
                                                 created: candidate?.passwordHash ?? hasher.dummyHash)
        // The code's consumption, the throttle's count and the audit event commit together.
        return try await db.writeTransaction { db in
            let signIn = on(db)
            let throttle = LoginThrottle(db: db)
            if passwordOK, let candidate, try await signIn.secondFactor(otp, for: candidate) {
                try await throttle.recordSuccess(username: username, address: request.address)
                try await signIn.audit(candidate, outcome: "ok", request)
                return .success(candidate)
            }
            try await signIn.audit(user, outcome: "denied", request)
            return .denied
        }
    }

    private func on(_ db: any Database) -> SignIn { SignIn(db: db, keyring: keyring, hasher: hasher) }

    /// A current TOTP code not used before, or an unused recovery code. Either is consumed with a
    /// conditional update, so two simultaneous sign-ins cannot both use it.
    private func secondFactor(_ otp: String, for user: StaffUser) async throws -> Bool {
        let code = otp.trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, code.count <= 32, let sealed = user.totpSecretSealed else { return false }
        let id = try user.requireID()
        let staff = StaffRepository(db: db)
        // Not `try?`: a secret under a master key this node lacks is a configuration fault for the
        // operator (a 503 that says so in the log), not a wrong code for the user.
        let secret = try keyring.open(sealed, purpose: "totp")
        if let step = TOTP.verify(code, secret: secret, at: Date(), lastUsedStep: user.totpLastStep) {
            return try await staff.consumeTOTPStep(step, userID: id)
        }
        return try await staff.consumeRecoveryCode(hash: SessionStore.hash(code.lowercased()), userID: id, at: Date())
    }

    private func audit(_ user: StaffUser?, outcome: String, _ request: RequestFacts) async throws {
        try await AuditLog.append(on: db, actor: Self.actor(user, request), action: "auth.signIn", recordType: "staffUser",
                                  recordID: user?.id?.uuidString, outcome: outcome)
    }

    private static func actor(_ user: StaffUser?, _ request: RequestFacts) -> AuditActor {
        AuditActor(userID: user?.id, role: user?.role.rawValue ?? "anonymous",
                   unitCode: user?.$unit.value?.code ?? "-", requestID: request.requestID, address: request.address)
    }
}

/// What a service needs to know about the request, without depending on Vapor's `Request`.
struct RequestFacts: Sendable {
    let requestID: String
    let address: String
}

extension Request {
    var facts: RequestFacts {
        RequestFacts(requestID: safeID, address: remoteAddress?.ipAddress ?? "unknown")
    }
}
