import Fluent

struct CreateStaff: AsyncMigration {
    var name: String { "002_CreateStaff" }

    func prepare(on database: any Database) async throws {
        try await database.schema(StaffUser.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("role", .string, .required)
            .field("unit_id", .uuid, .required, .references(Unit.schema, "id", onDelete: .restrict))
            .field("password_hash", .string)
            .field("totp_secret_sealed", .string)
            .field("totp_last_step", .int64, .required)
            .field("is_service", .bool, .required)
            .field("active", .bool, .required)
            .field("enrolled_at", .datetime)
            .field("enrolment_code_hash", .string)
            .field("enrolment_expires_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username")
            .create()
        try await database.schema(RecoveryCode.schema)
            .id()
            .field("user_id", .uuid, .required, .references(StaffUser.schema, "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RecoveryCode.schema).delete()
        try await database.schema(StaffUser.schema).delete()
    }
}
