import Fluent

struct CreateVaultKeys: AsyncMigration {
    var name: String { "005_CreateVaultKeys" }

    func prepare(on database: any Database) async throws {
        try await database.schema(VaultKey.schema)
            .id()
            .field("purpose", .string, .required)
            .field("wrapped", .string, .required)
            .field("master_key_id", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(VaultKey.schema).delete()
    }
}
