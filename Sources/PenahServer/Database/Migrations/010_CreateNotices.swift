import Fluent
import SQLKit

struct CreateNotices: AsyncMigration {
    var name: String { "010_CreateNotices" }

    func prepare(on database: any Database) async throws {
        try await database.schema(NoticeRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id", onDelete: .restrict))
            .field("unit_id", .uuid, .required, .references(Unit.schema, "id", onDelete: .restrict))
            .field("number", .string, .required)
            .field("urgency", .string, .required)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("body", .string, .required)
            .field("created_by", .uuid, .required, .references(StaffUser.schema, "id", onDelete: .restrict))
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .field("acknowledged_at", .datetime)
            .field("failed_at", .datetime)
            .field("reference", .string)
            .field("delivered_by", .string)
            .field("outgoing_number", .string)
            .unique(on: "number")
            .create()
        try await database.schema(OutboxMessage.schema)
            .id()
            .field("notice_id", .uuid, .required, .references(NoticeRecord.schema, "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("priority", .int, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_ms", .int64, .required)
            .field("lease_token", .string)
            .field("lease_until_ms", .int64)
            .field("last_error", .string)
            .field("created_ms", .int64, .required)
            .unique(on: "notice_id", "channel")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "outbox_due").on(OutboxMessage.schema).column("status").column("priority").column("next_attempt_ms").run()
        try await sql.create(index: "notices_case").on(NoticeRecord.schema).column("case_id").run()
        try await sql.create(index: "notices_unit_status").on(NoticeRecord.schema).column("unit_id").column("status").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema).delete()
        try await database.schema(NoticeRecord.schema).delete()
    }
}
