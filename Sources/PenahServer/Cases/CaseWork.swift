import Fluent
import Foundation
import PenahDomain
import SQLKit

/// A document on a case (card field 21). The file itself is sealed on disk under the data
/// directory; this row holds what the type check found and the digest of the plaintext.
final class CaseDocument: Model, @unchecked Sendable {
    static let schema = "case_documents"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "kind") var kind: DocumentKind
    @Field(key: "content_type") var contentType: String
    @Field(key: "sha256") var sha256: String
    @Field(key: "size") var size: Int
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "uploaded_at") var uploadedAt: Date
    init() {}
}

/// One section of the joint interview. Structured facts in the clear (they drive the risk screen and
/// the police notice); the professional's notes sealed.
final class CaseAssessment: Model, @unchecked Sendable {
    static let schema = "case_assessments"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "section") var section: AssessmentSection
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "violence_forms") var violenceForms: String
    @OptionalField(key: "relationship") var relationship: String?
    @Field(key: "risk_factors") var riskFactors: String
    @Field(key: "needs") var needs: String
    /// JSON of the incident and perpetrator facts (`AssessmentFacts`).
    @Field(key: "facts") var facts: String
    @OptionalField(key: "notes") var notes: String?
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

/// The joint decision: drafted by either professional, in effect once both have signed. Editing the
/// draft clears both signatures, so nobody signs something they did not read.
final class CaseDecision: Model, @unchecked Sendable {
    static let schema = "case_decisions"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "needs_rehabilitation") var needsRehabilitation: Bool
    @Field(key: "services") var services: String
    @Field(key: "risk_level") var riskLevel: RiskLevel
    @Field(key: "screened_level") var screenedLevel: RiskLevel
    @OptionalField(key: "risk_reason") var riskReason: String?
    @OptionalField(key: "safe_contact") var safeContact: String?
    @Field(key: "drafted_by") var draftedBy: UUID
    @Field(key: "drafted_at") var draftedAt: Date
    @OptionalField(key: "lawyer_signed_by") var lawyerSignedBy: UUID?
    @OptionalField(key: "lawyer_signed_at") var lawyerSignedAt: Date?
    @OptionalField(key: "psychologist_signed_by") var psychologistSignedBy: UUID?
    @OptionalField(key: "psychologist_signed_at") var psychologistSignedAt: Date?
    init() {}
    var isSigned: Bool { lawyerSignedAt != nil && psychologistSignedAt != nil }
}
