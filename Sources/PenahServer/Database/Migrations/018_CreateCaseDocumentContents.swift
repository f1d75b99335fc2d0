import Fluent

struct CreateCaseDocumentContents: AsyncMigration {
    var name: String { "018_CreateCaseDocumentContents" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseDocumentContent.schema)
            .field("document_id", .uuid, .identifier(auto: false), .references(CaseDocument.schema, "id", onDelete: .cascade))
            .field("sealed", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseDocumentContent.schema).delete()
    }
}
