import Fluent
import SQLKit

struct CreateAudit: AsyncMigration {
    var name: String { "003_CreateAudit" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema)
            .id()
            .field("chain", .string, .required)
            .field("seq", .int, .required)
            .field("occurred_ms", .int64, .required)
            .field("actor_id", .uuid)
            .field("actor_role", .string, .required)
            .field("unit_code", .string, .required)
            .field("action", .string, .required)
            .field("record_type", .string, .required)
            .field("record_id", .string)
            .field("outcome", .string, .required)
            .field("request_id", .string, .required)
            .field("address", .string, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "chain", "seq")
            .create()
        try await database.schema(AuditChainHead.schema)
            .field("chain", .string, .identifier(auto: false))
            .field("seq", .int, .required)
            .field("hash", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "audit_events_actor").on(AuditEvent.schema).column("actor_id").run()
        try await sql.create(index: "audit_events_record").on(AuditEvent.schema).column("record_id").run()
        try await sql.create(index: "audit_events_time").on(AuditEvent.schema).column("occurred_ms").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditChainHead.schema).delete()
        try await database.schema(AuditEvent.schema).delete()
    }
}
