import Fluent
import SQLKit

struct CreateHealthProbes: AsyncMigration {
    var name: String { "015_CreateHealthProbes" }

    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).create(table: HealthProbe.table)
            .column("node", type: .text, .primaryKey(autoIncrement: false))
            .column("checked_at", type: .timestamp, .notNull)
            .run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(table: HealthProbe.table).run()
    }
}
