import Fluent
import Foundation
import PenahDomain
import SQLKit

/// A case (*müraciət*). Everything identifying lives in `identity`, sealed by the identity vault;
/// the clear columns are what worklists, clocks, scope and the anonymous placement profile need.
final class CaseRecord: Model, @unchecked Sendable {
    static let schema = "cases"

    @ID(key: .id) var id: UUID?
    @Parent(key: "unit_id") var unit: Unit
    @Field(key: "number") var number: String
    @Field(key: "pseudonym") var pseudonym: String
    @Field(key: "status") var status: CaseStatus
    @Field(key: "channel") var channel: Channel
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "applicant_kind") var applicantKind: ApplicantKind
    @Field(key: "victim_sex") var sex: Sex
    @Field(key: "birth_year") var birthYear: Int
    @Field(key: "residence") var residence: Residence
    @Field(key: "eligible") var eligible: Bool
    @Field(key: "minor") var minor: Bool
    @Field(key: "interpreter_needed") var interpreterNeeded: Bool
    @OptionalField(key: "preferred_language") var preferredLanguage: String?
    /// Sealed `VictimIdentity` JSON.
    @Field(key: "identity") var identity: String
    @Field(key: "consent_services") var consentServices: Bool
    @Field(key: "consent_referral") var consentReferral: Bool
    @Field(key: "consent_captured_as") var consentCapturedAs: ConsentCapture
    @Field(key: "registered_by") var registeredBy: UUID
    @OptionalField(key: "lawyer_id") var lawyerID: UUID?
    @OptionalField(key: "psychologist_id") var psychologistID: UUID?
    /// The worker a supervisor made responsible for the case (see `CaseAssignment`).
    @OptionalField(key: "responsible_id") var responsibleID: UUID?
    /// When the ticket was called: the operator and front-office clocks start here (or at registration).
    @OptionalField(key: "called_at") var calledAt: Date?
    @Field(key: "registered_at") var registeredAt: Date
    /// The same instant in whole milliseconds: worklists sort and page on it, because an integer
    /// compares exactly on both databases where a stored timestamp may not round-trip.
    @Field(key: "registered_ms") var registeredMs: Int64
    /// Joint decision in effect (both signatures): stops the front-office clock.
    @OptionalField(key: "decided_at") var decidedAt: Date?
    /// Refusal given, or placement decided: stops the total clock.
    @OptionalField(key: "concluded_at") var concludedAt: Date?
    /// Sealed refusal explanation (free text written about her situation).
    @OptionalField(key: "refusal") var refusal: String?
    @OptionalField(key: "refusal_answered_via") var refusalAnsweredVia: AnswerChannel?
    @OptionalField(key: "refusal_language") var refusalLanguage: Language?

    init() {}
}

extension CaseRecord {
    /// Everyone working on the case: who registered it, its interviewers and its responsible worker.
    var workers: Set<UUID> { Set([registeredBy, lawyerID, psychologistID, responsibleID].compactMap { $0 }) }

    /// Who answers for the case: the worker a supervisor made responsible; until then its interviewing
    /// lawyer and psychologist; until they write, who registered it.
    var responsible: [UUID] { Self.responsible(assigned: responsibleID, lawyer: lawyerID, psychologist: psychologistID, registeredBy: registeredBy) }

    static func responsible(assigned: UUID?, lawyer: UUID?, psychologist: UUID?, registeredBy: UUID) -> [UUID] {
        if let assigned { return [assigned] }
        let interviewers = [lawyer, psychologist].compactMap { $0 }
        return interviewers.isEmpty ? [registeredBy] : interviewers
    }
}

/// Keyed blind indexes of a case's identity (FIN, phone, document number, name words).
final class CaseIndexEntry: Model, @unchecked Sendable {
    static let schema = "case_index"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "unit_id") var unitID: UUID
    @Field(key: "field") var field: String
    @Field(key: "hash") var hash: String
    init() {}
    init(caseID: UUID, unitID: UUID, field: String, hash: String) {
        self.id = UUID(); self.caseID = caseID; self.unitID = unitID; self.field = field; self.hash = hash
    }
}

/// The per-unit, per-year sequence behind case numbers.
final class CaseCounter: Model, @unchecked Sendable {
    static let schema = "case_counters"
    @ID(key: .id) var id: UUID?
    @Field(key: "unit_id") var unitID: UUID
    @Field(key: "year") var year: Int
    @Field(key: "last") var last: Int
    init() {}
}
