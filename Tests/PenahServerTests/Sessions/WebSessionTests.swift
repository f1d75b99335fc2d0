import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Browser sessions and CSRF")
struct WebSessionTests {
    @Test("'Stay signed in' extends the session without a reload; it needs the CSRF token; the page carries the cleared-screen notice")
    func keepAlive() async throws {
        try await withPenah { app in
            let browser = try await app.browser(.lawyer)
            let session = try #require(try await AuthSession.query(on: app.db).filter(\.$user.$id == browser.staff.user.requireID()).first())
            session.lastSeenAt = Date().addingTimeInterval(-25 * 60)
            try await session.update(on: app.db)
            var headers = browser.headers
            headers.add(name: "X-Requested-With", value: "penah")
            #expect(try await app.send(.POST, "/session/keepalive", headers: headers, body: formBody([])).status == .forbidden)
            let kept = try await app.send(.POST, "/session/keepalive", headers: headers, body: formBody([("csrf", browser.csrf)]))
            #expect(kept.status == .noContent)
            let seen = try #require(try await AuthSession.find(session.id, on: app.db)).lastSeenAt
            #expect(Date().timeIntervalSince(seen) < 60, "the idle clock starts again")
            let page = try await app.send(.GET, "/staff?lang=en", headers: browser.headers).body.string
            #expect(page.contains("id=\"session-stay\"") && page.contains("id=\"session-ended\"") && !page.contains("<a href=\"\">"))
        }
    }

    @Test("signing in sets a strict, HttpOnly, Secure session cookie and opens the staff page")
    func signInFlow() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.supervisor)
            let response = try await app.signIn(staff)
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/staff")
            let header = response.headers[.setCookie].first { $0.hasPrefix("penah_session=") } ?? ""
            #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Secure"))
            let cookie = try #require(response.cookie("penah_session"))
            let page = try await app.send(.GET, "/staff?lang=en", headers: .session(cookie))
            #expect(page.status == .ok)
            #expect(page.headers.first(name: .cacheControl) == "no-store")
            let html = page.body.string
            #expect(html.contains("Test supervisor") && html.contains("Bakı şəhəri 1 saylı DOST mərkəzi") && html.contains("Supervisor"))
            #expect(html.contains("data-idle-seconds=\"1800\""))
        }
    }

    @Test("a session cookie set before sign-in is not valid after it")
    func fixation() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let planted = try await app.webSession(for: staff)
            let response = try await app.signIn(staff, extraCookie: "; penah_session=\(planted.cookie)")
            let fresh = try #require(response.cookie("penah_session"))
            #expect(fresh != planted.cookie)
            #expect(try await app.send(.GET, "/staff", headers: .session(planted.cookie)).status == .seeOther)
            #expect(try await app.send(.GET, "/staff", headers: .session(fresh)).status == .ok)
        }
    }

    @Test("a form post without the CSRF token is 403 and changes nothing", arguments: ["missing", "wrong", "crossSite", "foreignOrigin", "nullOrigin"])
    func csrf(variant: String) async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let session = try await app.webSession(for: staff)
            var headers = formHeaders
            headers.add(name: .cookie, value: "penah_session=\(session.cookie)")
            headers.add(name: .host, value: "penah.example")
            var fields: [(String, String)] = [("csrf", session.csrf)]
            switch variant {
            case "missing": fields = []
            case "wrong": fields = [("csrf", String(session.csrf.reversed()))]
            case "crossSite": headers.add(name: "Sec-Fetch-Site", value: "cross-site")
            case "nullOrigin": headers.add(name: .origin, value: "null")
            default: headers.add(name: .origin, value: "https://evil.example")
            }
            let events = try await AuditEvent.query(on: app.db).count()
            let response = try await app.send(.POST, "/logout", headers: headers, body: formBody(fields))
            #expect(response.status == .forbidden)
            #expect(try await app.send(.GET, "/staff", headers: .session(session.cookie)).status == .ok, "session must survive")
            #expect(try await AuditEvent.query(on: app.db).count() == events)
        }
    }

    @Test("the sign-in form itself needs its CSRF token")
    func loginCSRF() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let response = try await app.send(.POST, "/login", headers: formHeaders, body: formBody([
                ("username", staff.username), ("password", staff.password), ("otp", staff.currentCode()),
            ]))
            #expect(response.status == .forbidden)
            #expect(response.cookie("penah_session") == nil)
            #expect(try await AuthSession.query(on: app.db).count() == 0)
        }
    }

    @Test("sign-out ends the session on the server")
    func signOut() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.lawyer)
            let session = try await app.webSession(for: staff)
            var headers = formHeaders
            headers.add(name: .cookie, value: "penah_session=\(session.cookie)")
            let response = try await app.send(.POST, "/logout", headers: headers, body: formBody([("csrf", session.csrf)]))
            #expect(response.status == .seeOther)
            #expect(try await app.send(.GET, "/staff", headers: .session(session.cookie)).status == .seeOther)
        }
    }

    @Test("a failed sign-in re-renders the form with one neutral message, escaping what was typed")
    func failedForm() async throws {
        try await withPenah { app in
            let (pre, csrf) = try await app.openSignInForm()
            var headers = formHeaders
            headers.add(name: .cookie, value: "penah_pre=\(pre)")
            let response = try await app.send(.POST, "/login?lang=ru", headers: headers, body: formBody([
                ("csrf", csrf), ("username", "\"'><script>alert(1)</script>"), ("password", "x"), ("otp", "1"),
            ]))
            #expect(response.status == .unauthorized)
            let html = response.body.string
            #expect(html.contains("Неверное имя пользователя, пароль или код."))
            #expect(!html.contains("<script>alert(1)"))
            #expect(html.contains("&lt;script&gt;") || html.contains("&#"))
        }
    }

    @Test("the staff page renders in every language with no raw keys", arguments: Language.allCases)
    func staffPageLanguages(language: Language) async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.admin)
            let session = try await app.webSession(for: staff)
            for path in ["/staff", "/login"] {
                let html = try await app.send(.GET, "\(path)?lang=\(language.rawValue)", headers: .session(session.cookie)).body.string
                #expect(rawKeys(in: html).isEmpty, "raw keys \(rawKeys(in: html)) on \(path)")
            }
            let html = try await app.send(.GET, "/staff?lang=\(language.rawValue)", headers: .session(session.cookie)).body.string
            #expect(html.contains(Catalogue.shared.text("role.admin", language)))
            // The staff menu, not a table of every unit.
            #expect(html.contains(Catalogue.shared.text("admin.users.heading", language)))
            #expect(!html.contains(Catalogue.shared.text("unit.kind.regionalCentre", language)))
        }
    }
}
