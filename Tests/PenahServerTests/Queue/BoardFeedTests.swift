import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import SQLKit
import Testing
import Vapor
@testable import PenahDomain
@testable import PenahServer

@Suite("Board feed")
struct BoardFeedTests {
    static func calls(_ numbers: ClosedRange<Int>, desk: Int = 1) -> [BoardBroadcaster.Event] {
        numbers.map { BoardBroadcaster.Event(number: TicketNumber.format(series: "S", number: $0), desk: desk, calledAtMs: Int64($0)) }
    }

    @Test("calls published together reach each of the unit's boards as one delivery, and no other unit's")
    func oneDelivery() async throws {
        let board = BoardBroadcaster()
        var first = board.subscribe(unitCode: "BAKU-1").batches.makeAsyncIterator()
        var second = board.subscribe(unitCode: "BAKU-1").batches.makeAsyncIterator()
        var elsewhere = board.subscribe(unitCode: "GANJA-1").batches.makeAsyncIterator()
        let together = Self.calls(1...WriteCombiner.maximumRerunnableBatch)
        board.publish(unitCode: "BAKU-1", events: together)
        #expect(await first.next() == together)
        #expect(await second.next() == together)
        let own = Self.calls(1...1, desk: 7)
        board.publish(unitCode: "GANJA-1", events: own)
        #expect(await elsewhere.next() == own, "a board of another unit hears only its own unit's calls")
    }

    @Test("calls published one by one, while deliveries are under way, reach a board once each and in order")
    func order() async throws {
        let board = BoardBroadcaster()
        let feed = board.subscribe(unitCode: "BAKU-1")
        let burst = Self.calls(1...2_000)
        let heard = Task {
            var heard: [BoardBroadcaster.Event] = [], deliveries = 0
            for await batch in feed.batches {
                heard += batch
                deliveries += 1
                if heard.count >= burst.count { break }
            }
            return (heard, deliveries)
        }
        for (index, event) in burst.enumerated() {
            board.publish(unitCode: "BAKU-1", event: event)
            // Let deliveries start between publishes, so some calls arrive while one is leaving.
            if index % 7 == 0 { await Task.yield() }
        }
        let (events, deliveries) = await heard.value
        #expect(events == burst)
        #expect(deliveries <= burst.count)
    }

    @Test("over HTTP, each call of a delivery is its own server-sent event holding a number, a desk and a time")
    func serverSentEvents() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let port = try await app.startServerOnFreePort()
            do {
                let response = try await app.http.client.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/board/BAKU-1/events"), timeout: .seconds(10))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
                #expect(response.headers.first(name: "Cache-Control") == "no-store")
                for _ in 0..<500 where app.board.connectedBoards == 0 { try await Task.sleep(for: .milliseconds(10)) }
                let together = Self.calls(41...43, desk: 3)
                app.board.publish(unitCode: "BAKU-1", events: together)
                var text = ""
                for try await chunk in response.body {
                    text += String(buffer: chunk)
                    if text.components(separatedBy: "event: call\n").count > together.count { break }
                }
                let payloads = text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
                #expect(payloads.count == together.count)
                for (payload, call) in zip(payloads, together) {
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
                    #expect(Set(object.keys) == ["number", "desk", "calledAt"])
                    #expect(object["number"] as? String == call.number && object["desk"] as? Int == 3)
                }
            } catch {
                await app.server.shutdown()
                throw error
            }
            await app.server.shutdown()
        }
    }

    @Test("50 boards connect and drop at random while desks call: the server stays up, dropped boards unsubscribe, and every live board hears every call")
    func boardsDropWhileDesksCall() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            unit.deskCount = 10
            try await unit.update(on: app.db)
            let port = try await app.startServerOnFreePort()
            defer { Task { await app.server.shutdown() } }
            let url = "http://127.0.0.1:\(port)/board/BAKU-1/events"
            // Fifty boards at once: more connections than the shared client keeps to one host.
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 100)))
            defer { _ = client.shutdown() }
            let calls = 30
            for _ in 0..<calls { _ = try await app.queue.issue(unit: unit, priority: .standard, actor: .system("t")) }

            // 25 boards stay and read until they have every call.
            let live = (0..<25).map { _ in
                Task { () throws -> Set<String> in
                    let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
                    var text = "", numbers = Set<String>()
                    for try await chunk in response.body {
                        text += String(buffer: chunk)
                        numbers = Set(text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.compactMap { line in
                            (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any])?["number"] as? String
                        })
                        if numbers.count >= calls { break }
                    }
                    return numbers
                }
            }
            for _ in 0..<1_000 where app.board.connectedBoards < live.count { try await Task.sleep(for: .milliseconds(10)) }
            #expect(app.board.connectedBoards == live.count)

            // 25 boards connect and go away at random moments while ten desks call.
            let dropping = (0..<25).map { _ in
                Task {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 0...200)))
                    let reader = Task {
                        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
                        for try await _ in response.body {}
                    }
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 20...300)))
                    reader.cancel()
                    _ = await reader.result
                }
            }
            let called = try await withThrowingTaskGroup(of: [String].self) { group in
                for desk in 1...10 {
                    group.addTask {
                        var mine: [String] = []
                        while let ticket = try await app.queue.callNext(unit: unit, desk: desk, actor: .system("t")) {
                            mine.append(ticket.label)
                            try await Task.sleep(for: .milliseconds(Int.random(in: 5...30)))
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            for board in dropping { await board.value }
            #expect(called.count == calls)
            for board in live { #expect(try await board.value == Set(called), "a live board missed a call") }
            // A heartbeat finds the boards that left; their feeds end and unsubscribe.
            for _ in 0..<500 where app.board.connectedBoards > 0 {
                app.board.heartbeat()
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(app.board.connectedBoards == 0)
            let health = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"), timeout: .seconds(10))
            #expect(health.status == .ok, "the server is still up")
        }
    }

    @Test("call next walks the calling-order index, with no sort, and updates by address, with statistics from before today")
    func claimPlan() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            let unitID = try unit.requireID(), day = BakuFormat.dayKey(Date())
            // The morning's situation: statistics know earlier days' tickets, all finished, and
            // nothing of today's, which arrive by the thousand (a quarter already called).
            try await insertTickets(app, unitID: unitID, numbers: 1...2_000, status: { _ in "finished" }) { "2026-11-\(10 + $0 % 20)" }
            try await app.sql.raw("ANALYZE tickets").run()
            try await insertTickets(app, unitID: unitID, numbers: 1...4_000, status: { $0 <= 1_000 ? "called" : "waiting" }) { _ in day }

            let repository = QueueRepository(db: app.db)
            let calls = [7, 3, 9].map { QueueRepository.Call(desk: $0, at: Date()) }
            let explain: SQLQueryString = TestDatabase.isPostgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN "
            let rows = try await app.sql.raw(explain + repository.claimStatement(unitID: unitID, day: day, calls: calls)).all()
            let plan = try rows.map { try $0.decode(column: TestDatabase.isPostgres ? "QUERY PLAN" : "detail", as: String.self) }
            let text = plan.joined(separator: "\n")
            if TestDatabase.isPostgres {
                // The pick walks the index under its lock; the only sort is the window's, of the picked few.
                let lock = try #require(plan.firstIndex { $0.contains("LockRows") }, "\(text)")
                #expect(plan[lock + 1].contains("Index Scan using tickets_next"), "\(text)")
                #expect(plan.filter { $0.contains("Sort Key") }.allSatisfy { $0.contains("locked.") }, "\(text)")
                #expect(text.contains("Tid Scan"), "\(text)")
            } else {
                #expect(text.contains("USING INDEX tickets_next"), "\(text)")
                #expect(text.contains("INTEGER PRIMARY KEY") && !text.contains("SCAN tickets"), "\(text)")
            }
            // And it calls the right tickets, in order: priority ones first, each in arrival order.
            let called = try await repository.claimNext(unitID: unitID, day: day, calls: calls)
            #expect(called.map(\.number) == [1_050, 1_100, 1_150])
            #expect(called.map(\.desk) == [7, 3, 9] && called.allSatisfy { $0.status == .called })
        }
    }

    private func insertTickets(_ app: Application, unitID: UUID, numbers: ClosedRange<Int>,
                               status: (Int) -> String, day: (Int) -> String) async throws {
        for chunk in stride(from: numbers.lowerBound, through: numbers.upperBound, by: 100) {
            var insert = app.sql.insert(into: Ticket.schema)
                .columns("id", "unit_id", "day", "series", "number", "priority", "status", "issued_at")
            for number in chunk..<min(chunk + 100, numbers.upperBound + 1) {
                insert = insert.values(SQLBind(UUID()), SQLBind(unitID), SQLBind(day(number)), SQLBind("S"), SQLBind(number),
                                       SQLBind(number % 50 == 0 ? "priority" : "standard"), SQLBind(status(number)),
                                       SQLBind(Date(timeIntervalSinceNow: Double(number))))
            }
            try await insert.run()
        }
    }
}
