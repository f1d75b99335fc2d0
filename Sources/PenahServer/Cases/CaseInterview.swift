import Fluent
import Foundation
import PenahDomain
import Vapor

/// The joint interview and its decision: each professional writes their own section, either drafts
/// the decision, both sign. Every change is audited in its transaction; what the state does not
/// allow is 409 with nothing written.
struct CaseInterview {
    let db: any Database
    let vault: IdentityVault

    func saveSection(_ input: AssessmentInput, caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> CaseAssessment {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .writeAssessment, on: db)
        guard CaseRules.section(for: staff.role) == input.section else {
            throw ValidationProblems([.init(field: "section", code: "sectionNotYours")])
        }
        let problems = input.problems(now: now)
        guard problems.isEmpty else { throw ValidationProblems(problems) }
        let notes = try await input.notes.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty }
            .asyncMap { try await vault.seal($0, field: "case.notes") }
        let facts = String(decoding: try JSONEncoder().encode(AssessmentFacts(input)), as: UTF8.self)
        return try await db.writeTransaction { db in
            // Re-read inside the transaction: a signature may have landed since.
            let draft = try await CaseDecision.query(on: db).filter(\.$caseID == record.id!).first()
            guard let current = try await CaseRecord.find(record.id, on: db),
                  CaseRules.canAssess(status: current.status, eligible: current.eligible), draft?.isSigned != true
            else { throw Abort(.conflict) }
            if let draft, draft.lawyerSignedAt != nil || draft.psychologistSignedAt != nil {
                // A signature given before this edit was given to what the sections said then:
                // both sign again what they say now (and `sign` checks the draft against it).
                draft.lawyerSignedBy = nil; draft.lawyerSignedAt = nil
                draft.psychologistSignedBy = nil; draft.psychologistSignedAt = nil
                try await draft.save(on: db)
            }
            let section = try await CaseAssessment.query(on: db).filter(\.$caseID == record.id!)
                .filter(\.$section == input.section).first() ?? CaseAssessment()
            section.caseID = record.id!
            section.section = input.section
            section.authorID = staff.userID
            section.violenceForms = ViolenceForm.store(input.violenceForms)
            section.relationship = input.relationship?.rawValue
            section.riskFactors = RiskFactor.store(Array(input.presentFactors))
            section.needs = Need.store(input.needs)
            section.facts = facts
            section.notes = notes
            section.updatedAt = now
            try await section.save(on: db)
            current.status = .assessing
            if input.section == .legal { current.lawyerID = staff.userID } else { current.psychologistID = staff.userID }
            try await current.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "case.assessment.\(input.section.rawValue)", recordType: "case", recordID: record.id?.uuidString)
            return section
        }
    }

    /// The screen's level from both sections: a factor counts when either professional saw it.
    static func screenedLevel(_ sections: [CaseAssessment]) throws -> RiskLevel {
        RiskScreen.level(Set(try sections.flatMap { try RiskFactor.list($0.riskFactors) }))
    }

    func draftDecision(_ input: DecisionInput, caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> CaseDecision {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .decideCase, on: db)
        let sections = try await CaseAssessment.query(on: db).filter(\.$caseID == record.id!).all()
        let present = Set(sections.map(\.section))
        guard CaseRules.canDraftDecision(status: record.status, eligible: record.eligible, sections: present) else { throw Abort(.conflict) }
        let screened = try Self.screenedLevel(sections)
        var problems = RiskScreen.problems(chosen: input.riskLevel, screened: screened, reason: input.riskReason)
        problems += input.safeContact?.problems() ?? []
        if (input.riskReason ?? "").count > 2_000 { problems.append(.init(field: "riskReason", code: "tooLong")) }
        guard problems.isEmpty else { throw ValidationProblems(problems) }
        let reason = try await input.riskReason.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty }
            .asyncMap { try await vault.seal($0, field: "case.riskReason") }
        let contact = try await input.safeContact.asyncMap { try await vault.seal(try JSONEncoder().encode($0), field: "case.safeContact") }
        return try await db.writeTransaction { db in
            let existing = try await CaseDecision.query(on: db).filter(\.$caseID == record.id!).first()
            guard existing?.isSigned != true, let current = try await CaseRecord.find(record.id, on: db), current.status.isOpen else { throw Abort(.conflict) }
            let decision = existing ?? CaseDecision()
            decision.caseID = record.id!
            decision.needsRehabilitation = input.needsRehabilitation
            decision.services = Service.store(input.services)
            decision.riskLevel = input.riskLevel
            decision.screenedLevel = screened
            decision.riskReason = reason
            decision.safeContact = contact
            decision.draftedBy = staff.userID
            decision.draftedAt = now
            // A changed draft needs both signatures again.
            decision.lawyerSignedBy = nil; decision.lawyerSignedAt = nil
            decision.psychologistSignedBy = nil; decision.psychologistSignedAt = nil
            try await decision.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "case.decision.draft", recordType: "case", recordID: record.id?.uuidString)
            return decision
        }
    }

    /// The lawyer's or the psychologist's signature; with both, the decision is in effect and the
    /// front-office clock stops (and the total clock, when no placement is needed).
    func sign(caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> CaseDecision {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .decideCase, on: db)
        guard let section = CaseRules.section(for: staff.role) else { throw Abort(.notFound) }
        return try await db.writeTransaction { db in
            guard let decision = try await CaseDecision.query(on: db).filter(\.$caseID == record.id!).first(),
                  let current = try await CaseRecord.find(record.id, on: db), current.status.isOpen else { throw Abort(.conflict) }
            // The screen as the sections say it now, not as it was when the draft was written: a
            // factor added since (strangulation, say) must not leave a lower level in effect, for
            // the police notice and the placement take their urgency from it. Judgement only raises.
            let screened = try Self.screenedLevel(try await CaseAssessment.query(on: db).filter(\.$caseID == record.id!).all())
            guard decision.riskLevel >= screened else {
                throw ValidationProblems([.init(field: "riskLevel", code: "riskBelowScreen")])
            }
            switch section {
            case .legal:
                guard decision.lawyerSignedAt == nil else { throw Abort(.conflict) }
                decision.lawyerSignedBy = staff.userID; decision.lawyerSignedAt = now
            case .psychological:
                guard decision.psychologistSignedAt == nil else { throw Abort(.conflict) }
                decision.psychologistSignedBy = staff.userID; decision.psychologistSignedAt = now
            }
            try await decision.save(on: db)
            if decision.isSigned {
                current.status = .decided
                current.decidedAt = now
                if !decision.needsRehabilitation { current.concludedAt = now }
                try await current.save(on: db)
            }
            try await AuditLog.append(on: db, actor: actor, action: "case.decision.sign", recordType: "case", recordID: record.id?.uuidString)
            return decision
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
