import Fluent
import Foundation
import PenahDomain
import Vapor

/// The case as the caller's role may see it (`GET /api/v1/cases/{id}` and the case page). Opening
/// it reads personal data, so every view is audited, in the same transaction as the read.
struct CaseDetail: Content {
    struct Applicant: Content { let kind: ApplicantKind; let name: String?; let organisation: String?; let relationship: String?; let authorityDocument: String? }
    struct Victim: Content {
        let firstName: String; let lastName: String; let patronymic: String?; let birthDate: String; let sex: Sex
        let residence: Residence; let fin: String?; let documentType: IdentityDocumentType; let documentNumber: String; let phone: String?
        let address: String?; let preferredLanguage: String?; let interpreterNeeded: Bool; let minor: Bool
    }
    struct Consent: Content { let services: Bool; let referral: Bool; let capturedAs: ConsentCapture; let witnessedBy: String? }
    struct Document: Content { let id: UUID; let kind: DocumentKind; let contentType: String; let sha256: String; let size: Int; let uploadedAt: Date }
    struct Section: Content {
        let section: AssessmentSection; let violenceForms: [ViolenceForm]; let relationship: String?; let riskFactors: [RiskFactor]
        let needs: [Need]; let facts: AssessmentFacts; let notes: String?; let updatedAt: Date
    }
    struct Decision: Content {
        let needsRehabilitation: Bool; let services: [Service]; let riskLevel: RiskLevel; let screenedRiskLevel: RiskLevel
        let riskReason: String?; let safeContact: SafeContact?; let lawyerSignedAt: Date?; let psychologistSignedAt: Date?; let inEffect: Bool
    }
    struct Refusal: Content { let ground: String; let explanation: String; let answeredVia: AnswerChannel; let language: Language; let refusedAt: Date? }

    let id: UUID
    let number: String
    let pseudonym: String
    let status: CaseStatus
    let unitCode: String
    let channel: PenahDomain.Channel
    let ticketId: UUID?
    let eligible: Bool
    let registeredAt: Date
    let applicant: Applicant
    let victim: Victim
    let consent: Consent
    let documents: [Document]
    /// No act confirming the violence is on file yet: it does not stop the interview.
    let actOutstanding: Bool
    /// Present only for roles that see the interview.
    let assessments: [Section]?
    let screenedRiskLevel: RiskLevel?
    let decision: Decision?
    let refusal: Refusal?
    let clocks: [CaseClocks.View]
    let duplicates: [CaseRegistration.Duplicate]
    /// The latest placement request (step 5), if any.
    let placement: PlacementOnCase?
}

extension CaseDetail {
    static func load(caseID: UUID?, staff: StaffContext, actor: AuditActor, on db: any Database, vault: IdentityVault,
                     standards: TimeStandards, now: Date = Date()) async throws -> CaseDetail {
        let (record, scope) = try await CaseScope.find(caseID, for: staff, .readCase, on: db)
        let id = try record.requireID()
        let identity = try await CaseIdentity.open(record, vault: vault)
        let unit = try await Unit.find(record.$unit.id, on: db)
        let documents = try await CaseDocument.query(on: db).filter(\.$caseID == id).sort(\.$uploadedAt).all()
        let sections = try await CaseAssessment.query(on: db).filter(\.$caseID == id).sort(\.$section).all()
        let decisionRow = try await CaseDecision.query(on: db).filter(\.$caseID == id).first()
        let index = try await CaseIdentity.indexEntries(of: identity, vault: vault, only: [.fin, .phone])
        let duplicates = try await CaseIdentity.duplicates(of: index, excluding: id, scope: scope, on: db)
        let seesInterview = CaseRules.seesInterview(staff.role)
        let placementRequest = try await PlacementOnCase.latest(caseID: id, on: db)
        let placement = try await placementRequest.asyncMap { try await PlacementOnCase.load($0, staff: staff, vault: vault, on: db) }

        var assessments: [Section]?
        if seesInterview {
            assessments = []
            for row in sections {
                let notes = try await row.notes.asyncMap { try await vault.openText($0, field: "case.notes") }
                let facts = try StoredJSON.decode(AssessmentFacts.self, from: row.facts, column: "facts")
                assessments?.append(Section(section: row.section, violenceForms: try ViolenceForm.list(row.violenceForms),
                                            relationship: row.relationship, riskFactors: try RiskFactor.list(row.riskFactors),
                                            needs: try Need.list(row.needs), facts: facts, notes: notes, updatedAt: row.updatedAt))
            }
        }
        var decision: Decision?
        if let row = decisionRow {
            let contact = try await row.safeContact.asyncMap { try JSONDecoder().decode(SafeContact.self, from: try await vault.open($0, field: "case.safeContact")) }
            let reason = seesInterview ? try await row.riskReason.asyncMap { try await vault.openText($0, field: "case.riskReason") } : nil
            decision = Decision(needsRehabilitation: row.needsRehabilitation, services: try Service.list(row.services),
                                riskLevel: row.riskLevel, screenedRiskLevel: row.screenedLevel, riskReason: reason, safeContact: contact,
                                lawyerSignedAt: row.lawyerSignedAt, psychologistSignedAt: row.psychologistSignedAt, inEffect: row.isSigned)
        }
        var refusal: Refusal?
        if let sealed = record.refusal {
            refusal = Refusal(ground: CaseRefusal.ground, explanation: try await vault.openText(sealed, field: "case.refusal"),
                              answeredVia: record.refusalAnsweredVia ?? .inPerson,
                              language: record.refusalLanguage ?? .az, refusedAt: record.concludedAt)
        }
        try await AuditLog.record(on: db, actor: actor, action: "case.read", recordType: "case", recordID: id.uuidString)
        return CaseDetail(
            id: id, number: record.number, pseudonym: record.pseudonym, status: record.status, unitCode: unit?.code ?? "",
            channel: record.channel, ticketId: record.ticketID, eligible: record.eligible, registeredAt: record.registeredAt,
            applicant: Applicant(kind: record.applicantKind, name: identity.applicantName, organisation: identity.applicantOrganisation,
                                 relationship: identity.applicantRelationship, authorityDocument: identity.authorityDocument),
            victim: Victim(firstName: identity.firstName, lastName: identity.lastName, patronymic: identity.patronymic,
                           birthDate: identity.birthDate, sex: record.sex, residence: record.residence, fin: identity.fin,
                           documentType: identity.documentType, documentNumber: identity.documentNumber, phone: identity.phone,
                           address: identity.address, preferredLanguage: record.preferredLanguage, interpreterNeeded: record.interpreterNeeded,
                           minor: record.minor),
            consent: Consent(services: record.consentServices, referral: record.consentReferral, capturedAs: record.consentCapturedAs,
                             witnessedBy: identity.consentWitness),
            documents: documents.map { Document(id: $0.id!, kind: $0.kind, contentType: $0.contentType, sha256: $0.sha256, size: $0.size, uploadedAt: $0.uploadedAt) },
            actOutstanding: !CaseSteps.hasConfirmingAct(documents.map(\.kind)),
            assessments: assessments, screenedRiskLevel: seesInterview && !sections.isEmpty ? try CaseInterview.screenedLevel(sections) : nil,
            decision: decision, refusal: refusal, clocks: CaseClocks.views(record, standards: standards, placement: placementRequest, now: now),
            duplicates: duplicates, placement: placement)
    }
}
