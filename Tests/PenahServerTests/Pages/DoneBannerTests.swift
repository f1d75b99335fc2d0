import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Success banners")
struct DoneBannerTests {
    func banner(_ text: String) -> String {
        "<div class=\"success-banner\" role=\"status\" tabindex=\"-1\"><p>\(text)</p></div>"
    }

    @Test("a form's redirect names what it did, and the page says so in the reader's language; any other name shows nothing")
    func banners() async throws {
        try await withPenah { app in
            let caseID = try await app.decidedCase()
            let lawyer = try await app.browser(.lawyer)
            let sent = try await app.send(.POST, "/cases/\(caseID)/placement", headers: lawyer.headers,
                                          body: formBody([("csrf", lawyer.csrf), ("urgency", "routine")]))
            #expect(sent.headers.first(name: .location) == "/cases/\(caseID)?done=placementRequested")
            for language in Language.allCases {
                let page = try await app.send(.GET, "/cases/\(caseID)?done=placementRequested&lang=\(language.rawValue)", headers: lawyer.headers)
                #expect(page.body.string.contains(banner(Catalogue.shared.text("done.placementRequested", language))))
            }

            // SXA's approval names the shelter the place is held at.
            let request = try #require(try await PlacementRequest.query(on: app.db).first())
            let sxa = try await app.browser(.sxaOfficer)
            let approved = try await app.send(.POST, "/sxa/requests/\(request.id!)/decision", headers: sxa.headers,
                                              body: formBody([("csrf", sxa.csrf), ("decision", "approved"), ("shelterId", try await app.shelterID().uuidString)]))
            let location = try #require(approved.headers.first(name: .location))
            #expect(location == "/sxa/requests/\(request.id!)?done=approved")
            let shelterName = try #require(try await UnitService(db: app.db).find(code: "SHELTER-SXA-1")?.name)
            let after = try await app.send(.GET, location + "&lang=en", headers: sxa.headers).body.string
            #expect(after.contains(banner("Approved: a place is held at \(shelterName).")))

            // Not one of ours: no banner, and nothing of what was typed comes back.
            for forged in ["%3Cscript%3Ealert(1)%3C/script%3E", "approved%22%3E", "done.registered", ""] {
                let page = try await app.send(.GET, "/cases/\(caseID)?done=\(forged)&lang=en", headers: lawyer.headers)
                #expect(page.status == .ok && !page.body.string.contains("success-banner") && !page.body.string.contains("<script>alert"))
            }
            // The banner takes the focus, or the error summary when there is one (no inline script).
            let page = try await app.send(.GET, "/cases/\(caseID)?done=registered", headers: lawyer.headers).body.string
            #expect(page.contains("<script src=\"/js/focus.js\" defer></script>"))
            #expect(try await app.send(.GET, "/js/focus.js").body.string.contains(".success-banner"))
        }
    }

    @Test("signing out lands on the sign-in page that says so; the shelter's discharge and the admin's changes say so too")
    func otherSides() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception)
            let out = try await app.send(.POST, "/logout", headers: reception.headers, body: formBody([("csrf", reception.csrf)]))
            #expect(out.headers.first(name: .location) == "/login?done=signedOut")
            let login = try await app.send(.GET, "/login?done=signedOut&lang=en")
            #expect(login.body.string.contains(banner("You are signed out.")))

            let admin = try await app.browser(.admin)
            let target = try await app.makeStaff(.psychologist)
            let disabled = try await app.send(.POST, "/admin/users/\(target.user.id!)/disable", headers: admin.headers,
                                              body: formBody([("csrf", admin.csrf), ("confirmed", "yes")]))
            #expect(disabled.headers.first(name: .location) == "/admin/users?done=accountDisabled")
            let users = try await app.send(.GET, "/admin/users?done=accountDisabled&lang=ru", headers: admin.headers).body.string
            #expect(users.contains(banner(Catalogue.shared.text("done.accountDisabled", .ru))))

            let caseID = try await app.decidedCase()
            let code = try await app.approve(try await app.placementRequest(caseID: caseID), caseID: caseID)
            let shelter = try await app.browser(.shelterStaff)
            let admitted = try await app.send(.POST, "/shelter/SHELTER-SXA-1/admissions", headers: shelter.headers,
                                              body: formBody([("csrf", shelter.csrf), ("admissionCode", code)]))
            #expect(admitted.status == .created)
            let stay = try #require(try await ShelterStay.query(on: app.db).first())
            let discharged = try await app.send(.POST, "/shelter/SHELTER-SXA-1/stays/\(stay.id!)/discharge", headers: shelter.headers,
                                                body: formBody([("csrf", shelter.csrf), ("reason", DischargeReason.allCases[0].rawValue), ("confirmed", "yes")]))
            #expect(discharged.headers.first(name: .location) == "/shelter/SHELTER-SXA-1?done=discharged")
        }
    }
}
