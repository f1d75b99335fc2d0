import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

/// Step 5 through the pages: the case page's request form, SXA's decision, the shelter's door and
/// stay forms, and the registry editor — with CSRF, localised problems and escaping.
@Suite("Placement pages")
struct PlacementPagesTests {
    @Test("request from the case page, approve at SXA, admit at the door, record services and discharge")
    func throughForms() async throws {
        try await withPenah { app in
            let caseID = try await app.decidedCase()
            let lawyer = try await app.browser(.lawyer)
            let bad = try await app.send(.POST, "/cases/\(caseID)/placement?lang=en", headers: lawyer.headers,
                                         body: formBody([("csrf", lawyer.csrf), ("urgency", "routine"), ("childAge[]", "seven"), ("childSex[]", "male")]))
            #expect(bad.status == .unprocessableEntity)
            #expect(try await PlacementRequest.query(on: app.db).count() == 0)
            let forged = try await app.send(.POST, "/cases/\(caseID)/placement", headers: lawyer.headers, body: formBody([("csrf", "x"), ("urgency", "routine")]))
            #expect(forged.status == .forbidden)
            let sent = try await app.send(.POST, "/cases/\(caseID)/placement", headers: lawyer.headers,
                                          body: formBody([("csrf", lawyer.csrf), ("urgency", "routine"), ("childAge[]", "7"), ("childSex[]", "male"),
                                                          ("childAge[]", ""), ("childSex[]", "female"), ("earliestAdmission", "05.12.2026"),
                                                          ("avoidRegions", "Xətai, \"'><script>")]))
            #expect(sent.status == .seeOther, "\(sent.body.string.prefix(300))")
            let request = try #require(try await PlacementRequest.query(on: app.db).first())
            #expect(request.places == 2 && request.earliestAdmission != nil)

            let sxa = try await app.browser(.sxaOfficer)
            let inbox = try await app.send(.GET, "/sxa/inbox?lang=en", headers: sxa.headers)
            #expect(inbox.status == .ok && inbox.body.string.contains(request.pseudonym))
            let detail = try await app.send(.GET, "/sxa/requests/\(request.id!)?lang=en", headers: sxa.headers)
            // SXA's side of the thread is its conversation with DOST (the DOST side's is with SXA).
            #expect(detail.body.string.contains("<h2 id=\"thread-h\">Conversation with DOST</h2>"))
            #expect(detail.status == .ok && !detail.body.string.contains("<script>") && detail.body.string.contains("&lt;script&gt;"))
            let noShelter = try await app.send(.POST, "/sxa/requests/\(request.id!)/decision?lang=en", headers: sxa.headers,
                                               body: formBody([("csrf", sxa.csrf), ("decision", "approved")]))
            #expect(noShelter.status == .unprocessableEntity)
            let shelterID = try await app.shelterID()
            let approved = try await app.send(.POST, "/sxa/requests/\(request.id!)/decision", headers: sxa.headers,
                                              body: formBody([("csrf", sxa.csrf), ("decision", "approved"), ("shelterId", shelterID.uuidString)]))
            #expect(approved.status == .seeOther)

            // The DOST side sees the code and prints the slip; SXA never sees it.
            let casePage = try await app.send(.GET, "/cases/\(caseID)?lang=en", headers: lawyer.headers)
            let lawyerAPI = try await app.caller(.lawyer)
            let code = try #require(((try await lawyerAPI.send(.GET, "/api/v1/cases/\(caseID)")).object["placement"] as? [String: Any])?["admissionCode"] as? String)
            #expect(casePage.body.string.contains(code))
            // It names the shelter that accepted her; reception, who does not ask for placement, is not told.
            let shelter = try #require(try await Unit.find(shelterID, on: app.db))
            #expect(casePage.body.string.contains("<dd>\(shelter.name)</dd>"))
            let front = try await app.browser(.reception)
            #expect(!(try await app.send(.GET, "/cases/\(caseID)?lang=en", headers: front.headers)).body.string.contains("<dd>\(shelter.name)</dd>"))
            #expect(try await app.send(.GET, "/cases/\(caseID)/placement/slip?lang=en", headers: lawyer.headers).body.string.contains(code))
            #expect(!(try await app.send(.GET, "/sxa/requests/\(request.id!)", headers: sxa.headers)).body.string.contains(code))

            let door = try await app.browser(.shelterStaff)
            let wrong = try await app.send(.POST, "/shelter/SHELTER-SXA-1/admissions?lang=ru", headers: door.headers,
                                           body: formBody([("csrf", door.csrf), ("admissionCode", "'><script>")]))
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains(Catalogue.shared.text("error.admissionCodeInvalid", .ru)))
            let admitted = try await app.send(.POST, "/shelter/SHELTER-SXA-1/admissions?lang=en", headers: door.headers,
                                              body: formBody([("csrf", door.csrf), ("admissionCode", code)]))
            #expect(admitted.status == .created && admitted.body.string.contains(request.pseudonym))
            let stay = try #require(try await ShelterStay.query(on: app.db).first())
            #expect(try await app.send(.POST, "/shelter/SHELTER-SXA-1/stays/\(stay.id!)/services", headers: door.headers,
                                       body: formBody([("csrf", door.csrf), ("services[]", "legalAid")])).status == .seeOther)
            #expect(try await app.send(.POST, "/shelter/SHELTER-SXA-1/stays/\(stay.id!)/discharge", headers: door.headers,
                                       body: formBody([("csrf", door.csrf), ("reason", "movedToRelatives"), ("confirmed", "yes")])).status == .seeOther)
            #expect(try await ShelterStay.find(stay.id, on: app.db)?.dischargeReason == "movedToRelatives")
            // Another shelter's staff cannot open this shelter's pages.
            let other = try await app.browser(.shelterStaff, unit: "SHELTER-NGO-1")
            #expect(try await app.send(.GET, "/shelter/SHELTER-SXA-1", headers: other.headers).status == .notFound)
        }
    }

    @Test("the registry: SXA edits a shelter and sees its location; the admin edits but never sees it")
    func registry() async throws {
        try await withPenah { app in
            let sxa = try await app.browser(.sxaOfficer)
            let shelterID = try await app.shelterID()
            let badAge = try await app.send(.POST, "/shelters/\(shelterID)/edit?lang=en", headers: sxa.headers,
                                            body: formBody([("csrf", sxa.csrf), ("operator", "sxa"), ("boysMaxAge", "40"), ("location", "x")]))
            #expect(badAge.status == .unprocessableEntity)
            let saved = try await app.send(.POST, "/shelters/\(shelterID)/edit", headers: sxa.headers,
                                           body: formBody([("csrf", sxa.csrf), ("operator", "sxa"), ("takesWomen", "1"), ("takesChildren", "1"), ("boysMaxAge", "12"),
                                                           ("accessible[]", "wheelchair"), ("languages", "az, ru"), ("district", "Binəqədi"),
                                                           ("location", "Gizli ünvan 5"), ("accreditedTo", "31.12.2027")]))
            #expect(saved.status == .seeOther)
            #expect(try await app.send(.GET, "/shelters?lang=en", headers: sxa.headers).body.string.contains("Gizli ünvan 5"))
            let admin = try await app.browser(.admin)
            let adminView = try await app.send(.GET, "/shelters?lang=en", headers: admin.headers)
            #expect(adminView.status == .ok && !adminView.body.string.contains("Gizli ünvan 5"))
            let adminAPI = try await app.caller(.admin)
            #expect(!(try await adminAPI.send(.GET, "/api/v1/shelters")).text.contains("Gizli ünvan 5"))
            // The admin's save keeps the location it cannot see.
            #expect(try await app.send(.POST, "/shelters/\(shelterID)/edit", headers: admin.headers,
                                       body: formBody([("csrf", admin.csrf), ("operator", "ngo"), ("takesWomen", "1"), ("location", "elsewhere")])).status == .seeOther)
            #expect(try await ShelterProfile.query(on: app.db).filter(\.$unitID == shelterID).first()?.location == "Gizli ünvan 5")
            #expect(try await app.send(.GET, "/shelters", headers: (try await app.browser(.lawyer)).headers).status == .notFound)
        }
    }
}
