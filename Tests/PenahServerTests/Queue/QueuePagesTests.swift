import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Desk and kiosk pages")
struct QueuePagesTests {
    func browser(_ app: Application, unit: String = "BAKU-1") async throws -> (HTTPHeaders, String) {
        let browser = try await app.browser(.reception, unit: unit)
        return (browser.headers, browser.csrf)
    }

    @Test("the kiosk prints a neutral ticket; the desk issues, calls, starts and finishes through forms")
    func flow() async throws {
        try await withPenah { app in
            let (headers, csrf) = try await browser(app)
            // The kiosk is a device of its own (see `KioskDeviceTests`).
            let (cookie, _) = try await KioskDeviceTests.enrolledKiosk(app)
            let page = try await app.send(.GET, "/kiosk/BAKU-1?lang=en", headers: ["Cookie": cookie])
            var kioskHeaders = formHeaders
            kioskHeaders.add(name: .cookie, value: cookie)
            let kiosk = try await app.send(.POST, "/kiosk/BAKU-1", headers: kioskHeaders,
                                           body: formBody([("csrf", try #require(KioskDeviceTests.csrf(in: page.body.string)))]))
            let printed = try await app.send(.GET, (kiosk.headers.first(name: .location) ?? "") + "?lang=en", headers: ["Cookie": cookie])
            let html = printed.body.string
            #expect(html.contains("S-001") && html.contains("Social services") && html.contains("Watch for your number"))
            for word in ["violence", "zorak", "насил", "shelter"] { #expect(!html.lowercased().contains(word)) }

            let issued = try await app.send(.POST, "/desk/BAKU-1/issue", headers: headers,
                                            body: formBody([("csrf", csrf), ("desk", "2"), ("priority", "priority")]))
            #expect(issued.status == .seeOther)
            let called = try await app.send(.POST, "/desk/BAKU-1/call-next", headers: headers, body: formBody([("csrf", csrf), ("desk", "2")]))
            #expect(called.status == .seeOther && called.headers.first(name: .location) == "/desk/BAKU-1?desk=2")
            let desk = try await app.send(.GET, "/desk/BAKU-1?desk=2&lang=en", headers: headers)
            #expect(desk.status == .ok)
            #expect(desk.body.string.contains("S-002") && desk.body.string.contains("(called)"))
            #expect(desk.body.string.contains("S-001"), "S-001 still waits")
            let ticket = try #require(try await Ticket.query(on: app.db).filter(\.$number == 2).first())
            let started = try await app.send(.POST, "/desk/BAKU-1/tickets/\(ticket.id!)/start", headers: headers,
                                             body: formBody([("csrf", csrf), ("desk", "2")]))
            #expect(started.status == .seeOther)
            #expect(started.headers.first(name: .location) == "/cases/new?ticket=\(ticket.id!.uuidString)", "starting opens the intake form")
            let again = try await app.send(.POST, "/desk/BAKU-1/tickets/\(ticket.id!)/start", headers: headers,
                                           body: formBody([("csrf", csrf), ("desk", "2")]))
            #expect(again.status == .conflict)
            let bogus = try await app.send(.POST, "/desk/BAKU-1/tickets/\(ticket.id!)/explode", headers: headers,
                                           body: formBody([("csrf", csrf), ("desk", "2")]))
            #expect(bogus.status == .notFound)
            let badDesk = try await app.send(.GET, "/desk/BAKU-1?desk=77", headers: headers)
            #expect(badDesk.status == .unprocessableEntity)
        }
    }

    @Test("the language switcher keeps every query parameter; the desk is remembered for the browser session")
    func switcherAndRememberedDesk() async throws {
        try await withPenah { app in
            let (headers, _) = try await browser(app)
            let desk2 = try await app.send(.GET, "/desk/BAKU-1?desk=2", headers: headers)
            #expect(desk2.body.string.contains(#"href="?desk=2&amp;lang=en""#), "the switcher keeps ?desk=2")
            let cookie = try #require(desk2.headers.setCookie?[QueuePages.deskCookie])
            #expect(cookie.string == "2" && cookie.path == "/desk/BAKU-1" && cookie.isHTTPOnly && cookie.sameSite == .strict)
            #expect(cookie.maxAge == nil && cookie.expires == nil, "forgotten when the browser closes")

            func page(remembering value: String) async throws -> String {
                var withDesk = headers
                withDesk.replaceOrAdd(name: .cookie, value: (headers.first(name: .cookie) ?? "") + "; \(QueuePages.deskCookie)=\(value)")
                let answer = try await app.send(.GET, "/desk/BAKU-1?lang=en", headers: withDesk)
                #expect(answer.status == .ok, "\(value): \(answer.status)")
                return answer.body.string
            }
            #expect(try await page(remembering: "2").contains(#"<option value="2" selected>"#), "opened without ?desk=, the remembered desk")
            for stale in ["99", "0", "-1", "two", "'><script>"] {
                #expect(try await page(remembering: stale).contains(#"<option value="1" selected>"#), "\(stale) falls back to desk 1")
            }

            let hostile = try await app.send(.GET, "/desk/BAKU-1?desk=2&x=%22%3E%3Cscript%3E&lang=%22%3E", headers: headers)
            #expect(hostile.status == .ok)
            #expect(!hostile.body.string.contains("\"><script>") && !hostile.body.string.contains("lang=%22%3E&"), "old lang dropped, the rest kept escaped")
            #expect(hostile.body.string.contains("?desk=2&amp;x=%22%3E%3Cscript%3E&amp;lang=ru"))
        }
    }

    @Test("an error names the field by its label, never its code: a transfer without a desk says 'To desk', not 'to'")
    func errorsUseLabels() async throws {
        try await withPenah { app in
            var (headers, csrf) = try await browser(app)
            headers.replaceOrAdd(name: .acceptLanguage, value: "en")
            _ = try await app.send(.POST, "/desk/BAKU-1/issue", headers: headers, body: formBody([("csrf", csrf), ("desk", "1")]))
            _ = try await app.send(.POST, "/desk/BAKU-1/call-next", headers: headers, body: formBody([("csrf", csrf), ("desk", "1")]))
            let ticket = try #require(try await Ticket.query(on: app.db).first())
            let page = try await app.send(.POST, "/desk/BAKU-1/tickets/\(ticket.id!)/transfer", headers: headers,
                                          body: formBody([("csrf", csrf), ("desk", "1")]))
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.string.contains("<strong>\(Catalogue.shared.text("field.to", .en))</strong>"))
            #expect(!page.body.string.contains("<strong>to</strong>"))
        }
    }

    @Test("call next while a ticket still holds the desk calls nobody and says which ticket to deal with first; issuing shows the number")
    func callNextHoldsDesk() async throws {
        try await withPenah { app in
            let (headers, csrf) = try await browser(app)
            for _ in 0..<3 {
                let issued = try await app.send(.POST, "/desk/BAKU-1/issue", headers: headers, body: formBody([("csrf", csrf), ("desk", "2")]))
                #expect(issued.status == .seeOther)
            }
            let issuedAt = try await app.send(.POST, "/desk/BAKU-1/issue", headers: headers, body: formBody([("csrf", csrf), ("desk", "2")]))
            let location = try #require(issuedAt.headers.first(name: .location))
            #expect(location == "/desk/BAKU-1?desk=2&issued=S-004")
            let shown = try await app.send(.GET, location + "&lang=en", headers: headers)
            #expect(shown.body.string.contains(Catalogue.shared.text("queue.desk.issued", .en, ["number": "S-004"])))
            let forged = try await app.send(.GET, "/desk/BAKU-1?desk=2&issued=%3Cscript%3E&lang=en", headers: headers)
            #expect(forged.status == .ok && !forged.body.string.contains("&lt;script&gt;") && !forged.body.string.contains("<script>alert"))

            let first = try await app.send(.POST, "/desk/BAKU-1/call-next", headers: headers, body: formBody([("csrf", csrf), ("desk", "2")]))
            #expect(first.status == .seeOther)
            // Pressed again before S-001 was dealt with: nobody else is called to this desk.
            for _ in 0..<2 {
                var en = headers
                en.replaceOrAdd(name: .acceptLanguage, value: "en")
                let again = try await app.send(.POST, "/desk/BAKU-1/call-next", headers: en, body: formBody([("csrf", csrf), ("desk", "2")]))
                #expect(again.status == .conflict)
                #expect(again.body.string.contains(Catalogue.shared.text("queue.desk.finishFirst", .en, ["number": "S-001"])))
            }
            let called = try await Ticket.query(on: app.db).filter(\.$status == .called).all()
            #expect(called.map(\.number) == [1], "one ticket called, not three")
            // Another desk still calls.
            let other = try await app.send(.POST, "/desk/BAKU-1/call-next", headers: headers, body: formBody([("csrf", csrf), ("desk", "3")]))
            #expect(other.status == .seeOther)
            // Once S-001 is a no-show, desk 2 calls the next.
            let ticket = try #require(try await Ticket.query(on: app.db).filter(\.$number == 1).first())
            _ = try await app.send(.POST, "/desk/BAKU-1/tickets/\(ticket.id!)/noShow", headers: headers, body: formBody([("csrf", csrf), ("desk", "2")]))
            let next = try await app.send(.POST, "/desk/BAKU-1/call-next", headers: headers, body: formBody([("csrf", csrf), ("desk", "2")]))
            #expect(next.status == .seeOther)
            #expect(try await Ticket.query(on: app.db).filter(\.$status == .called).filter(\.$desk == 2).count() == 1)
        }
    }

    @Test("presses at once, from the page or from two server nodes, call one ticket to a desk and tell the rest which ticket holds it")
    func simultaneousPresses() async throws {
        try await withPenah { app in
            let (headers, csrf) = try await browser(app)
            for _ in 0..<6 {
                _ = try await app.send(.POST, "/desk/BAKU-1/issue", headers: headers, body: formBody([("csrf", csrf), ("desk", "1")]))
            }
            // The old page looked at the desk before the call: presses at once all passed the look.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await app.send(.POST, "/desk/BAKU-1/call-next", headers: headers, body: formBody([("csrf", csrf), ("desk", "1")])).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .seeOther }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 3)
            #expect(try await Ticket.query(on: app.db).filter(\.$status == .called).filter(\.$desk == 1).count() == 1)

            // Two nodes group their presses apart and share only the database.
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            let nodes = [app.queue, QueueService(db: app.db, board: app.board, groups: QueueGroups())]
            let outcomes = try await withThrowingTaskGroup(of: QueueGroups.CallOutcome.self) { group in
                for press in 0..<6 {
                    group.addTask {
                        try await nodes[press % 2].call(unit: unit, desk: 2, actor: .system("t"), keepingDeskRule: true)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let called = outcomes.compactMap(\.ticket)
            #expect(called.count == 1)
            let held = outcomes.compactMap { if case .deskHeld(let number) = $0 { number } else { nil } }
            #expect(held.count == 5 && held.allSatisfy { $0 == called.first?.label })
            #expect(try await Ticket.query(on: app.db).filter(\.$status == .called).filter(\.$desk == 2).count() == 1)
            // The rule is the desk's own: desk 3 still calls.
            #expect(try await app.queue.call(unit: unit, desk: 3, actor: .system("t"), keepingDeskRule: true).ticket != nil)
        }
    }

    @Test("another unit's desk and kiosk are 404; forms without CSRF are 403")
    func scope() async throws {
        try await withPenah { app in
            let (headers, csrf) = try await browser(app, unit: "BAKU-2")
            #expect(try await app.send(.GET, "/desk/BAKU-1", headers: headers).status == .notFound)
            #expect(try await app.send(.POST, "/kiosk/BAKU-1", headers: headers, body: formBody([("csrf", csrf)])).status == .notFound)
            #expect(try await app.send(.POST, "/desk/BAKU-2/call-next", headers: headers, body: formBody([("desk", "1")])).status == .forbidden)
            #expect(try await Ticket.query(on: app.db).count() == 0)
        }
    }
}

@Suite("Queue statistics page")
struct QueueStatsPageTests {
    @Test("the supervisor sees today's figures and a 30-day chart; reception does not")
    func page() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            let queue = app.queue
            // The queue counts by the Baku day: five minutes before "now" must still be today's,
            // or a run just after Baku midnight (20:00 UTC) finds yesterday's tickets uncallable.
            let now = max(Date(), Self.startOfBakuDay().addingTimeInterval(600))
            for _ in 0..<3 { _ = try await queue.issue(unit: unit, priority: .standard, actor: .system("t"), now: now.addingTimeInterval(-300)) }
            let supervisor = try await app.makeStaff(.supervisor)
            let staff = StaffContext(userID: try supervisor.user.requireID(), username: "", displayName: "", role: .supervisor,
                                     unitCode: "BAKU-1", unitName: "", session: AuthSessionRef(id: UUID(), kind: .web, csrfToken: nil))
            let first = try #require(try await queue.callNext(unit: unit, desk: 1, actor: .system("t"), now: now.addingTimeInterval(-120)))
            _ = try await queue.apply(.start, ticketID: first.requireID(), staff: staff, actor: .system("t"), now: now.addingTimeInterval(-100))
            _ = try await queue.apply(.finish, ticketID: first.requireID(), staff: staff, actor: .system("t"), now: now.addingTimeInterval(-60))
            let second = try #require(try await queue.callNext(unit: unit, desk: 2, actor: .system("t"), now: now.addingTimeInterval(-60)))
            _ = try await queue.apply(.noShow, ticketID: second.requireID(), staff: staff, actor: .system("t"), now: now)

            let session = try await app.webSession(for: supervisor)
            let response = try await app.send(.GET, "/queue-stats/BAKU-1?lang=en", headers: .session(session.cookie))
            #expect(response.status == .ok)
            let html = response.body.string
            #expect(html.contains("<svg class=\"chart\""))
            #expect(html.contains("<dt>Tickets issued</dt><dd>3</dd>"))
            #expect(html.contains("<dt>No-shows</dt><dd>1</dd>"))
            #expect(html.contains("<dt>Average service</dt><dd>1 min 0 s</dd>"))
            #expect(html.components(separatedBy: "<rect ").count - 1 == 30)

            let reception = try await app.webSession(for: try await app.makeStaff(.reception))
            #expect(try await app.send(.GET, "/queue-stats/BAKU-1", headers: .session(reception.cookie)).status == .notFound)
            let otherUnit = try await app.webSession(for: try await app.makeStaff(.supervisor, unit: "BAKU-2"))
            #expect(try await app.send(.GET, "/queue-stats/BAKU-1", headers: .session(otherUnit.cookie)).status == .notFound)
        }
    }

    static func startOfBakuDay() -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = BakuFormat.timeZone
        return calendar.startOfDay(for: Date())
    }
}
