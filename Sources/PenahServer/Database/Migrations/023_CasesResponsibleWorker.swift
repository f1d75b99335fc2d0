import Fluent

/// The worker a supervisor made responsible for a case (issue 14's assignment).
struct CasesResponsibleWorker: AsyncMigration {
    var name: String { "023_CasesResponsibleWorker" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseRecord.schema).field("responsible_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseRecord.schema).deleteField("responsible_id").update()
    }
}
