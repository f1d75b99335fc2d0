import AsyncHTTPClient
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("The desk page's live feed")
struct DeskFeedTests {
    /// Reads the feed until `text` holds `marker`, or fails after 20 s rather than hang.
    func read(_ body: inout HTTPClientResponse.Body.AsyncIterator, into text: inout String, until marker: String) async throws {
        let deadline = Date().addingTimeInterval(20)
        while !text.contains(marker) && Date() < deadline { text += String(buffer: try #require(try await body.next())) }
        #expect(text.contains(marker), "the feed never said \(marker): \(text)")
    }

    @Test("a ticket issued at the kiosk, a call and a finish at another desk each tell the unit's open desk pages, live; the feed ends with the session")
    func live() async throws {
        try await withPenah { app in
            let reception = try await app.makeStaff(.reception)
            let session = try await app.webSession(for: reception)
            let port = try await app.startServerOnFreePort()
            do {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/desk/BAKU-1/events")
                request.headers.add(name: "Cookie", value: "penah_session=\(session.cookie)")
                let response = try await app.http.client.shared.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok && response.headers.first(name: "Content-Type") == "text/event-stream")
                #expect(response.headers.first(name: .cacheControl) == "no-store")
                var body = response.body.makeAsyncIterator()
                var text = ""
                try await read(&body, into: &text, until: ": connected")
                let desk = try await app.caller(.reception)
                #expect(try await desk.send(.POST, "/api/v1/units/BAKU-1/tickets", ["priority": "standard"]).status == .created)
                try await read(&body, into: &text, until: "event: queue\ndata: changed\n")
                text = ""
                let called = try await desk.send(.POST, "/api/v1/units/BAKU-1/desks/4/call-next")
                #expect(called.status == .ok, "\(called.text)")
                try await read(&body, into: &text, until: "event: queue")
                // Nothing on the feed names a ticket, let alone a person.
                #expect(!text.contains("S-0"))
                // Signed out: the next change ends the feed.
                var headers = formHeaders
                headers.add(name: .cookie, value: "penah_session=\(session.cookie)")
                _ = try await app.send(.POST, "/logout", headers: headers, body: formBody([("csrf", session.csrf)]))
                text = ""
                #expect(try await desk.send(.POST, "/api/v1/units/BAKU-1/tickets", ["priority": "standard"]).status == .created)
                while let chunk = try await body.next() { text += String(buffer: chunk) }
                #expect(!text.contains("event: queue"))
            } catch {
                await app.server.shutdown()
                throw error
            }
            await app.server.shutdown()
        }
    }

    @Test("a desk page that goes away mid-feed is unsubscribed at the next change, and the (debug) server stays up")
    func clientDisconnects() async throws {
        try await withPenah { app in
            let reception = try await app.makeStaff(.reception)
            let session = try await app.webSession(for: reception)
            let unitID = try #require(try await UnitService(db: app.db).find(code: "BAKU-1")?.id)
            let port = try await app.startServerOnFreePort()
            do {
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/desk/BAKU-1/events")
                request.headers.add(name: "Cookie", value: "penah_session=\(session.cookie)")
                let response = try await client.execute(request, timeout: .seconds(30))
                var body = response.body.makeAsyncIterator()
                var text = ""
                try await read(&body, into: &text, until: ": connected")
                #expect(NotificationHub.shared.connected(unitID) == 1)
                // The browser goes away without a word; the next queue changes find it gone.
                try await client.shutdown()
                for _ in 0..<200 where NotificationHub.shared.connected(unitID) > 0 {
                    NotificationHub.shared.ping([unitID])
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(NotificationHub.shared.connected(unitID) == 0)
                let health = try await app.http.client.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"), timeout: .seconds(10))
                #expect(health.status == .ok)
            } catch {
                await app.server.shutdown()
                throw error
            }
            await app.server.shutdown()
        }
    }

    @Test("the feed is the unit's own: another unit's desk feed is 404, a role without a desk is refused, and listening does not keep a session alive")
    func scope() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception, unit: "BAKU-1")
            let other = try await app.send(.GET, "/desk/BAKU-2/events", headers: reception.headers)
            #expect(other.status == .notFound)
            let lawyer = try await app.browser(.lawyer, unit: "BAKU-1")
            #expect(try await app.send(.GET, "/desk/BAKU-1/events", headers: lawyer.headers).status.code >= 400)
            #expect(SitePath.isLiveFeed("/desk/BAKU-1/events") && SitePath.isLiveFeed("/notifications/events"))
            #expect(!SitePath.isLiveFeed("/desk/BAKU-1") && !SitePath.isLiveFeed("/desk/BAKU-1/tickets/x/events"))
        }
    }
}
