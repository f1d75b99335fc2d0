import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("The staff page's search forgives the keyboard")
struct ForgivingSearchTests {
    func encoded(_ q: String) -> String { q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test("'Hasanova', 'Гасанова' and 'Həsə' find Həsənova on the page, through the blind indexes, audited; the API keeps to exact words")
    func forgiving() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register(sampleApplication(firstName: "Səbinə", lastName: "Həsənova", fin: "4HK2M7P", phone: "055 111 22 33"))
            _ = try await reception.register(sampleApplication(firstName: "Leyla", lastName: "Quliyeva", fin: "7QW3E9R", phone: "055 765 43 21"))
            let number = try #require(try await CaseRecord.find(id, on: app.db)?.number)
            let session = try await app.webSession(for: reception.staff)
            func page(_ q: String) async throws -> String {
                try await app.send(.GET, "/cases?view=unit&q=\(encoded(q))&lang=en", headers: .session(session.cookie)).body.string
            }
            for q in ["Hasanova", "hesenova", "Гасанова", "Həsə", "sabina hasan", "SƏBİNƏ"] {
                let html = try await page(q)
                #expect(html.contains(number), "\(q)")
                #expect(!html.contains("Quliyeva") && !html.contains("Həsənova"), "a list shows initials only")
            }
            for q in ["Hasanli", "Ha", "Leyla Hasanova"] { #expect(!(try await page(q)).contains(number), "\(q)") }
            // Nothing of the name is stored in plain text: the prefixes are keyed hashes too.
            let entries = try await CaseIndexEntry.query(on: app.db).filter(\.$caseID == id).all()
            #expect(entries.contains { $0.field == "namePrefix" })
            #expect(!entries.contains { $0.hash.lowercased().contains("gasan") || $0.hash.lowercased().contains("həsən") })
            // The API answers as the contract says: whole words, exactly.
            let api = try await reception.send(.GET, "/api/v1/cases?q=Hasanova")
            #expect((api.object["items"] as? [[String: Any]] ?? []).isEmpty)
            // Each search is audited, with the case it matched in that case's own log.
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.search").filter(\.$recordID == id.uuidString).count() >= 6)
            // Another unit's staff find nothing by the same prefix.
            let elsewhere = try await app.webSession(for: try await app.makeStaff(.reception, unit: "BAKU-2"))
            let html = try await app.send(.GET, "/cases?view=unit&q=Hasanova&lang=en", headers: .session(elsewhere.cookie)).body.string
            #expect(!html.contains(number))
        }
    }

    @Test("cases indexed before the forgiving search are indexed again after the migrations, once, and by the command")
    func reindex() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register(sampleApplication(firstName: "Səbinə", lastName: "Həsənova", fin: "4HK2M7P", phone: "055 111 22 33"))
            // The shape of an older database: no prefixes, and the index remembered as version 1.
            try await CaseIndexEntry.query(on: app.db).filter(\.$field == "namePrefix").delete()
            try await KeyRecords(db: app.db).replace(CaseSearchIndex.record, value: "1")
            let before = try await CaseIndexEntry.query(on: app.db).filter(\.$caseID == id).count()
            try await CaseSearchIndex.bringUpToDate(app)
            let prefixes = try await CaseIndexEntry.query(on: app.db).filter(\.$caseID == id).filter(\.$field == "namePrefix").count()
            #expect(prefixes > 0)
            #expect(try await KeyRecords(db: app.db).value(CaseSearchIndex.record) == CaseSearchIndex.version)
            #expect(try await CaseIndexEntry.query(on: app.db).filter(\.$caseID == id).count() == before + prefixes, "nothing doubled")
            // Up to date: the next start does nothing.
            try await CaseIndexEntry.query(on: app.db).filter(\.$field == "namePrefix").delete()
            try await CaseSearchIndex.bringUpToDate(app)
            #expect(try await CaseIndexEntry.query(on: app.db).filter(\.$field == "namePrefix").count() == 0)
            // The command indexes again whatever the record says, and says it ran in the audit.
            #expect(try await CaseSearchIndex.rebuild(app) == 1)
            #expect(try await CaseIndexEntry.query(on: app.db).filter(\.$field == "namePrefix").count() == prefixes)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.reindex").count() == 2)
        }
    }
}
