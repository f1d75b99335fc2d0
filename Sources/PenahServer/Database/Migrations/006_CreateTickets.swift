import Fluent
import SQLKit

struct CreateTickets: AsyncMigration {
    var name: String { "006_CreateTickets" }

    func prepare(on database: any Database) async throws {
        try await database.schema(Ticket.schema)
            .id()
            .field("unit_id", .uuid, .required, .references(Unit.schema, "id", onDelete: .restrict))
            .field("day", .string, .required)
            .field("series", .string, .required)
            .field("number", .int, .required)
            .field("priority", .string, .required)
            .field("status", .string, .required)
            .field("desk", .int)
            .field("issued_at", .datetime, .required)
            .field("called_at", .datetime)
            .field("started_at", .datetime)
            .field("finished_at", .datetime)
            .unique(on: "unit_id", "day", "series", "number")
            .create()
        try await (database as! any SQLDatabase).create(index: "tickets_waiting").on(Ticket.schema)
            .column("unit_id").column("day").column("status").run()
        // Desks per serving unit; absent means the default.
        try await database.schema(Unit.schema).field("desk_count", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Ticket.schema).delete()
    }
}
