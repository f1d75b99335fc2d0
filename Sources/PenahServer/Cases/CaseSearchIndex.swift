import Fluent
import Foundation
import PenahDomain
import Vapor

/// Keeps every case's blind indexes in today's shape. When the way identities are indexed changes
/// (the forgiving name search added `namePrefix`), cases registered before are indexed again from
/// their sealed identity: after the migrations, once per shape (`key_records` remembers which), and
/// on demand with `penah search-index rebuild`. No plain text is stored at any point.
enum CaseSearchIndex {
    /// Raised when `CaseIdentity.normalised` changes what it indexes.
    static let version = "2"
    static let record = "searchIndex.version"
    static let batch = 100

    /// Indexes every case again if the stored shape is older than this code's.
    static func bringUpToDate(_ app: Application) async throws {
        let records = KeyRecords(db: app.db)
        let standing = try await records.claim(record, value: try await CaseRecord.query(on: app.db).count() == 0 ? version : "1")
        guard standing != version else { return }
        let count = try await rebuild(app)
        try await records.replace(record, value: version)
        app.logger.notice("Indexed \(count) case(s) again for the search (index version \(version)).")
    }

    /// Replaces every case's index entries with those of its identity today, a batch per
    /// transaction; one audit event says it ran. Returns how many cases were indexed.
    @discardableResult
    static func rebuild(_ app: Application) async throws -> Int {
        var done = 0
        var after: UUID?
        while true {
            var page = CaseRecord.query(on: app.db).sort(\.$id).limit(batch)
            if let after { page = page.filter(\.$id > after) }
            let cases = try await page.all()
            guard let last = cases.last else { break }
            let vault = app.vault()
            var entries: [CaseIndexEntry] = []
            for record in cases {
                let identity = try await CaseIdentity.open(record, vault: vault)
                for (field, hash) in try await CaseIdentity.indexEntries(of: identity, vault: vault) {
                    entries.append(CaseIndexEntry(caseID: try record.requireID(), unitID: record.$unit.id, field: field, hash: hash))
                }
            }
            let ids = try cases.map { try $0.requireID() }, rows = entries
            try await app.db.writeTransaction { db in
                try await CaseIndexEntry.query(on: db).filter(\.$caseID ~~ ids).delete()
                // A statement's binds are capped (SQLite 32,766, PostgreSQL 65,535): five per row.
                for start in stride(from: 0, to: rows.count, by: 1_000) {
                    try await Array(rows[start..<min(start + 1_000, rows.count)]).create(on: db)
                }
            }
            done += cases.count
            after = last.id
        }
        try await app.db.writeTransaction { db in
            try await AuditLog.append(on: db, actor: .system("search-index"), action: "case.reindex", recordType: "case", recordID: nil)
        }
        return done
    }
}

/// `penah search-index rebuild`: indexes every case again from its sealed identity.
struct SearchIndexCommand: AsyncCommandGroup {
    var help: String { "Maintain the cases' search index." }
    var commands: [String: any AnyAsyncCommand] { ["rebuild": RebuildSearchIndexCommand()] }
}

struct RebuildSearchIndexCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Index every case again from its sealed identity." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let count = try await CaseSearchIndex.rebuild(context.application)
        let records = KeyRecords(db: context.application.db)
        _ = try await records.claim(CaseSearchIndex.record, value: CaseSearchIndex.version)
        try await records.replace(CaseSearchIndex.record, value: CaseSearchIndex.version)
        context.console.print("Indexed \(count) case(s) again.")
    }
}
