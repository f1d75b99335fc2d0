import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("The start page: my work")
struct StaffWorkTests {
    /// The start page in English as this person sees it.
    func startPage(_ app: Application, _ staff: TestStaff) async throws -> String {
        let session = try await app.webSession(for: staff)
        let response = try await app.send(.GET, "/staff?lang=en", headers: .session(session.cookie))
        #expect(response.status == .ok)
        return response.body.string
    }

    func en(_ key: String, _ values: [String: String] = [:]) -> String { Catalogue.shared.text(key, .en, values) }

    @Test("each role sees its own work, each item a link to its record, and never her name")
    func perRole() async throws {
        try await withPenah { app in
            let decided = try await app.decidedCase()
            let reception = try await app.caller(.reception)
            let registered = try await reception.register()
            let number = try #require(try await CaseRecord.find(registered, on: app.db)?.number)
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            for _ in 0..<2 { _ = try await app.queue.issue(unit: unit, priority: .standard, actor: .system("t")) }

            // Reception: the queue now, and the case she registered with its next step and clock.
            let front = try await startPage(app, reception.staff)
            #expect(front.contains(en("work.queue.heading")) && front.contains("2 waiting, the longest for"))
            #expect(front.contains("href=\"/desk/BAKU-1\""))
            #expect(front.contains("<a href=\"/cases/\(registered)\">\(number)</a>"))
            #expect(front.contains(en("work.next.registered")) && front.contains(en("clock.frontOffice")))
            // The staff menu, with this page marked; the public links are for public pages.
            #expect(front.contains("aria-label=\"\(en("layout.staffNav"))\"") && front.contains("href=\"/staff\" aria-current=\"page\""))
            #expect(!front.contains("href=\"/safety\""))
            #expect(!front.contains(en("work.requests.heading")) && !front.contains(en("work.caseload.heading")))

            // Another unit's reception sees none of it.
            let elsewhere = try await startPage(app, try await app.makeStaff(.reception, unit: "BAKU-2"))
            #expect(!elsewhere.contains(number) && elsewhere.contains(en("work.mine.empty")) && elsewhere.contains(en("work.queue.nobody")))

            // The supervisor: who carries the open cases, and nothing overdue yet.
            let supervisor = try await startPage(app, try await app.makeStaff(.supervisor))
            #expect(supervisor.contains(en("work.caseload.heading")) && supervisor.contains("Test reception"))
            #expect(supervisor.contains(en("work.caseload.cases", ["count": "1"])))
            #expect(supervisor.contains(en("work.overdue.empty")) && !supervisor.contains(en("work.mine.heading")))

            // SXA: the request waiting for its decision, by pseudonym.
            let requestID = try await app.placementRequest(caseID: decided)
            let pseudonym = try #require(try await CaseRecord.find(decided, on: app.db)?.pseudonym)
            let sxa = try await startPage(app, try await app.makeStaff(.sxaOfficer))
            #expect(sxa.contains("<a href=\"/sxa/requests/\(requestID)\">\(pseudonym)</a>"))
            #expect(sxa.contains(en("work.requests.summary", ["count": "1", "urgent": "0", "overdue": "0"])))

            // The shelter: the woman it expects, once SXA approved her into it.
            _ = try await app.approve(requestID, caseID: decided)
            let shelter = try await startPage(app, try await app.makeStaff(.shelterStaff))
            #expect(shelter.contains(en("work.arrivals.heading")) && shelter.contains(pseudonym))
            #expect(shelter.contains(en("work.staysEnding.empty")))
            let other = try await startPage(app, try await app.makeStaff(.shelterStaff, unit: "SHELTER-NGO-1"))
            #expect(!other.contains(pseudonym) && other.contains(en("work.arrivals.empty")))

            // No start page shows a name; the auditor and the admin have no casework on theirs.
            for html in [front, elsewhere, supervisor, sxa, shelter] {
                #expect(!html.contains("Gülnarə") && !html.contains("İsmayılova"))
            }
            for role in [Role.auditor, .admin] {
                let page = try await startPage(app, try await app.makeStaff(role))
                #expect(!page.contains("class=\"work\""), "\(role) has a work section")
            }
        }
    }

    @Test("a case past its clock is listed as overdue, counted, on the start page of everyone who works on it")
    func overdue() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            // Registered two days ago: the one-day total clock has run out.
            let record = try #require(try await CaseRecord.find(id, on: app.db))
            record.registeredAt = Date().addingTimeInterval(-2 * 86_400)
            record.registeredMs = Int64(record.registeredAt.timeIntervalSince1970 * 1000)
            try await record.save(on: app.db)
            for staff in [reception.staff, try await app.makeStaff(.supervisor)] {
                let html = try await startPage(app, staff)
                #expect(html.contains(en("work.overdue.summary", ["count": "1"])))
                #expect(html.contains("<li class=\"late\"><a href=\"/cases/\(id)\">\(record.number)</a>"))
                #expect(html.contains("href=\"/cases?view=overdue\""))
            }
        }
    }
}
