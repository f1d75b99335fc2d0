import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

/// The entrance kiosk is a device account: enrolled once with a code, it issues its unit's tickets
/// and can reach nothing else; staff sessions no longer open the kiosk page.
@Suite("Kiosk devices")
struct KioskDeviceTests {
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(html[range]).components(separatedBy: "value=\"").last?.dropLast().description
    }

    /// A kiosk enrolled through `/device/enrol` as its browser would be: its session cookie header.
    static func enrolledKiosk(_ app: Application, unit: String = "BAKU-1") async throws -> (cookie: String, code: String) {
        try await app.seedUnits()
        let (_, code) = try await Enrolment(db: app.db, keyring: app.keyring, hasher: app.bcrypt)
            .invite(username: "kiosk.\(UUID().uuidString.prefix(6).lowercased())", displayName: nil, role: .kiosk, unitCode: unit, actor: .system("t"))
        let form = try await app.send(.GET, "/device/enrol")
        let pre = try #require(form.cookie(CSRF.preSessionCookie))
        var headers = formHeaders
        headers.add(name: .cookie, value: "\(CSRF.preSessionCookie)=\(pre)")
        let enrolled = try await app.send(.POST, "/device/enrol", headers: headers,
                                          body: formBody([("csrf", try #require(csrf(in: form.body.string))), ("code", code)]))
        #expect(enrolled.status == .seeOther && enrolled.headers.first(name: .location) == "/kiosk/\(unit)")
        return ("penah_session=\(try #require(enrolled.cookie("penah_session")))", code)
    }

    @Test("an enrolled kiosk issues a ticket by POST then redirect: a reload shows the same ticket and issues none; its page has no way out")
    func postRedirectGet() async throws {
        try await withPenah { app in
            let (cookie, _) = try await Self.enrolledKiosk(app)
            let page = try await app.send(.GET, "/kiosk/BAKU-1?lang=en", headers: ["Cookie": cookie])
            #expect(page.status == .ok)
            let html = page.body.string
            for way in ["/staff", "/cases", "/logout", "/login", "href=\"/\""] { #expect(!html.contains(way), "the kiosk page links to \(way)") }
            var headers = formHeaders
            headers.add(name: .cookie, value: cookie)
            let issued = try await app.send(.POST, "/kiosk/BAKU-1", headers: headers, body: formBody([("csrf", try #require(Self.csrf(in: html)))]))
            #expect(issued.status == .seeOther)
            let location = try #require(issued.headers.first(name: .location))
            #expect(location.hasPrefix("/kiosk/BAKU-1/tickets/"))
            for _ in 0..<2 {
                let shown = try await app.send(.GET, location + "?lang=en", headers: ["Cookie": cookie])
                #expect(shown.status == .ok && shown.body.string.contains("S-001"))
                for word in ["violence", "zorak", "насил", "shelter"] { #expect(!shown.body.string.lowercased().contains(word)) }
            }
            #expect(try await Ticket.query(on: app.db).count() == 1, "reloading issued nothing")
        }
    }

    @Test("a kiosk reaches nothing but its own unit's kiosk: cases, staff pages, the desk and another unit are 404, the API 401")
    func nothingElse() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let caseID = try await reception.register()
            let (cookie, _) = try await Self.enrolledKiosk(app)
            for path in ["/cases", "/cases/\(caseID)", "/staff", "/desk/BAKU-1", "/kiosk/BAKU-2", "/admin/users", "/audit"] {
                let response = try await app.send(.GET, path, headers: ["Cookie": cookie])
                #expect(response.status == .notFound, "\(path) answered \(response.status)")
                #expect(!response.body.string.contains("İsmayılova"))
            }
            // The API takes tokens, not the kiosk's cookie.
            for path in ["/api/v1/cases", "/api/v1/cases/\(caseID)"] {
                let response = try await app.send(.GET, path, headers: ["Cookie": cookie])
                #expect(response.status == .unauthorized && !response.body.string.contains("İsmayılova"), "\(path) answered \(response.status)")
            }
            // And a person's session no longer opens the kiosk page.
            let desk = try await app.browser(.reception)
            #expect(try await app.send(.GET, "/kiosk/BAKU-1", headers: desk.headers).status == .notFound)
        }
    }

    @Test("the hall board, public by the contract, has nothing to click away to and no personal data, with a case open and a ticket called")
    func hallBoardHasNoWayOut() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            _ = try await reception.register()
            let desk = try await app.browser(.reception)
            #expect(try await app.send(.POST, "/desk/BAKU-1/issue", headers: desk.headers, body: formBody([("csrf", desk.csrf), ("desk", "2")])).status == .seeOther)
            #expect(try await app.send(.POST, "/desk/BAKU-1/call-next", headers: desk.headers, body: formBody([("csrf", desk.csrf), ("desk", "2")])).status == .seeOther)
            let board = try await app.send(.GET, "/board/BAKU-1")
            #expect(board.status == .ok)
            #expect(board.body.string.contains("id=\"current-desk\">2<"), "the call is on the board")
            let html = board.body.string
            for way in ["<a ", "<form", "/staff", "/login", "/cases"] { #expect(!html.contains(way), "the board page offers \(way)") }
            #expect(!html.contains("İsmayılova") && !html.contains("Gülnarə"))
        }
    }

    @Test("an enrolment code works once, cannot enrol a person, and a revoked kiosk's session ends at once")
    func enrolOnceAndRevoke() async throws {
        try await withPenah { app in
            let (cookie, code) = try await Self.enrolledKiosk(app)
            let form = try await app.send(.GET, "/device/enrol")
            var headers = formHeaders
            headers.add(name: .cookie, value: "\(CSRF.preSessionCookie)=\(try #require(form.cookie(CSRF.preSessionCookie)))")
            let again = try await app.send(.POST, "/device/enrol", headers: headers,
                                           body: formBody([("csrf", try #require(Self.csrf(in: form.body.string))), ("code", code)]))
            #expect(again.status == .unprocessableEntity)
            // A fresh kiosk code is not a person's enrolment code.
            let (_, fresh) = try await Enrolment(db: app.db, keyring: app.keyring, hasher: app.bcrypt)
                .invite(username: "kiosk.second", displayName: nil, role: .kiosk, unitCode: "BAKU-1", actor: .system("t"))
            #expect(try await Enrolment(db: app.db, keyring: app.keyring, hasher: app.bcrypt).pending(code: fresh) == nil)
            // Revoked: disabled, and its session no longer works.
            let device = try #require(try await StaffUser.query(on: app.db).filter(\.$role == .kiosk).filter(\.$enrolledAt != nil).first())
            var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["penah", "--name", device.username]))
            context.application = app
            try await RevokeDeviceCommand().run(using: &context)
            #expect(try await app.send(.GET, "/kiosk/BAKU-1", headers: ["Cookie": cookie]).status != .ok)
        }
    }
}
