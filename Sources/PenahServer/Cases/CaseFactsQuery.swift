import Fluent
import PenahDomain

extension CaseFacts {
    /// The facts `CaseSteps` decides on, read from the case's rows. The case page and the services
    /// (placement, notices, override) read them the same way, so they cannot disagree.
    static func load(_ record: CaseRecord, on db: any Database) async throws -> CaseFacts {
        let id = try record.requireID()
        let decision = try await CaseDecision.query(on: db).filter(\.$caseID == id).first()
        let kinds = try await CaseDocument.query(on: db).filter(\.$caseID == id).all().map(\.kind)
        let overridden = try await PlacementOverride.query(on: db).filter(\.$caseID == id).count() > 0
        let requests = try await PlacementRequest.query(on: db).filter(\.$caseID == id).sort(\.$submittedAt).all()
        let sections = Set(try await CaseAssessment.query(on: db).filter(\.$caseID == id).all().map(\.section))
        let notices = try await NoticeRecord.query(on: db).filter(\.$caseID == id).all().map(\.status)
        return CaseFacts(status: record.status, eligible: record.eligible, decisionInEffect: decision?.isSigned == true,
                         needsRehabilitation: decision?.needsRehabilitation == true, consentReferral: record.consentReferral,
                         documentKinds: kinds, actOverridden: overridden, placementOpen: requests.contains { $0.status.isOpen },
                         legalSectionWritten: sections.contains(.legal), psychologicalSectionWritten: sections.contains(.psychological),
                         policeInformed: notices.contains { $0 == .sent || $0 == .acknowledged },
                         policeNoticeUndelivered: notices.contains { $0 == .queued || $0 == .failed }, placementStatus: requests.last?.status)
    }
}
