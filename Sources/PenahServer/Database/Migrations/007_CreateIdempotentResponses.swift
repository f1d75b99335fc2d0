import Fluent

struct CreateIdempotentResponses: AsyncMigration {
    var name: String { "007_CreateIdempotentResponses" }

    func prepare(on database: any Database) async throws {
        try await database.schema(IdempotentResponse.schema)
            .id()
            .field("scope", .string, .required)
            .field("body_hash", .string, .required)
            .field("status", .int, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "scope")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IdempotentResponse.schema).delete()
    }
}
