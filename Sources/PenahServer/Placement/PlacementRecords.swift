import Fluent
import Foundation
import PenahDomain
import SQLKit

/// A shelter's registry entry beside its unit (name and capacity live on the unit): operator,
/// accreditation, whom it takes, where it is, and its live counts. `occupied + held ≤ capacity` is
/// kept by changing the counts only inside a transaction that holds the row (see `ShelterPlaces`).
final class ShelterProfile: Model, @unchecked Sendable {
    static let schema = "shelter_profiles"

    @ID(key: .id) var id: UUID?
    @Field(key: "unit_id") var unitID: UUID
    @Field(key: "operator") var shelterOperator: ShelterOperator
    @OptionalField(key: "accredited_from") var accreditedFrom: String?
    @OptionalField(key: "accredited_to") var accreditedTo: String?
    /// `ShelterIntake` as JSON: whom it takes and its district.
    @Field(key: "intake") var intake: String
    /// The address: shown only to SXA and to the shelter's own staff.
    @Field(key: "location") var location: String
    @Field(key: "occupied") var occupied: Int
    @Field(key: "held") var held: Int

    init() {}

    func intakeRules() throws -> ShelterIntake { try StoredJSON.decode(ShelterIntake.self, from: intake, column: "intake") }

    /// Empty counts and default intake rules; an SXA-run shelter when its code says so.
    static func makeDefault(for unit: Unit) throws -> ShelterProfile {
        let fresh = ShelterProfile()
        fresh.unitID = try unit.requireID()
        fresh.shelterOperator = unit.code.uppercased().contains("SXA") ? .sxa : .ngo
        fresh.intake = String(decoding: try JSONEncoder().encode(ShelterIntake()), as: UTF8.self)
        fresh.location = ""
        fresh.occupied = 0
        fresh.held = 0
        return fresh
    }
}

/// The pseudonymous profile sent to SXA. Nothing here names her: the case is reached only through
/// `caseID`, which SXA-side code never follows into identity.
final class PlacementRequest: Model, @unchecked Sendable {
    static let schema = "placement_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "unit_id") var unitID: UUID
    @Field(key: "pseudonym") var pseudonym: String
    @Field(key: "sex") var sex: Sex
    @Field(key: "age_band") var ageBand: String
    /// `[ChildProfile]` as JSON.
    @Field(key: "children") var children: String
    @Field(key: "needs") var needs: String
    @Field(key: "risk_level") var riskLevel: RiskLevel
    @OptionalField(key: "language") var language: String?
    @Field(key: "interpreter_needed") var interpreterNeeded: Bool
    @Field(key: "accessibility") var accessibility: String
    @Field(key: "urgency") var urgency: NoticeUrgency
    @OptionalField(key: "earliest_admission") var earliestAdmission: Date?
    /// Districts to avoid, comma-separated (where the perpetrator lives, for example).
    @Field(key: "avoid_regions") var avoidRegions: String
    @Field(key: "status") var status: PlacementStatus
    @Field(key: "emergency_override") var emergencyOverride: Bool
    @Field(key: "submitted_by") var submittedBy: UUID
    @Field(key: "submitted_at") var submittedAt: Date
    @Field(key: "due_at") var dueAt: Date
    @Field(key: "due_ms") var dueMs: Int64
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "shelter_id") var shelterID: UUID?
    @Field(key: "places") var places: Int
    @OptionalField(key: "hold_expires_at") var holdExpiresAt: Date?
    /// Sealed one-time admission code, shown on the DOST side only.
    @OptionalField(key: "admission_code") var admissionCode: String?
    /// Keyed hash of the code, for the look-up at the shelter door.
    @OptionalField(key: "admission_index") var admissionIndex: String?
    @OptionalField(key: "refusal") var refusal: String?

    init() {}

    func childProfiles() throws -> [ChildProfile] { try StoredJSON.decode([ChildProfile].self, from: children, column: "children") }
}

/// A question from SXA and DOST's answer, without identity (the text is sealed at rest).
final class PlacementMessage: Model, @unchecked Sendable {
    static let schema = "placement_messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "request_id") var requestID: UUID
    /// `sxa` or `dost`.
    @Field(key: "side") var side: String
    @Field(key: "text") var text: String
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "at") var at: Date

    init() {}
}

/// A supervisor's recorded decision to send a request without the act confirming the violence.
final class PlacementOverride: Model, @unchecked Sendable {
    static let schema = "placement_overrides"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "supervisor_id") var supervisorID: UUID
    @Field(key: "reason") var reason: String
    @Field(key: "at") var at: Date

    init() {}
}

/// A stay in a shelter, known there by the pseudonym only.
final class ShelterStay: Model, @unchecked Sendable {
    static let schema = "shelter_stays"

    @ID(key: .id) var id: UUID?
    @Field(key: "request_id") var requestID: UUID
    @Field(key: "shelter_id") var shelterID: UUID
    @Field(key: "pseudonym") var pseudonym: String
    @Field(key: "places") var places: Int
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "planned_end") var plannedEnd: Date
    @OptionalField(key: "discharged_at") var dischargedAt: Date?
    @OptionalField(key: "discharge_reason") var dischargeReason: String?
    /// Services given during the stay, comma-separated codes.
    @Field(key: "services") var services: String

    init() {}
}
