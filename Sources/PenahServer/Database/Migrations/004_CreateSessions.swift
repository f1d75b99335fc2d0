import Fluent

struct CreateSessions: AsyncMigration {
    var name: String { "004_CreateSessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AuthSession.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("user_id", .uuid, .required, .references(StaffUser.schema, "id", onDelete: .cascade))
            .field("csrf_token", .string)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("ended_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(LoginThrottleEntry.schema)
            .field("key", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("last_failure_ms", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginThrottleEntry.schema).delete()
        try await database.schema(AuthSession.schema).delete()
    }
}
