import Fluent

struct CreateUnits: AsyncMigration {
    var name: String { "001_CreateUnits" }

    func prepare(on database: any Database) async throws {
        try await database.schema(Unit.schema)
            .id()
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("parent_id", .uuid, .references(Unit.schema, "id", onDelete: .restrict))
            .field("capacity", .int)
            .field("created_at", .datetime)
            .unique(on: "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Unit.schema).delete()
    }
}
