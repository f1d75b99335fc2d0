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
    @Field(key: "status") var statusCode: String
    @Field(key: "channel") var channelCode: String
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "applicant_kind") var applicantKindCode: String
    @Field(key: "victim_sex") var sexCode: String
    @Field(key: "birth_year") var birthYear: Int
    @Field(key: "residence") var residenceCode: String
    @Field(key: "eligible") var eligible: Bool
    @Field(key: "minor") var minor: Bool
    @Field(key: "interpreter_needed") var interpreterNeeded: Bool
    @OptionalField(key: "preferred_language") var preferredLanguage: String?
    /// Sealed `VictimIdentity` JSON.
    @Field(key: "identity") var identity: String
    @Field(key: "consent_services") var consentServices: Bool
    @Field(key: "consent_referral") var consentReferral: Bool
    @Field(key: "consent_captured_as") var consentCapturedAs: String
    @Field(key: "registered_by") var registeredBy: UUID
    @OptionalField(key: "lawyer_id") var lawyerID: UUID?
    @OptionalField(key: "psychologist_id") var psychologistID: UUID?
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
    @OptionalField(key: "refusal_answered_via") var refusalAnsweredVia: String?
    @OptionalField(key: "refusal_language") var refusalLanguage: String?

    init() {}

    var status: CaseStatus { CaseStatus(rawValue: statusCode) ?? .registered }
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

struct CreateCases: AsyncMigration {
    var name: String { "008_CreateCases" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseRecord.schema)
            .id()
            .field("unit_id", .uuid, .required, .references(Unit.schema, "id", onDelete: .restrict))
            .field("number", .string, .required)
            .field("pseudonym", .string, .required)
            .field("status", .string, .required)
            .field("channel", .string, .required)
            .field("ticket_id", .uuid, .references(Ticket.schema, "id", onDelete: .restrict))
            .field("applicant_kind", .string, .required)
            .field("victim_sex", .string, .required)
            .field("birth_year", .int, .required)
            .field("residence", .string, .required)
            .field("eligible", .bool, .required)
            .field("minor", .bool, .required)
            .field("interpreter_needed", .bool, .required)
            .field("preferred_language", .string)
            .field("identity", .string, .required)
            .field("consent_services", .bool, .required)
            .field("consent_referral", .bool, .required)
            .field("consent_captured_as", .string, .required)
            .field("registered_by", .uuid, .required, .references(StaffUser.schema, "id", onDelete: .restrict))
            .field("lawyer_id", .uuid, .references(StaffUser.schema, "id", onDelete: .restrict))
            .field("psychologist_id", .uuid, .references(StaffUser.schema, "id", onDelete: .restrict))
            .field("called_at", .datetime)
            .field("registered_at", .datetime, .required)
            .field("registered_ms", .int64, .required)
            .field("decided_at", .datetime)
            .field("concluded_at", .datetime)
            .field("refusal", .string)
            .field("refusal_answered_via", .string)
            .field("refusal_language", .string)
            .unique(on: "number")
            .unique(on: "pseudonym")
            .create()
        try await database.schema(CaseIndexEntry.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("unit_id", .uuid, .required)
            .field("field", .string, .required)
            .field("hash", .string, .required)
            .create()
        try await database.schema(CaseCounter.schema)
            .id()
            .field("unit_id", .uuid, .required, .references(Unit.schema, "id", onDelete: .restrict))
            .field("year", .int, .required)
            .field("last", .int, .required)
            .unique(on: "unit_id", "year")
            .create()
        try await CaseSchemaIndexes.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseCounter.schema).delete()
        try await database.schema(CaseIndexEntry.schema).delete()
        try await database.schema(CaseRecord.schema).delete()
    }
}

/// Indexes for worklists and exact look-ups; plain `CREATE INDEX` is the same on both databases.
enum CaseSchemaIndexes {
    static func create(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for statement in [
            "CREATE INDEX cases_unit_registered ON cases (unit_id, registered_ms)",
            "CREATE INDEX cases_registered_by ON cases (registered_by, registered_ms)",
            "CREATE INDEX cases_lawyer ON cases (lawyer_id, registered_ms)",
            "CREATE INDEX cases_psychologist ON cases (psychologist_id, registered_ms)",
            "CREATE INDEX cases_registered ON cases (registered_ms)",
            "CREATE INDEX case_index_lookup ON case_index (field, hash)",
            "CREATE INDEX case_index_case ON case_index (case_id)",
        ] {
            // Raw: DDL with fixed text, no values; SQLKit has no portable index builder for this.
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }
}
