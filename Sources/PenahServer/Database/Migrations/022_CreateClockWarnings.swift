import Fluent

struct CreateClockWarnings: AsyncMigration {
    var name: String { "022_CreateClockWarnings" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ClockWarning.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("clock", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "case_id", "clock")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ClockWarning.schema).delete()
    }
}
