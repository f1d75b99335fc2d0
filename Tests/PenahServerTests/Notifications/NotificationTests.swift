import AsyncHTTPClient
import Fluent
import SQLKit
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Notifications")
struct NotificationTests {
    /// A decided case whose placement request this lawyer sent; returns the case, the request and the lawyer.
    func requested(_ app: Application, urgency: String = "routine") async throws -> (UUID, UUID, APICaller) {
        let caseID = try await app.decidedCase()
        let lawyer = try await app.caller(.lawyer)
        let response = try await lawyer.send(.POST, "/api/v1/cases/\(caseID)/placement-requests", ["urgency": urgency])
        #expect(response.status == .created, "\(response.text)")
        return (caseID, try #require(UUID(uuidString: response.object["id"] as? String ?? "")), lawyer)
    }

    @Test("SXA's question and approval reach the DOST workers by case number, stored with the change; opening one marks it read, audited")
    func sxaToDost() async throws {
        try await withPenah { app in
            let (caseID, requestID, lawyer) = try await requested(app)
            let number = try #require(try await CaseRecord.find(caseID, on: app.db)?.number)
            let sxa = try await app.caller(.sxaOfficer)
            #expect(try await sxa.send(.POST, "/api/v1/placement-requests/\(requestID)/questions", ["text": "Uşaqların yaşı?"]).status == .created)
            let mine = try await StaffNotification.query(on: app.db).filter(\.$userID == lawyer.staff.user.requireID()).all()
            #expect(mine.map(\.kind) == [.sxaQuestion] && mine.first?.label == number && mine.first?.link == "/cases/\(caseID)#placement-h")

            // The header counts it; the list names it by case number, never by her name; both are audited reads.
            let session = try await app.webSession(for: lawyer.staff)
            let start = try await app.send(.GET, "/staff?lang=en", headers: .session(session.cookie)).body.string
            #expect(start.contains("data-events=\"/notifications/events\">1</span>"))
            let list = try await app.send(.GET, "/notifications?lang=en", headers: .session(session.cookie))
            #expect(list.status == .ok && list.headers.first(name: .cacheControl)?.contains("no-store") == true)
            #expect(list.body.string.contains("SXA asked a question about case \(number)") && !list.body.string.contains("İsmayılova"))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "notification.list").count() == 1)

            // Someone else cannot open it; its owner can, once, and lands on the record.
            let id = try #require(mine.first?.id)
            let other = try await app.browser(.lawyer)
            #expect(try await app.send(.POST, "/notifications/\(id)/open", headers: other.headers, body: formBody([("csrf", other.csrf)])).status == .notFound)
            var headers = formHeaders
            headers.add(name: .cookie, value: "penah_session=\(session.cookie)")
            #expect(try await app.send(.POST, "/notifications/\(id)/open", headers: headers, body: formBody([])).status == .forbidden, "CSRF")
            let opened = try await app.send(.POST, "/notifications/\(id)/open", headers: headers, body: formBody([("csrf", session.csrf)]))
            #expect(opened.status == .seeOther && opened.headers.first(name: .location) == "/cases/\(caseID)#placement-h")
            #expect(try await StaffNotification.find(id, on: app.db)?.readAt != nil)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "notification.read").filter(\.$recordID == id.uuidString).count() == 1)
            #expect(try await Notifications.unread(for: lawyer.staff.user.requireID(), on: app.db) == 0)

            // The approval too; the SXA officer, who acted, is told nothing.
            _ = try await sxa.send(.POST, "/api/v1/placement-requests/\(requestID)/decision",
                                   ["decision": "approved", "shelterId": try await app.shelterID().uuidString])
            let kinds = try await StaffNotification.query(on: app.db).filter(\.$userID == lawyer.staff.user.requireID()).all().map(\.kind)
            #expect(Set(kinds) == [.sxaQuestion, .placementApproved])
            #expect(try await StaffNotification.query(on: app.db).filter(\.$userID == sxa.staff.user.requireID()).count() == 0)
            // A decision refused (409) stores nothing.
            let before = try await StaffNotification.query(on: app.db).count()
            #expect(try await sxa.send(.POST, "/api/v1/placement-requests/\(requestID)/decision", ["decision": "refused", "explanation": "x"]).status == .conflict)
            #expect(try await StaffNotification.query(on: app.db).count() == before)
        }
    }

    @Test("an urgent request reaches every SXA officer by pseudonym; a routine one reaches nobody")
    func urgent() async throws {
        try await withPenah { app in
            let officers = [try await app.makeStaff(.sxaOfficer), try await app.makeStaff(.sxaOfficer)]
            _ = try await requested(app)
            #expect(try await StaffNotification.query(on: app.db).filter(\.$kind == .urgentRequest).count() == 0)
            let caseID = try await app.decidedCase()
            let lawyer = try await app.caller(.lawyer)
            let sent = try await lawyer.send(.POST, "/api/v1/cases/\(caseID)/placement-requests", ["urgency": "urgent"])
            #expect(sent.status == .created)
            let pseudonym = try #require(try await CaseRecord.find(caseID, on: app.db)?.pseudonym)
            for officer in officers {
                let told = try await StaffNotification.query(on: app.db).filter(\.$userID == officer.user.requireID()).all()
                #expect(told.map(\.kind) == [.urgentRequest] && told.first?.label == pseudonym)
            }
        }
    }

    @Test("a page that goes away mid-feed is unsubscribed at the next change, and the (debug) server stays up")
    func clientDisconnects() async throws {
        try await withPenah { app in
            let lawyer = try await app.makeStaff(.lawyer)
            let user = try lawyer.user.requireID()
            let session = try await app.webSession(for: lawyer)
            let port = try await app.startServerOnFreePort()
            do {
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/notifications/events")
                request.headers.add(name: "Cookie", value: "penah_session=\(session.cookie)")
                let response = try await client.execute(request, timeout: .seconds(30))
                var body = response.body.makeAsyncIterator()
                var text = ""
                while !text.contains("data: 0\n") { text += String(buffer: try #require(try await body.next())) }
                #expect(NotificationHub.shared.connected(user) == 1)
                // The browser goes away without a word.
                try await client.shutdown()
                for _ in 0..<200 where NotificationHub.shared.connected(user) > 0 {
                    NotificationHub.shared.ping([user])
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(NotificationHub.shared.connected(user) == 0)
                let health = try await app.http.client.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"), timeout: .seconds(10))
                #expect(health.status == .ok)
            } catch {
                await app.server.shutdown()
                throw error
            }
            await app.server.shutdown()
        }
    }

    @Test("an open page hears its count live (server-sent events) when a notification commits, and the feed ends with the session")
    func live() async throws {
        try await withPenah { app in
            let (_, requestID, lawyer) = try await requested(app)
            let session = try await app.webSession(for: lawyer.staff)
            let port = try await app.startServerOnFreePort()
            do {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/notifications/events")
                request.headers.add(name: "Cookie", value: "penah_session=\(session.cookie)")
                let response = try await app.http.client.shared.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok && response.headers.first(name: "Content-Type") == "text/event-stream")
                var body = response.body.makeAsyncIterator()
                var text = ""
                while !text.contains("data: 0\n") { text += String(buffer: try #require(try await body.next())) }
                #expect(NotificationHub.shared.connected >= 1)
                let sxa = try await app.caller(.sxaOfficer)
                #expect(try await sxa.send(.POST, "/api/v1/placement-requests/\(requestID)/questions", ["text": "Sual?"]).status == .created)
                while !text.contains("event: count\ndata: 1\n") { text += String(buffer: try #require(try await body.next())) }
                // Signed out: the next change ends the feed.
                var headers = formHeaders
                headers.add(name: .cookie, value: "penah_session=\(session.cookie)")
                _ = try await app.send(.POST, "/logout", headers: headers, body: formBody([("csrf", session.csrf)]))
                NotificationHub.shared.ping([try lawyer.staff.user.requireID()])
                while let chunk = try await body.next() { text += String(buffer: chunk) }
                #expect(!text.contains("data: 2"))
            } catch {
                await app.server.shutdown()
                throw error
            }
            await app.server.shutdown()
        }
    }
}

@Suite("Notifications across nodes")
struct NotificationRelayTests {
    @Test("on PostgreSQL a notification committed on one node reaches the pages open on another (LISTEN/NOTIFY), at COMMIT",
          .enabled(if: TestDatabase.isPostgres))
    func crossNode() async throws {
        try await withPenah { nodeA in
            try await BoardRelayTests().withSecondNode(nodeA) { _ in
                let user = UUID()
                let (stream, stop) = NotificationHub.shared.subscribe(user)
                let relay = try #require(nodeA.board.relay)
                // Node A ignores its own nudges, so what the page hears came through node B's relay.
                try await nodeA.db.writeTransaction { db in try await relay.nudge([user], on: db as! any SQLDatabase) }
                let heard = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { for await _ in stream { return true }; return false }
                    // Not heard within 20 s: the stream is ended and the test fails rather than hangs.
                    group.addTask { try? await Task.sleep(for: .seconds(20)); stop(); return false }
                    let first = await group.next() ?? false
                    stop()
                    group.cancelAll()
                    return first
                }
                #expect(heard)
            }
        }
    }
}

@Suite("Clocks about to run out")
struct ClockWarningTests {
    @Test("a running clock with less than 15 minutes left warns the people responsible, once; one with longer, or already over, does not")
    func warnsOnce() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let soon = try await reception.register(sampleApplication(fin: "1AA1AA1", phone: "050 111 11 11"))
            let later = try await reception.register(sampleApplication(fin: "2BB2BB2", phone: "050 222 22 22"))
            // Registered a day less ten minutes ago: the one-day total clock has ten minutes left (the
            // front-office hour is long over, so it is not announced again).
            let record = try #require(try await CaseRecord.find(soon, on: app.db))
            record.registeredAt = Date().addingTimeInterval(-86_400 + 600)
            record.registeredMs = Int64(record.registeredAt.timeIntervalSince1970 * 1000)
            try await record.save(on: app.db)
            let warnings = ClockWarnings(db: app.db, standards: app.settings.standards)
            #expect(try await warnings.sweep() == 1)
            let told = try await StaffNotification.query(on: app.db).filter(\.$kind == .clockRunningOut).all()
            let receptionID = try reception.staff.user.requireID()
            #expect(told.count == 1 && told.first?.userID == receptionID)
            #expect(told.first?.label == record.number && told.first?.link == "/cases/\(soon)#clocks-h")
            // Once: the next sweep, here or on another node, finds the warning given.
            #expect(try await warnings.sweep() == 0)
            #expect(try await StaffNotification.query(on: app.db).filter(\.$kind == .clockRunningOut).count() == 1)
            // The fresh case's front-office hour has 59 minutes left: nothing yet; ten minutes before its end, it is told.
            #expect(try await StaffNotification.query(on: app.db).filter(\.$link == "/cases/\(later)#clocks-h").count() == 0)
            #expect(try await warnings.sweep(now: Date().addingTimeInterval(50 * 60)) >= 1)
            #expect(try await StaffNotification.query(on: app.db).filter(\.$link == "/cases/\(later)#clocks-h").count() == 1)
        }
    }
}
