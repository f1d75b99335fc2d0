import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Queue")
struct QueueTests {
    func reception(_ app: Application, unit: String = "BAKU-1") async throws -> (StaffContext, HTTPHeaders) {
        let staff = try await app.makeStaff(.reception, unit: unit)
        let token = try await app.token(for: staff)
        var headers = HTTPHeaders.bearer(token)
        headers.add(name: .contentType, value: "application/json")
        let context = StaffContext(userID: try staff.user.requireID(), username: staff.username, displayName: "",
                                   role: .reception, unitCode: unit, unitName: "",
                                   session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil))
        return (context, headers)
    }

    func issue(_ app: Application, _ headers: HTTPHeaders, priority: String? = nil, unit: String = "BAKU-1") async throws -> QueueAPI.Issued {
        let body = priority.map { ByteBuffer(string: "{\"priority\":\"\($0)\"}") }
        let response = try await app.send(.POST, "/api/v1/units/\(unit)/tickets", headers: headers, body: body)
        #expect(response.status == .created)
        return try response.content.decode(QueueAPI.Issued.self)
    }

    func callNext(_ app: Application, _ headers: HTTPHeaders, desk: Int) async throws -> QueueAPI.Called? {
        let response = try await app.send(.POST, "/api/v1/units/BAKU-1/desks/\(desk)/call-next", headers: headers)
        if response.status == .noContent { return nil }
        #expect(response.status == .ok)
        return try response.content.decode(QueueAPI.Called.self)
    }

    @Test("tickets are numbered S-001, S-002 … per unit and day, and are waiting")
    func numbering() async throws {
        try await withPenah { app in
            let (_, headers) = try await reception(app)
            let first = try await issue(app, headers)
            let second = try await issue(app, headers)
            #expect(first.number == "S-001" && second.number == "S-002" && first.status == "waiting")
            let (_, other) = try await reception(app, unit: "BAKU-2")
            #expect(try await issue(app, other, unit: "BAKU-2").number == "S-001")
        }
    }

    @Test("priority first, then arrival order; 204 when nobody waits")
    func ordering() async throws {
        try await withPenah { app in
            let (_, headers) = try await reception(app)
            let a = try await issue(app, headers)
            let b = try await issue(app, headers)
            let urgent = try await issue(app, headers, priority: "priority")
            let c = try await issue(app, headers)
            var order: [String] = []
            while let called = try await callNext(app, headers, desk: 1) { order.append(called.number) }
            #expect(order == [urgent.number, a.number, b.number, c.number])
        }
    }

    @Test("transitions the state does not allow are 409 and change nothing")
    func transitions() async throws {
        try await withPenah { app in
            let (_, headers) = try await reception(app)
            let ticket = try await issue(app, headers)
            let finishWaiting = try await app.send(.POST, "/api/v1/tickets/\(ticket.id)/finish", headers: headers)
            #expect(finishWaiting.status == .conflict)
            let called = try #require(try await callNext(app, headers, desk: 2))
            #expect(called.desk == 2 && called.status == "called")
            #expect(try await app.send(.POST, "/api/v1/tickets/\(ticket.id)/recall", headers: headers).status == .ok)
            let transfer = try await app.send(.POST, "/api/v1/tickets/\(ticket.id)/transfer", headers: headers, body: ByteBuffer(string: "{\"desk\":3}"))
            #expect(transfer.status == .ok)
            #expect(try transfer.content.decode(QueueAPI.Called.self).desk == 3)
            #expect(try await app.send(.POST, "/api/v1/tickets/\(ticket.id)/start", headers: headers).status == .ok)
            #expect(try await app.send(.POST, "/api/v1/tickets/\(ticket.id)/finish", headers: headers).status == .ok)
            for action in ["recall", "finish", "no-show", "start"] {
                let response = try await app.send(.POST, "/api/v1/tickets/\(ticket.id)/\(action)", headers: headers)
                #expect(response.status == .conflict, "\(action) after finish")
            }
            let stored = try #require(try await Ticket.find(ticket.id, on: app.db))
            #expect(stored.status == .finished && stored.desk == 3)
            let actions = try await AuditEvent.query(on: app.db).filter(\.$recordID == ticket.id.uuidString).all().map(\.action)
            #expect(Set(actions) == ["queue.issue", "queue.call", "queue.recall", "queue.transfer", "queue.start", "queue.finish"])
        }
    }

    @Test("unknown unit or desk is 404, a desk out of range 422, another unit's queue 404")
    func badInput() async throws {
        try await withPenah { app in
            let (_, headers) = try await reception(app)
            let (_, other) = try await reception(app, unit: "BAKU-2")
            #expect(try await app.send(.POST, "/api/v1/units/NOPE/tickets", headers: headers).status == .notFound)
            #expect(try await app.send(.POST, "/api/v1/units/BAKU-1/desks/abc/call-next", headers: headers).status == .notFound)
            #expect(try await app.send(.POST, "/api/v1/units/BAKU-1/desks/99/call-next", headers: headers).status == .unprocessableEntity)
            #expect(try await app.send(.POST, "/api/v1/units/BAKU-1/desks/0/call-next", headers: headers).status == .unprocessableEntity)
            #expect(try await app.send(.POST, "/api/v1/units/BAKU-1/tickets", headers: other).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/units/BAKU-1/queue", headers: other).status == .notFound)
            let mine = try await issue(app, headers)
            #expect(try await app.send(.POST, "/api/v1/tickets/\(mine.id)/recall", headers: other).status == .notFound)
            let bad = try await app.send(.POST, "/api/v1/units/BAKU-1/tickets", headers: headers, body: ByteBuffer(string: "{\"priority\":\"vip\"}"))
            #expect(bad.status == .unprocessableEntity)
            let transfer = try await app.send(.POST, "/api/v1/tickets/\(mine.id)/transfer", headers: headers, body: ByteBuffer(string: "{}"))
            #expect(transfer.status == .unprocessableEntity)
            #expect(try await Ticket.query(on: app.db).count() == 1)
        }
    }

    @Test("two desks calling at once never get the same ticket")
    func noDoubleCall() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            let service = app.queue
            for _ in 0..<60 { _ = try await service.issue(unit: unit, priority: .standard, actor: .system("t")) }
            let calls = try await withThrowingTaskGroup(of: [String].self) { group in
                for desk in 1...6 {
                    group.addTask {
                        var mine: [String] = []
                        while let ticket = try await service.callNext(unit: unit, desk: desk, actor: .system("t")) { mine.append(ticket.label) }
                        return mine
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(calls.count == 60)
            #expect(Set(calls).count == 60)
        }
    }

    @Test("more desks pressing at once than tickets waiting: each ticket is called once and audited once; the other desks get nothing")
    func moreDesksThanTickets() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            unit.deskCount = 12
            try await unit.update(on: app.db)
            let service = app.queue
            var issued: [Ticket] = []
            for _ in 0..<5 { issued.append(try await service.issue(unit: unit, priority: .standard, actor: .system("t"))) }
            let feed = app.board.subscribe(unitCode: "BAKU-1")
            let answers = try await withThrowingTaskGroup(of: (Int, Ticket?).self) { group in
                for desk in 1...12 { group.addTask { (desk, try await service.callNext(unit: unit, desk: desk, actor: .system("t"))) } }
                return try await group.reduce(into: [(Int, Ticket?)]()) { $0.append($1) }
            }
            let called = answers.compactMap { desk, ticket in ticket.map { (desk, $0) } }
            #expect(called.count == 5 && Set(called.map(\.1.label)).count == 5)
            #expect(called.allSatisfy { desk, ticket in ticket.desk == desk && ticket.status == .called })
            #expect(Set(called.map(\.1.label)) == Set(issued.map(\.label)))
            let stored = try await Ticket.query(on: app.db).all()
            #expect(stored.allSatisfy { $0.status == .called })
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "queue.call").all().map(\.recordID)
            #expect(audited.sorted { ($0 ?? "") < ($1 ?? "") } == issued.map { $0.id?.uuidString }.sorted { ($0 ?? "") < ($1 ?? "") })
            var heard: [String] = []
            var events = feed.makeAsyncIterator()
            for _ in 0..<5 { heard.append(try #require(await events.next()).number) }
            #expect(Set(heard) == Set(issued.map(\.label)), "every call reaches the board once")
        }
    }

    @Test("a ticket issued, and a call made, inside a write transaction are written in it, and rolled back with it")
    func insideTransaction() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            let board = app.board, groups = app.queueGroups
            let queue: @Sendable (any Database) -> QueueService = { QueueService(db: $0, board: board, groups: groups) }
            await #expect(throws: Abort.self) {
                try await app.db.writeTransaction { db in
                    _ = try await queue(db).issue(unit: unit, priority: .standard, actor: .system("t"))
                    throw Abort(.conflict)
                }
            }
            #expect(try await Ticket.query(on: app.db).count() == 0)
            let called = try await app.db.writeTransaction { db in
                let ticket = try await queue(db).issue(unit: unit, priority: .standard, actor: .system("t"))
                let called = try await queue(db).callNext(unit: unit, desk: 2, actor: .system("t"))
                return (ticket.number, called?.number, called?.desk)
            }
            #expect(called.0 == 1 && called.1 == 1 && called.2 == 2)
            #expect(try await Ticket.query(on: app.db).filter(\.$status == .called).count() == 1)
        }
    }

    @Test("concurrent issuers get distinct consecutive numbers")
    func concurrentIssue() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let unit = try #require(try await UnitService(db: app.db).find(code: "BAKU-1"))
            let service = app.queue
            let numbers = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var mine: [Int] = []
                        for _ in 0..<15 { mine.append(try await service.issue(unit: unit, priority: .standard, actor: .system("t")).number) }
                        return mine
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(numbers.sorted() == Array(1...120))
        }
    }

    @Test("the queue view holds ticket data only")
    func queueView() async throws {
        try await withPenah { app in
            let (_, headers) = try await reception(app)
            _ = try await issue(app, headers)
            _ = try await issue(app, headers, priority: "priority")
            _ = try await callNext(app, headers, desk: 1)
            let response = try await app.send(.GET, "/api/v1/units/BAKU-1/queue", headers: headers)
            let queue = try response.content.decode(QueueAPI.Queue.self)
            #expect(queue.waiting.count == 1 && queue.called.count == 1)
            #expect(queue.called.first?.number == "S-002")
        }
    }

    @Test("the board and its feed carry numbers and desks only, and a call reaches a connected board")
    func board() async throws {
        try await withPenah { app in
            let (_, headers) = try await reception(app)
            let page = try await app.send(.GET, "/board/BAKU-1?lang=en")
            #expect(page.status == .ok && page.body.string.contains("Queue board"))
            #expect(try await app.send(.GET, "/board/SXA").status == .notFound)
            #expect(try await app.send(.GET, "/board/NOPE/events").status == .notFound)
            let stream = app.board.subscribe(unitCode: "BAKU-1")
            _ = try await issue(app, headers, priority: "priority")
            let called = try #require(try await callNext(app, headers, desk: 4))
            var iterator = stream.makeAsyncIterator()
            let event = try #require(await iterator.next())
            #expect(event.number == called.number && event.desk == 4)
            let json = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
            let keys = Set((try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]).keys)
            #expect(keys == ["number", "desk", "calledAt"])
            let after = try await app.send(.GET, "/board/BAKU-1").body.string
            #expect(after.contains(called.number))
            #expect(!after.contains("priority"), "priority is never shown on the board")
        }
    }
}
