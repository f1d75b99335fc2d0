import Fluent

struct CreateParkedForms: AsyncMigration {
    var name: String { "019_CreateParkedForms" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ParkedForm.schema)
            .id()
            .field("user_id", .uuid, .required, .references(StaffUser.schema, "id", onDelete: .cascade))
            .field("action", .string, .required)
            .field("fields_sealed", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ParkedForm.schema).delete()
    }
}
