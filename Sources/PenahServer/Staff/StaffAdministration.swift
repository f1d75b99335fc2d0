import Fluent
import Foundation
import PenahDomain
import Vapor

/// What an admin may do to an account: disable or enable it, reset its second factor, end its
/// sessions. Never set a password. Each change ends the person's sessions where privilege changes,
/// and is audited in the same transaction.
struct StaffAdministration {
    let db: any Database

    func setActive(_ userID: UUID, _ active: Bool, actor: AuditActor) async throws {
        try await db.writeTransaction { db in
            guard let user = try await StaffUser.find(userID, on: db), !user.isService || !active || user.active else {
                throw Abort(.notFound)
            }
            user.active = active
            try await user.update(on: db)
            if !active { try await SessionStore(db: db).endAll(userID: userID) }
            try await AuditLog.append(on: db, actor: actor, action: active ? "staff.enable" : "staff.disable",
                                      recordType: "staffUser", recordID: userID.uuidString)
        }
    }

    /// Clears the TOTP secret and recovery codes and issues a new enrolment code; the password stays.
    func resetSecondFactor(_ userID: UUID, actor: AuditActor) async throws -> String {
        let code = String(SessionStore.randomToken().prefix(20).uppercased())
        try await db.writeTransaction { db in
            guard let user = try await StaffUser.find(userID, on: db), !user.isService else { throw Abort(.notFound) }
            user.totpSecretSealed = nil
            user.enrolledAt = nil
            user.enrolmentCodeHash = SessionStore.hash(code)
            user.enrolmentExpiresAt = Date().addingTimeInterval(Enrolment.codeLifetime)
            try await user.update(on: db)
            try await RecoveryCode.query(on: db).filter(\.$user.$id == userID).delete()
            try await SessionStore(db: db).endAll(userID: userID)
            try await AuditLog.append(on: db, actor: actor, action: "staff.resetSecondFactor",
                                      recordType: "staffUser", recordID: userID.uuidString)
        }
        return code
    }

    /// Changes name, role or unit. A change of role or unit is a change of privilege: the person's
    /// sessions end, so the next sign-in gets a new session id under the new rights.
    func update(_ userID: UUID, displayName: String, role: Role, unitCode: String, actor: AuditActor) async throws {
        let name = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [FieldProblem] = []
        if name.isEmpty || name.count > 200 { problems.append(.init(field: "displayName", code: "required")) }
        let unit = try await UnitService(db: db).find(code: unitCode)
        if let unit { if !role.fits(unit.kind) { problems.append(.init(field: "unit", code: "roleDoesNotFitUnit")) } }
        else { problems.append(.init(field: "unit", code: "unknownUnit")) }
        if role.isServiceRole { problems.append(.init(field: "role", code: "invalidValue")) }
        guard problems.isEmpty, let unit else { throw ValidationProblems(problems) }
        try await db.writeTransaction { db in
            guard let user = try await StaffUser.find(userID, on: db), !user.isService else { throw Abort(.notFound) }
            let privilegeChanged = user.role != role || user.$unit.id != unit.id
            user.displayName = name
            user.role = role
            user.$unit.id = try unit.requireID()
            try await user.update(on: db)
            if privilegeChanged { try await SessionStore(db: db).endAll(userID: userID) }
            try await AuditLog.append(on: db, actor: actor, action: privilegeChanged ? "staff.changeRole" : "staff.rename",
                                      recordType: "staffUser", recordID: userID.uuidString)
        }
    }

    func endSessions(_ userID: UUID, actor: AuditActor) async throws {
        try await db.writeTransaction { db in
            guard try await StaffUser.find(userID, on: db) != nil else { throw Abort(.notFound) }
            try await SessionStore(db: db).endAll(userID: userID)
            try await AuditLog.append(on: db, actor: actor, action: "staff.endSessions",
                                      recordType: "staffUser", recordID: userID.uuidString)
        }
    }

    struct Row: Encodable {
        let id: UUID
        let username: String
        let displayName: String
        let roleKey: String
        let unitName: String
        let active: Bool
        let enrolled: Bool
        let isService: Bool
        let liveSessions: Int
    }

    /// Every account, with its unit and how many sessions are live.
    func list() async throws -> [Row] {
        let users = try await StaffUser.query(on: db).with(\.$unit).sort(\.$username).all()
        let live = try await AuthSession.query(on: db).filter(\.$endedAt == nil).filter(\.$expiresAt > Date()).all()
        let counts = Dictionary(grouping: live, by: { $0.$user.id }).mapValues(\.count)
        return try users.map { user in
            Row(id: try user.requireID(), username: user.username, displayName: user.displayName,
                roleKey: "role.\(user.role.rawValue)", unitName: user.unit.name, active: user.active,
                enrolled: user.enrolledAt != nil || user.isService, isService: user.isService,
                liveSessions: counts[try user.requireID()] ?? 0)
        }
    }
}
