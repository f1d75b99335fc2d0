import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Idempotency-Key")
struct IdempotencyTests {
    @Test("the same key and body give the first answer again; a different body is 422; other callers are separate")
    func replay() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            var headers = HTTPHeaders.bearer(try await app.token(for: staff))
            headers.add(name: .contentType, value: "application/json")
            headers.add(name: "Idempotency-Key", value: "kiosk-7-0001")
            let first = try await app.send(.POST, "/api/v1/units/BAKU-1/tickets", headers: headers, body: ByteBuffer(string: "{}"))
            let again = try await app.send(.POST, "/api/v1/units/BAKU-1/tickets", headers: headers, body: ByteBuffer(string: "{}"))
            #expect(first.status == .created && again.status == .created)
            #expect(first.body.string == again.body.string)
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await Ticket.query(on: app.db).count() == 1)
            let different = try await app.send(.POST, "/api/v1/units/BAKU-1/tickets", headers: headers,
                                               body: ByteBuffer(string: "{\"priority\":\"priority\"}"))
            #expect(different.status == .unprocessableEntity)
            var colleague = HTTPHeaders.bearer(try await app.token(for: try await app.makeStaff(.reception)))
            colleague.add(name: .contentType, value: "application/json")
            colleague.add(name: "Idempotency-Key", value: "kiosk-7-0001")
            let theirs = try await app.send(.POST, "/api/v1/units/BAKU-1/tickets", headers: colleague, body: ByteBuffer(string: "{}"))
            #expect(theirs.status == .created && theirs.body.string != first.body.string)
            headers.replaceOrAdd(name: "Idempotency-Key", value: String(repeating: "k", count: 500))
            let tooLong = try await app.send(.POST, "/api/v1/units/BAKU-1/tickets", headers: headers, body: ByteBuffer(string: "{}"))
            #expect(tooLong.status == .unprocessableEntity)
            #expect(try await Ticket.query(on: app.db).count() == 2)
        }
    }

    @Test("five keys each sent twice at once make five tickets; each pair gets one answer, the repeat replayed; a failed request frees its key")
    func concurrentRepeats() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            var headers = HTTPHeaders.bearer(try await app.token(for: staff))
            headers.add(name: .contentType, value: "application/json")
            let answers = try await withThrowingTaskGroup(of: (String, String?, String).self) { group in
                for key in 0..<5 {
                    for _ in 0..<2 {
                        var mine = headers
                        mine.add(name: "Idempotency-Key", value: "kiosk-9-\(key)")
                        group.addTask {
                            let response = try await app.send(.POST, "/api/v1/units/BAKU-1/tickets", headers: mine, body: ByteBuffer(string: "{}"))
                            return ("kiosk-9-\(key)", response.headers.first(name: "Idempotent-Replayed"), response.body.string)
                        }
                    }
                }
                return try await group.reduce(into: [(String, String?, String)]()) { $0.append($1) }
            }
            #expect(try await Ticket.query(on: app.db).count() == 5)
            for (key, pair) in Dictionary(grouping: answers, by: \.0) {
                #expect(pair.count == 2 && pair[0].2 == pair[1].2, "both answers for \(key) are the same ticket")
                #expect(pair.filter { $0.1 == "true" }.count == 1, "one of \(key)'s answers is the replay")
            }
            // A request that fails (a unit outside the caller's scope) stores nothing: the key is free again.
            var failing = headers
            failing.add(name: "Idempotency-Key", value: "kiosk-9-lost")
            #expect(try await app.send(.POST, "/api/v1/units/GANJA-1/tickets", headers: failing, body: ByteBuffer(string: "{}")).status == .notFound)
            #expect(try await IdempotentResponse.query(on: app.db).count() == 5)
        }
    }
}
