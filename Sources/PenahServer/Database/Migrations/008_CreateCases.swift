import Fluent
import SQLKit

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
