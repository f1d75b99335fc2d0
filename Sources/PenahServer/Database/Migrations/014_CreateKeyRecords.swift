import Fluent
import SQLKit

/// The key records table; filled from what an existing database already holds, the oldest key of
/// each purpose being the one values were sealed with first.
struct CreateKeyRecords: AsyncMigration {
    var name: String { "014_CreateKeyRecords" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(table: KeyRecords.table)
            .column("name", type: .text, .primaryKey(autoIncrement: false))
            .column("value", type: .text, .notNull)
            .run()
        let records = KeyRecords(db: database)
        for purpose in ["data", "index"] {
            if let oldest = try await VaultKey.query(on: database).filter(\.$purpose == purpose).sort(\.$createdAt).sort(\.$id).first() {
                _ = try await records.claim(KeyRecords.vault(purpose), value: oldest.requireID().uuidString)
                _ = try await records.claim(KeyRecords.master, value: oldest.masterKeyID)
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(table: KeyRecords.table).run()
    }
}
