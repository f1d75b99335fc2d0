import Fluent
import Foundation
import PenahDomain
import Vapor

/// The DOST side of step 5: the placement request built from the case as a pseudonymous profile,
/// the supervisor's emergency override for a missing act, and answers to SXA's questions.
struct PlacementService {
    let db: any Database
    let vault: IdentityVault
    let settings: Settings

    struct Input: Codable, Sendable {
        var urgency: NoticeUrgency
        var children: [ChildProfile]?
        var language: String?
        var interpreterNeeded: Bool?
        var accessibilityNeeds: [Accessibility]?
        var earliestAdmission: String?
        var avoidRegions: [String]?

        func problems() -> [FieldProblem] {
            var found: [FieldProblem] = []
            if (children ?? []).count > 12 { found.append(.init(field: "children", code: "tooMany")) }
            for (i, child) in (children ?? []).enumerated() where !(0...17).contains(child.age) {
                found.append(.init(field: "children.\(i).age", code: "outOfRange"))
            }
            if let language, language.count > 8 || language.isEmpty { found.append(.init(field: "language", code: "invalidValue")) }
            if (avoidRegions ?? []).count > 10 || (avoidRegions ?? []).contains(where: { $0.count > 60 }) {
                found.append(.init(field: "avoidRegions", code: "invalidValue"))
            }
            if let earliestAdmission, RFC3339.parse(earliestAdmission) == nil { found.append(.init(field: "earliestAdmission", code: "invalidValue")) }
            return found
        }
    }

    func submit(_ input: Input, caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> PlacementRequest {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .requestPlacement, on: db)
        let problems = input.problems()
        guard problems.isEmpty else { throw ValidationProblems(problems) }
        let id = try record.requireID()
        // The same rule the case page offers the form by (CaseSteps), checked again under the lock below.
        let facts = try await CaseFacts.load(record, on: db)
        guard CaseSteps.mayRequestPlacement(facts), let decision = try await CaseDecision.query(on: db).filter(\.$caseID == id).first()
        else { throw Abort(.conflict) }
        let hasAct = CaseSteps.hasConfirmingAct(facts)
        let sections = try await CaseAssessment.query(on: db).filter(\.$caseID == id).all()
        let needs = try Need.allCases.filter { need in try sections.contains { try Need.list($0.needs).contains(need) } }

        let request = PlacementRequest()
        request.id = UUID()
        request.caseID = id
        request.unitID = record.$unit.id
        request.pseudonym = record.pseudonym
        request.sex = record.sex
        request.ageBand = AgeBand.of(birthYear: record.birthYear, in: Calendar(identifier: .gregorian).component(.year, from: now)).rawValue
        request.children = String(decoding: try JSONEncoder().encode(input.children ?? []), as: UTF8.self)
        request.needs = Need.store(needs)
        request.riskLevel = decision.riskLevel
        request.language = input.language ?? record.preferredLanguage
        request.interpreterNeeded = input.interpreterNeeded ?? record.interpreterNeeded
        request.accessibility = Accessibility.store(input.accessibilityNeeds ?? [])
        request.urgency = NoticeUrgency.effective(asked: input.urgency, risk: decision.riskLevel)
        request.earliestAdmission = input.earliestAdmission.flatMap(RFC3339.parse)
        request.avoidRegions = (input.avoidRegions ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ",", with: " ") }
            .filter { !$0.isEmpty }.joined(separator: ",")
        request.status = .submitted
        request.emergencyOverride = !hasAct
        request.submittedBy = staff.userID
        request.submittedAt = now
        request.dueAt = now.addingTimeInterval(Double(settings.standards.backOfficeMinutes) * 60)
        request.dueMs = request.dueAt.milliseconds
        request.places = 1 + (input.children ?? []).count
        try await db.writeTransaction { db in
            // One open request per case at a time: the case row's lock makes a second node wait
            // for this check, and the partial unique index is the backstop.
            try await RowLock.hold(CaseRecord.schema, id: id, on: db)
            guard CaseSteps.mayRequestPlacement(try await CaseFacts.load(record, on: db)) else { throw Abort(.conflict) }
            try await request.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "placement.submit", recordType: "case", recordID: id.uuidString)
            if request.urgency == .urgent { try await WorkNotifications.urgentRequest(request, on: db) }
        }
        return request
    }

    /// The supervisor records why she must be placed before the act is on file.
    func override(reason: String, caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .overridePlacementAct, on: db)
        guard CaseSteps.mayOverrideAct(try await CaseFacts.load(record, on: db)) else { throw Abort(.conflict) }
        let text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ValidationProblems([.init(field: "reason", code: "required")]) }
        guard text.count <= 2_000 else { throw ValidationProblems([.init(field: "reason", code: "tooLong")]) }
        let row = PlacementOverride()
        row.caseID = try record.requireID()
        row.supervisorID = staff.userID
        row.reason = try await vault.seal(text, field: "placement.override")
        row.at = now
        try await db.writeTransaction { db in
            try await row.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "placement.override", recordType: "case", recordID: row.caseID.uuidString)
        }
    }

    /// DOST answers SXA's question; the request goes back to SXA.
    func answer(_ text: String, requestID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws {
        guard let requestID, let request = try await PlacementRequest.find(requestID, on: db) else { throw Abort(.notFound) }
        _ = try await CaseScope.find(request.caseID, for: staff, .requestPlacement, on: db)
        try await PlacementThread(db: db, vault: vault).post(text, side: "dost", to: request, from: staff, actor: actor, now: now,
                                                             expecting: .question, next: .submitted)
    }
}
