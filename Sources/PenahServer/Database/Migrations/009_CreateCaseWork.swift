import Fluent
import SQLKit

struct CreateCaseWork: AsyncMigration {
    var name: String { "009_CreateCaseWork" }

    func prepare(on database: any Database) async throws {
        let caseRef = DatabaseSchema.FieldConstraint.references(CaseRecord.schema, "id", onDelete: .cascade)
        let staffRef = DatabaseSchema.FieldConstraint.references(StaffUser.schema, "id", onDelete: .restrict)
        try await database.schema(CaseDocument.schema)
            .id()
            .field("case_id", .uuid, .required, caseRef)
            .field("kind", .string, .required)
            .field("content_type", .string, .required)
            .field("sha256", .string, .required)
            .field("size", .int, .required)
            .field("uploaded_by", .uuid, .required, staffRef)
            .field("uploaded_at", .datetime, .required)
            .create()
        try await database.schema(CaseAssessment.schema)
            .id()
            .field("case_id", .uuid, .required, caseRef)
            .field("section", .string, .required)
            .field("author_id", .uuid, .required, staffRef)
            .field("violence_forms", .string, .required)
            .field("relationship", .string)
            .field("risk_factors", .string, .required)
            .field("needs", .string, .required)
            .field("facts", .string, .required)
            .field("notes", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "case_id", "section")
            .create()
        try await database.schema(CaseDecision.schema)
            .id()
            .field("case_id", .uuid, .required, caseRef)
            .field("needs_rehabilitation", .bool, .required)
            .field("services", .string, .required)
            .field("risk_level", .string, .required)
            .field("screened_level", .string, .required)
            .field("risk_reason", .string)
            .field("safe_contact", .string)
            .field("drafted_by", .uuid, .required, staffRef)
            .field("drafted_at", .datetime, .required)
            .field("lawyer_signed_by", .uuid, staffRef)
            .field("lawyer_signed_at", .datetime)
            .field("psychologist_signed_by", .uuid, staffRef)
            .field("psychologist_signed_at", .datetime)
            .unique(on: "case_id")
            .create()
        if let sql = database as? any SQLDatabase {
            // Raw: fixed DDL text, no values.
            try await sql.raw("CREATE INDEX case_documents_case ON case_documents (case_id)").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [CaseDecision.schema, CaseAssessment.schema, CaseDocument.schema] {
            try await database.schema(schema).delete()
        }
    }
}
