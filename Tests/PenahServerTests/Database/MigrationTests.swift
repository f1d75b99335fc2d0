import Fluent
import Foundation
import SQLKit
import Testing
@testable import PenahServer

@Suite("Migrations")
struct MigrationTests {
    @Test("every migration has its own numbered name, in order, none twice")
    func namesAreNumberedInOrder() {
        let names = PenahMigrations.all.map(\.name)
        #expect(Set(names).count == names.count)
        for (index, name) in names.enumerated() {
            #expect(name.hasPrefix(String(format: "%03d_", index + 1)), "\(name) is number \(index + 1)")
        }
    }

    @Test("a database whose cases table predates registered_ms is brought to today's shape, its cases kept and listed in order")
    func casesFromBeforeRegisteredMs() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let older = try await reception.register(sampleApplication(fin: "5ZK8M21"))
            let newer = try await reception.register(sampleApplication(fin: "5ZK8M22"))
            let sql = app.sql
            // Back to the shape `008_CreateCases` first had: no registered_ms, the worklist indexes on
            // registered_at, and 020 not yet run.
            for (index, _) in CasesRegisteredMs.orderedIndexes { try await sql.raw("DROP INDEX \(ident: index)").run() }
            try await sql.raw("DROP INDEX cases_registered").run()
            try await sql.raw("ALTER TABLE cases DROP COLUMN registered_ms").run()
            for (index, column) in CasesRegisteredMs.orderedIndexes {
                try await sql.raw("CREATE INDEX \(ident: index) ON cases (\(ident: column), registered_at)").run()
            }
            try await sql.raw("DELETE FROM _fluent_migrations WHERE name = '020_CasesRegisteredMs'").run()
            #expect(try await !CasesRegisteredMs.hasColumn(sql))

            try await app.autoMigrate()
            #expect(try await CasesRegisteredMs.hasColumn(sql))
            for record in try await CaseRecord.query(on: app.db).all() {
                #expect(record.registeredMs == Int64((record.registeredAt.timeIntervalSince1970 * 1000).rounded(.down)))
            }
            let supervisor = try await app.caller(.supervisor)
            let listed = try await supervisor.send(.GET, "/api/v1/cases")
            let ids = (listed.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [newer, older].map { $0.uuidString }, "newest first, as before")
            // A second run finds the column and changes nothing.
            try await CasesRegisteredMs().prepare(on: app.db)
            #expect(try await reception.register(sampleApplication(fin: "5ZK8M23")) != older)
        }
    }
}
