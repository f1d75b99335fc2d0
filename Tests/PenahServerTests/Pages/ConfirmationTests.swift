import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Destructive actions ask first")
struct ConfirmationTests {
    /// The hidden fields of the confirmation form (the page's main part), in order.
    func hiddenFields(_ html: String) -> [String] {
        let main = html.components(separatedBy: "<main").last ?? ""
        return main.components(separatedBy: "<input type=\"hidden\" name=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test("refuse, discharge, disable, reset the second factor, end sessions: the first post changes nothing and asks, the confirmed one acts")
    func asksFirst() async throws {
        try await withPenah { app in
            // The refusal: the same values come back in the confirming form, escaped.
            let reception = try await app.browser(.reception)
            let path = try await CasePagesTests.register(app, reception)
            let lawyer = try await app.browser(.lawyer)
            let fields = [("explanation", "Sənəd \"'><script>alert(1)</script>"), ("answeredVia", "callCentre"), ("language", "ru")]
            let asked = try await app.send(.POST, path + "/refusal?lang=en", headers: lawyer.headers, body: formBody([("csrf", lawyer.csrf)] + fields))
            #expect(asked.status == .ok)
            let page = asked.body.string
            #expect(page.contains("<h1>Refuse the application?</h1>") && page.contains("class=\"danger\""))
            #expect(hiddenFields(page) == ["csrf", "confirmed", "explanation", "answeredVia", "language"])
            #expect(!page.contains("<script>alert") && page.contains("&lt;script&gt;"))
            #expect(page.contains("<a href=\"\(path)\">Go back without changing anything</a>"))
            // The switcher leads back to the case: this address takes only POSTs.
            #expect(page.contains("href=\"\(path)?lang=az\""))
            let caseID = try #require(UUID(uuidString: String(path.dropFirst("/cases/".count))))
            #expect(try await CaseRecord.find(caseID, on: app.db)?.status == .registered)
            let confirmed = try await app.send(.POST, path + "/refusal", headers: lawyer.headers,
                                               body: formBody([("csrf", lawyer.csrf), ("confirmed", "yes")] + fields))
            #expect(confirmed.status == .seeOther)
            #expect(try await CaseRecord.find(caseID, on: app.db)?.status == .refused)
            // A refusal the service would refuse is not asked about: the problem is named at once.
            let other = try await CasePagesTests.register(app, reception, lastName: "Quliyeva")
            let empty = try await app.send(.POST, other + "/refusal?lang=en", headers: lawyer.headers,
                                           body: formBody([("csrf", lawyer.csrf), ("explanation", " "), ("answeredVia", "inPerson"), ("language", "az")]))
            #expect(empty.status == .unprocessableEntity && !empty.body.string.contains("Refuse the application?"))
            // Without the CSRF token even the question is 403.
            #expect(try await app.send(.POST, other + "/refusal", headers: lawyer.headers, body: formBody(fields)).status == .forbidden)

            // The discharge names the pseudonym and keeps the reason.
            let decided = try await app.decidedCase()
            let code = try await app.approve(try await app.placementRequest(caseID: decided), caseID: decided)
            let door = try await app.browser(.shelterStaff)
            _ = try await app.send(.POST, "/shelter/SHELTER-SXA-1/admissions", headers: door.headers,
                                   body: formBody([("csrf", door.csrf), ("admissionCode", code)]))
            let stay = try #require(try await ShelterStay.query(on: app.db).first())
            let discharge = "/shelter/SHELTER-SXA-1/stays/\(stay.id!)/discharge"
            let askedDischarge = try await app.send(.POST, discharge + "?lang=en", headers: door.headers,
                                                    body: formBody([("csrf", door.csrf), ("reason", "movedToRelatives")]))
            #expect(askedDischarge.status == .ok && askedDischarge.body.string.contains("The stay of \(stay.pseudonym) ends"))
            #expect(hiddenFields(askedDischarge.body.string) == ["csrf", "confirmed", "reason"])
            #expect(try await ShelterStay.find(stay.id, on: app.db)?.dischargedAt == nil)
            _ = try await app.send(.POST, discharge, headers: door.headers, body: formBody([("csrf", door.csrf), ("reason", "movedToRelatives"), ("confirmed", "yes")]))
            #expect(try await ShelterStay.find(stay.id, on: app.db)?.dischargeReason == "movedToRelatives")
            // Discharged already: nothing to ask about.
            #expect(try await app.send(.POST, discharge, headers: door.headers, body: formBody([("csrf", door.csrf), ("reason", "movedToRelatives")])).status == .conflict)

            // The admin's three, each naming the account.
            let admin = try await app.browser(.admin)
            let person = try await app.makeStaff(.psychologist)
            let id = try person.user.requireID()
            let token = try await app.token(for: person)
            for (action, heading) in [("disable", "Disable the account?"), ("reset-second-factor", "Reset the second factor?"), ("end-sessions", "End every session?")] {
                let page = try await app.send(.POST, "/admin/users/\(id)/\(action)?lang=en", headers: admin.headers, body: formBody([("csrf", admin.csrf)]))
                #expect(page.status == .ok && page.body.string.contains("<h1>\(heading)</h1>") && page.body.string.contains(person.username))
            }
            let stored = try #require(try await StaffUser.find(id, on: app.db))
            #expect(stored.active && stored.totpSecretSealed != nil)
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer(token)).status == .ok, "no session was ended")
            let ended = try await app.send(.POST, "/admin/users/\(id)/end-sessions", headers: admin.headers,
                                           body: formBody([("csrf", admin.csrf), ("confirmed", "yes")]))
            #expect(ended.status == .seeOther)
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer(token)).status == .unauthorized)
            #expect(try await app.send(.POST, "/admin/users/\(UUID())/disable", headers: admin.headers, body: formBody([("csrf", admin.csrf)])).status == .notFound)
        }
    }
}
