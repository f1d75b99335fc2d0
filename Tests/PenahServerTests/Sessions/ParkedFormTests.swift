import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("A form sent as the session ends is kept, sealed, for the same person")
struct ParkedFormTests {
    static let notes = "Boğdu, sonra qapını bağladı — \"'><script>x</script>"

    func assessment(_ csrf: String) -> ByteBuffer {
        formBody([("csrf", csrf), ("section", "legal"), ("violenceForms[]", "physical"), ("violenceForms[]", "psychological"),
                  ("relationship", "spouse"), ("incidentDate", "20.11.2026"), ("incidentDistrict", "Nəsimi"),
                  ("needs[]", "shelter"), ("riskFactors[]", "strangulation"), ("notes", Self.notes)])
    }

    /// Makes the browser's session run out, as 31 minutes without a request would.
    func lapse(_ browser: TestBrowser, on app: Application) async throws {
        try await AuthSession.query(on: app.db).filter(\.$user.$id == browser.staff.user.requireID())
            .set(\.$lastSeenAt, to: Date().addingTimeInterval(-31 * 60)).update()
    }

    func cookieHeaders(_ cookie: String) -> HTTPHeaders {
        var headers = formHeaders
        headers.add(name: .cookie, value: "penah_session=\(cookie)")
        return headers
    }

    @Test("without JavaScript: posted after the idle timeout → kept sealed, offered after sign-in, sent once with every check")
    func postedAfterExpiry() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let lawyer = try await app.browser(.lawyer)
            try await lapse(lawyer, on: app)

            let late = try await app.send(.POST, "/cases/\(id)/assessment", headers: lawyer.headers, body: assessment(lawyer.csrf))
            #expect(late.status == .seeOther)
            #expect(late.headers.first(name: .location) == "/login?kept=1")
            #expect(try await CaseAssessment.query(on: app.db).count() == 0, "nothing is saved under a session that ended")
            let parked = try #require(try await ParkedForm.query(on: app.db).first())
            #expect(parked.action == "/cases/\(id)/assessment")
            #expect(!parked.fieldsSealed.contains("Boğdu") && !parked.fieldsSealed.contains("strangulation"), "kept sealed")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "session.formParked").count() == 1)
            let signInPage = try await app.send(.GET, "/login?kept=1&lang=en")
            #expect(signInPage.body.string.contains("has been kept for 30 minutes"))

            // Signing in again leads to what was kept, shown escaped.
            let signedIn = try await app.signIn(lawyer.staff)
            #expect(signedIn.headers.first(name: .location) == ParkedFormPages.path)
            let cookie = try #require(signedIn.cookie("penah_session"))
            let page = try await app.send(.GET, ParkedFormPages.path, headers: .session(cookie))
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Boğdu") && !page.body.string.contains("<script>x"))
            #expect(page.headers.first(name: .cacheControl)?.contains("no-store") == true)
            let csrf = page.body.string.components(separatedBy: "name=\"csrf\" value=\"")[1].components(separatedBy: "\"")[0]

            // Sent on: the assessment is saved as if it had just been submitted, and only once.
            let send = try await app.send(.POST, "\(ParkedFormPages.path)/\(parked.id!)/send", headers: cookieHeaders(cookie),
                                          body: formBody([("csrf", csrf)]))
            #expect(send.status == .seeOther, "\(send.status) \(send.body.string.prefix(300))")
            #expect(send.headers.first(name: .location)?.hasPrefix("/cases/\(id)") == true)
            let saved = try await CaseAssessment.query(on: app.db).all()
            #expect(saved.count == 1 && saved.first?.section == .legal && saved.first?.riskFactors.contains("strangulation") == true)
            #expect(try await ParkedForm.query(on: app.db).count() == 0)
            let again = try await app.send(.POST, "\(ParkedFormPages.path)/\(parked.id!)/send", headers: cookieHeaders(cookie),
                                           body: formBody([("csrf", csrf)]))
            #expect(again.status == .seeOther && again.headers.first(name: .location) == ParkedFormPages.path)
            #expect(try await CaseAssessment.query(on: app.db).count() == 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "session.formResumed").count() == 1)
        }
    }

    @Test("kept only with the ended session's CSRF token, from this site, for a session that was not signed out; never for someone else, who is told nothing")
    func onlyForTheSamePerson() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let lawyer = try await app.browser(.lawyer)
            try await lapse(lawyer, on: app)
            // Another site's form, a wrong token, a signed-out session: refused as before, nothing kept.
            var crossSite = lawyer.headers
            crossSite.add(name: "Sec-Fetch-Site", value: "cross-site")
            #expect(try await app.send(.POST, "/cases/\(id)/assessment", headers: crossSite, body: assessment(lawyer.csrf)).status == .forbidden)
            #expect(try await app.send(.POST, "/cases/\(id)/assessment", headers: lawyer.headers,
                                       body: assessment(String(repeating: "x", count: 43))).status == .forbidden)
            #expect(try await ParkedForm.query(on: app.db).count() == 0)
            let other = try await app.browser(.lawyer)
            try await AuthSession.query(on: app.db).filter(\.$user.$id == other.staff.user.requireID()).set(\.$endedAt, to: Date()).update()
            #expect(try await app.send(.POST, "/cases/\(id)/assessment", headers: other.headers, body: assessment(other.csrf)).status == .forbidden)
            #expect(try await ParkedForm.query(on: app.db).count() == 0)

            // Kept for the lawyer; a colleague who signs in is not offered it and cannot send or discard it.
            #expect(try await app.send(.POST, "/cases/\(id)/assessment", headers: lawyer.headers, body: assessment(lawyer.csrf)).status == .seeOther)
            let parked = try #require(try await ParkedForm.query(on: app.db).first())
            let colleague = try await app.makeStaff(.lawyer)
            let signedIn = try await app.signIn(colleague)
            #expect(signedIn.headers.first(name: .location) == "/staff")
            let cookie = try #require(signedIn.cookie("penah_session"))
            #expect(try await app.send(.GET, ParkedFormPages.path, headers: .session(cookie)).status == .seeOther)
            let session = try #require(try await AuthSession.query(on: app.db).filter(\.$user.$id == colleague.user.requireID()).filter(\.$endedAt == nil).first())
            for verb in ["send", "discard"] {
                let response = try await app.send(.POST, "\(ParkedFormPages.path)/\(parked.id!)/\(verb)", headers: cookieHeaders(cookie),
                                                  body: formBody([("csrf", session.csrfToken!)]))
                #expect(response.status == .seeOther, "\(verb)")
            }
            #expect(try await ParkedForm.query(on: app.db).count() == 1)
            #expect(try await CaseAssessment.query(on: app.db).count() == 0)

            // Past its lifetime it is not offered any more.
            try await ParkedForm.query(on: app.db).set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            #expect(try await app.signIn(lawyer.staff).headers.first(name: .location) == "/staff")
        }
    }

    @Test("the script's hand-over at the idle timeout: kept for the page's own forms only, the last one ends the session")
    func scriptHandOver() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let lawyer = try await app.browser(.lawyer)
            func park(_ action: String, last: Bool) async throws -> HTTPStatus {
                try await app.send(.POST, "/session/park", headers: lawyer.headers,
                                   body: formBody([("csrf", lawyer.csrf), ("_action", action), ("notes", Self.notes)] + (last ? [("_last", "1")] : []))).status
            }
            for hostile in ["https://evil.example/x", "//evil.example", "/api/v1/cases", "/login", "/cases/../admin", "/session/park"] {
                #expect(try await park(hostile, last: false) == .unprocessableEntity, "\(hostile)")
            }
            #expect(try await park("/cases/\(id)/assessment", last: false) == .noContent)
            #expect(try await app.send(.GET, "/staff", headers: lawyer.headers).status == .ok, "still signed in before the last")
            #expect(try await park("/cases/\(id)/notices", last: true) == .noContent)
            #expect(try await app.send(.GET, "/staff", headers: lawyer.headers).status == .seeOther, "the last hand-over ends the session")
            #expect(try await ParkedForm.query(on: app.db).count() == 2)

            // Discarding removes it.
            let signedIn = try await app.signIn(lawyer.staff)
            let cookie = try #require(signedIn.cookie("penah_session"))
            let session = try #require(try await AuthSession.query(on: app.db).filter(\.$user.$id == lawyer.staff.user.requireID()).filter(\.$endedAt == nil).first())
            let first = try #require(try await ParkedForm.query(on: app.db).sort(\.$createdAt).first())
            let discard = try await app.send(.POST, "\(ParkedFormPages.path)/\(first.id!)/discard", headers: cookieHeaders(cookie),
                                             body: formBody([("csrf", session.csrfToken!)]))
            #expect(discard.status == .seeOther)
            #expect(try await ParkedForm.query(on: app.db).count() == 1)
        }
    }

    @Test("form fields survive the round trip: order, repeats, Azerbaijani letters and reserved characters")
    func fieldRoundTrip() {
        let pairs = [("needs[]", "shelter"), ("needs[]", "legal"), ("notes", "Gülnarə & İlkin = 100% + \"quoted\"\nnew line"), ("empty", "")]
        let decoded = FormFields.pairs(ByteBuffer(string: FormFields.encode(pairs)))
        #expect(decoded.map(\.0) == pairs.map(\.0) && decoded.map(\.1) == pairs.map(\.1))
    }
}
