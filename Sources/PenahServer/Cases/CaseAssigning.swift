import Fluent
import Foundation
import PenahDomain
import Vapor

/// A supervisor makes a lawyer or psychologist of the case's unit responsible for it (the rule is
/// `CaseAssignment`). The change, its audit event and the assignee's notification are one write.
struct CaseAssigning {
    let db: any Database

    struct Assigned: Content { let caseId: UUID; let userId: UUID }

    /// Assigning the worker already responsible changes nothing and tells nobody again.
    func assign(caseID: UUID?, to userID: UUID?, staff: StaffContext, actor: AuditActor) async throws -> Assigned {
        try await db.writeTransaction { db in
            let (record, _) = try await CaseScope.find(caseID, for: staff, .assignCase, on: db)
            let caseID = try record.requireID()
            let user = try await userID.asyncMap { try await StaffUser.find($0, on: db) } ?? nil
            let problem = user.map {
                CaseAssignment.problem(caseStatus: record.status, assigneeRole: $0.role, assigneeActive: $0.active && !$0.isService,
                                       assigneeInCaseUnit: $0.$unit.id == record.$unit.id)
            } ?? .notAssignable
            switch problem {
            case .caseRefused?: throw Abort(.conflict)
            case .notAssignable?: throw ValidationProblems([.init(field: "userId", code: "notAssignable")])
            case nil: break
            }
            let assignee = try user!.requireID()
            if record.responsibleID != assignee {
                record.responsibleID = assignee
                try await record.update(on: db)
                try await AuditLog.append(on: db, actor: actor, action: "case.assign", recordType: "case", recordID: caseID.uuidString)
                try await Notifications.send(.caseAssigned, label: record.number, link: SitePath.case(caseID), to: [assignee], on: db)
            }
            return Assigned(caseId: caseID, userId: assignee)
        }
    }

    /// The lawyers and psychologists a case of this unit may be assigned to, by name in Azerbaijani order.
    static func candidates(unitID: UUID, on db: any Database) async throws -> [StaffUser] {
        try await StaffUser.query(on: db).filter(\.$unit.$id == unitID).filter(\.$active == true).filter(\.$isService == false)
            .filter(\.$role ~~ Array(CaseAssignment.assignableRoles)).all()
            .sorted { AzText.precedes($0.displayName, $1.displayName) }
    }
}
