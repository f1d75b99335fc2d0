import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Assigning the responsible worker")
struct CaseAssignmentTests {
    @Test("a supervisor makes a lawyer responsible: stored, audited and notified in one write, by case number; again changes nothing")
    func assigns() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let supervisor = try await app.caller(.supervisor)
            let lawyer = try await app.caller(.lawyer)
            let lawyerID = try lawyer.staff.user.requireID()
            let assigned = try await supervisor.send(.POST, "/api/v1/cases/\(id)/assignment", ["userId": lawyerID.uuidString])
            #expect(assigned.status == .ok, "\(assigned.text)")
            #expect(assigned.object["userId"] as? String == lawyerID.uuidString && assigned.object["caseId"] as? String == id.uuidString)
            let record = try #require(try await CaseRecord.find(id, on: app.db))
            #expect(record.responsibleID == lawyerID && record.responsible == [lawyerID])
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.assign").filter(\.$recordID == id.uuidString).count() == 1)
            let told = try await StaffNotification.query(on: app.db).filter(\.$userID == lawyerID).all()
            #expect(told.map(\.kind) == [.caseAssigned] && told.first?.label == record.number && told.first?.link == SitePath.case(id))
            // The case is now the lawyer's own: in "my cases", though she has not interviewed yet.
            let mine = try await lawyer.send(.GET, "/api/v1/cases?mine=true")
            #expect((mine.object["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id.uuidString])
            // Assigning the same worker again writes nothing and tells nobody again.
            #expect(try await supervisor.send(.POST, "/api/v1/cases/\(id)/assignment", ["userId": lawyerID.uuidString]).status == .ok)
            #expect(try await StaffNotification.query(on: app.db).filter(\.$userID == lawyerID).count() == 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.assign").count() == 1)
        }
    }

    @Test("the supervisor's caseload counts a case for its responsible worker once assigned, counted in the database per group of workers")
    func caseload() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let cases = [try await reception.register(sampleApplication(fin: nil)), try await reception.register(sampleApplication(fin: nil)),
                         try await reception.register(sampleApplication(fin: nil))]
            let supervisor = try await app.caller(.supervisor)
            let lawyer = try await app.caller(.lawyer)
            for id in cases.prefix(2) {
                #expect(try await supervisor.send(.POST, "/api/v1/cases/\(id)/assignment", ["userId": try lawyer.staff.user.requireID().uuidString]).status == .ok)
            }
            let start = try await app.send(.GET, "/staff?lang=en", headers: try await app.browser(.supervisor).headers).body.string
            let line = { (name: String, count: Int) in
                "<a href=\"/cases?view=unit\">\(name)</a> <span class=\"meta\">" + Catalogue.shared.text("work.caseload.cases", .en, ["count": String(count)])
            }
            #expect(start.contains(Catalogue.shared.text("work.caseload.summary", .en, ["count": "3"])), "three open cases")
            // Two assigned to the lawyer; the third, not interviewed nor assigned, still counts for who registered it.
            #expect(start.contains(line(lawyer.staff.user.displayName, 2)), "\(start)")
            #expect(start.contains(line(reception.staff.user.displayName, 1)))
        }
    }

    @Test("only a supervisor whose region holds the case may assign: others get 404, nothing written")
    func scope() async throws {
        try await withPenah { app in
            let id = try await app.caller(.reception).register()
            let lawyer = try await app.caller(.lawyer)
            let body = ["userId": try lawyer.staff.user.requireID().uuidString]
            for caller in [lawyer, try await app.caller(.reception), try await app.caller(.admin), try await app.caller(.sxaOfficer),
                           try await app.caller(.supervisor, unit: "KARABAKH")] {
                #expect(try await caller.send(.POST, "/api/v1/cases/\(id)/assignment", body).status == .notFound, "\(caller.staff.user.role)")
            }
            #expect(try await app.caller(.supervisor).send(.POST, "/api/v1/cases/\(UUID())/assignment", body).status == .notFound)
            #expect(try await CaseRecord.find(id, on: app.db)?.responsibleID == nil)
            #expect(try await StaffNotification.query(on: app.db).count() == 0)
        }
    }

    @Test("the assignee must be an active lawyer or psychologist of the case's unit; bad, hostile and empty input is 422 naming userId; a refused case is 409")
    func badInput() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let supervisor = try await app.caller(.supervisor)
            let elsewhere = try await app.makeStaff(.lawyer, unit: "BAKU-2")
            let disabled = try await app.makeStaff(.psychologist)
            disabled.user.active = false
            try await disabled.user.update(on: app.db)
            for userID in [try reception.staff.user.requireID().uuidString, try elsewhere.user.requireID().uuidString,
                           try disabled.user.requireID().uuidString, UUID().uuidString] {
                let answer = try await supervisor.send(.POST, "/api/v1/cases/\(id)/assignment", ["userId": userID])
                #expect(answer.status == .unprocessableEntity && answer.text.contains("userId") && answer.text.contains("notAssignable"), "\(answer.text)")
            }
            for body: [String: Any] in [[:], ["userId": "\"'><script>alert(1)</script>"], ["userId": "1 OR 1=1; DROP TABLE cases"], ["userId": 42]] {
                let answer = try await supervisor.send(.POST, "/api/v1/cases/\(id)/assignment", body)
                #expect(answer.status == .unprocessableEntity || answer.status == .badRequest, "\(body): \(answer.status)")
                #expect(!answer.text.contains("<script>"))
            }
            #expect(try await CaseRecord.find(id, on: app.db)?.responsibleID == nil)

            let ineligible = try await reception.send(.POST, "/api/v1/cases", sampleApplication(residence: "other"))
            let refusedID = try #require(ineligible.object["id"] as? String)
            let lawyer = try await app.caller(.lawyer)
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(refusedID)/refusal", ["explanation": "Əsas yoxdur.", "answeredVia": "inPerson"]).status == .ok)
            let late = try await supervisor.send(.POST, "/api/v1/cases/\(refusedID)/assignment", ["userId": try lawyer.staff.user.requireID().uuidString])
            #expect(late.status == .conflict)
            #expect(try await StaffNotification.query(on: app.db).count() == 0)
        }
    }

    @Test("the case page names the responsible worker; the supervisor's page offers the unit's lawyers and psychologists and assigns by form (CSRF), with a banner")
    func page() async throws {
        try await withPenah { app in
            let id = try await app.caller(.reception).register()
            let psychologist = try await app.makeStaff(.psychologist)
            _ = try await app.makeStaff(.lawyer, unit: "BAKU-2")
            let supervisor = try await app.browser(.supervisor)
            let page = try await app.send(.GET, "/cases/\(id)?lang=en", headers: supervisor.headers)
            #expect(page.body.string.contains("Not assigned yet") && page.body.string.contains("action=\"/cases/\(id)/assignment\""))
            #expect(page.body.string.contains(psychologist.user.displayName + " · "))
            #expect(page.body.string.components(separatedBy: "<option value=").count - 1 >= 1)
            let forged = try await app.send(.POST, "/cases/\(id)/assignment", headers: supervisor.headers,
                                            body: formBody([("userId", try psychologist.user.requireID().uuidString)]))
            #expect(forged.status == .forbidden)
            let sent = try await app.send(.POST, "/cases/\(id)/assignment", headers: supervisor.headers,
                                          body: formBody([("csrf", supervisor.csrf), ("userId", try psychologist.user.requireID().uuidString)]))
            #expect(sent.status == .seeOther && (sent.headers.first(name: .location) ?? "").contains("done=assigned"))
            let after = try await app.send(.GET, (sent.headers.first(name: .location) ?? "") + "&lang=en", headers: supervisor.headers)
            #expect(after.body.string.contains("The responsible worker is assigned.") && after.body.string.contains("selected>" + psychologist.user.displayName))
            let wrong = try await app.send(.POST, "/cases/\(id)/assignment?lang=en", headers: supervisor.headers,
                                           body: formBody([("csrf", supervisor.csrf), ("userId", "nobody")]))
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("Responsible worker") && !wrong.body.string.contains("userId:"))
            // The lawyer reads who is responsible, without the form.
            let lawyer = try await app.browser(.lawyer)
            let read = try await app.send(.GET, "/cases/\(id)?lang=en", headers: lawyer.headers)
            #expect(read.body.string.contains(psychologist.user.displayName) && !read.body.string.contains("/assignment\""))
        }
    }
}
