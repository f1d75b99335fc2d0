import Fluent
import SQLKit

struct CreateStaffNotifications: AsyncMigration {
    var name: String { "021_CreateStaffNotifications" }

    func prepare(on database: any Database) async throws {
        try await database.schema(StaffNotification.schema)
            .id()
            .field("user_id", .uuid, .required, .references(StaffUser.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("label", .string, .required)
            .field("link", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        // Raw DDL: SQLKit builds no index on two columns portably. Fixed names.
        try await (database as! any SQLDatabase).raw("CREATE INDEX staff_notifications_user ON staff_notifications (user_id, read_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffNotification.schema).delete()
    }
}
