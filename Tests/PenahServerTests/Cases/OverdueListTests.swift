import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("The overdue list on the page")
struct OverdueListTests {
    /// Registers a case and backdates it by `days`, so its one-day total clock is that far over.
    func overdueCase(_ reception: APICaller, days: Double, fin: String, phone: String, _ app: Application) async throws -> CaseRecord {
        let id = try await reception.register(sampleApplication(fin: fin, phone: phone))
        let record = try #require(try await CaseRecord.find(id, on: app.db))
        record.registeredAt = Date().addingTimeInterval(-days * 86_400)
        record.registeredMs = Int64(record.registeredAt.timeIntervalSince1970 * 1000)
        try await record.save(on: app.db)
        return record
    }

    @Test("counted, most overdue first or newest first, with who is responsible; the API's items carry no such field")
    func list() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let older = try await overdueCase(reception, days: 5, fin: "1AA1AA1", phone: "050 111 11 11", app)
            let newer = try await overdueCase(reception, days: 2, fin: "2BB2BB2", phone: "050 222 22 22", app)
            let session = try await app.webSession(for: try await app.makeStaff(.supervisor))
            let page = try await app.send(.GET, "/cases?view=overdue&lang=en", headers: .session(session.cookie)).body.string
            #expect(page.contains("2 overdue cases") && page.contains("<th scope=\"col\">Responsible</th>"))
            // Most overdue first by default, each with the worker who registered it (nobody interviews yet).
            let first = try #require(page.range(of: older.number)), second = try #require(page.range(of: newer.number))
            #expect(first.lowerBound < second.lowerBound)
            #expect(page.contains("<td>Test reception</td>"))
            #expect(page.contains("href=\"/cases?view=overdue&amp;sort=overdue\" aria-current=\"true\""))
            let newest = try await app.send(.GET, "/cases?view=overdue&sort=registered&lang=en", headers: .session(session.cookie)).body.string
            #expect(try #require(newest.range(of: newer.number)).lowerBound < #require(newest.range(of: older.number)).lowerBound)
            // The API keeps to the contract's fields.
            let supervisor = try await app.caller(.supervisor)
            let api = try await supervisor.send(.GET, "/api/v1/cases?overdue=true")
            let item = try #require((api.object["items"] as? [[String: Any]])?.first)
            #expect(item["responsible"] == nil && Set(item.keys) == ["id", "number", "initials", "status", "unitCode", "registeredAt", "overdue", "clocks"])
        }
    }
}
