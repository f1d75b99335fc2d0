import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Case worklists, search and scope")
struct CaseSearchTests {
    func numbers(_ response: TestingHTTPResponseLike) -> [String] {
        (response.object["items"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? String }
    }

    @Test("search matches exactly a number, a pseudonym, a FIN, a phone or whole name words, with Azerbaijani case rules")
    func search() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let first = try await reception.send(.POST, "/api/v1/cases", sampleApplication())
            _ = try await reception.register(sampleApplication(firstName: "Leyla", lastName: "Quliyeva", fin: "7QW3E9R", phone: "055 765 43 21"))
            let number = first.object["number"] as! String
            let pseudonym = first.object["pseudonym"] as! String
            func found(_ q: String) async throws -> [String] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                return numbers(try await reception.send(.GET, "/api/v1/cases?q=\(encoded)"))
            }
            for q in [number, number.lowercased(), pseudonym, pseudonym.replacingOccurrences(of: "-", with: "").lowercased(),
                      "5zk8m2p", "+994 50 123 45 67", "0501234567", "İSMAYILOVA", "ismayılova gülnarə", "GÜLNARƏ"] {
                #expect(try await found(q) == [number], "\(q)")
            }
            // No partial words, no wrong dotless i, no other words.
            for q in ["Gül", "ismayilova", "Gülnarə Quliyeva", "AZE"] { #expect(try await found(q).isEmpty, "\(q)") }
            // Lists never carry the name.
            let list = try await reception.send(.GET, "/api/v1/cases")
            #expect(!list.text.contains("İsmayılova") && !list.text.contains("Gülnarə"))
            #expect((list.object["items"] as? [[String: Any]])?.contains { $0["initials"] as? String == "G. İ." } == true)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.search").count() >= 14)
        }
    }

    @Test("scope: another unit gets 404 and finds nothing; a region's supervisor sees its branches; admin and auditor read no case")
    func scope() async throws {
        try await withPenah { app in
            let branchReception = try await app.caller(.reception, unit: "KARABAKH-AGDAM")
            let id = try await branchReception.register()
            let otherUnit = try await app.caller(.reception, unit: "BAKU-1")
            #expect(try await otherUnit.send(.GET, "/api/v1/cases/\(id)").status == .notFound)
            #expect(numbers(try await otherUnit.send(.GET, "/api/v1/cases?q=5ZK8M2P")).isEmpty)
            let regional = try await app.caller(.supervisor, unit: "KARABAKH")
            #expect(try await regional.send(.GET, "/api/v1/cases/\(id)").status == .ok)
            let hq = try await app.caller(.supervisor, unit: "HQ")
            #expect(try await hq.send(.GET, "/api/v1/cases/\(id)").status == .ok)
            let baku = try await app.caller(.supervisor, unit: "BAKU-1")
            #expect(try await baku.send(.GET, "/api/v1/cases/\(id)").status == .notFound)
            for role in [Role.admin, .auditor, .sxaOfficer, .shelterStaff] {
                let caller = try await app.caller(role)
                #expect(try await caller.send(.GET, "/api/v1/cases/\(id)").status == .notFound, "\(role)")
                #expect(try await caller.send(.GET, "/api/v1/cases").status == .notFound, "\(role)")
            }
            // The access log: supervisors in scope and auditors, never reception.
            let log = try await regional.send(.GET, "/api/v1/cases/\(id)/access-log")
            let actions = (log.object["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("case.register") && actions.contains("case.read"))
            #expect(try await app.caller(.auditor).send(.GET, "/api/v1/cases/\(id)/access-log").status == .ok)
            #expect(try await branchReception.send(.GET, "/api/v1/cases/\(id)/access-log").status == .notFound)
        }
    }

    @Test("a FIN known in another unit says only that a possible earlier case exists; the match and every search hit are in that case's access log")
    func duplicates() async throws {
        try await withPenah { app in
            let baku1 = try await app.caller(.reception, unit: "BAKU-1")
            let firstID = try await baku1.register()
            let baku2 = try await app.caller(.reception, unit: "BAKU-2")
            let second = try await baku2.send(.POST, "/api/v1/cases", sampleApplication(firstName: "Aynur", lastName: "Məmmədova", phone: nil))
            let duplicates = second.object["duplicates"] as? [[String: Any]] ?? []
            #expect(duplicates.count == 1)
            #expect(duplicates.first?["unitCode"] == nil || duplicates.first?["unitCode"] is NSNull, "no unit named outside the caller's scope")
            #expect(duplicates.first?["caseId"] == nil || duplicates.first?["caseId"] is NSNull)
            #expect(!second.text.contains("BAKU-1"))
            let matches = try await AuditEvent.query(on: app.db).filter(\.$action == "case.duplicateMatch").filter(\.$recordID == firstID.uuidString).count()
            #expect(matches == 1, "the match is in the first case's access log")
            let same = try await baku1.send(.POST, "/api/v1/cases", sampleApplication(fin: nil))
            let local = same.object["duplicates"] as? [[String: Any]] ?? []
            #expect(local.first?["caseId"] as? String == firstID.uuidString)
            // A search for her FIN shows in her access log.
            _ = try await baku1.send(.GET, "/api/v1/cases?q=5ZK8M2P")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.search").filter(\.$recordID == firstID.uuidString).count() == 1)
        }
    }

    @Test("duplicate hints are rationed per person: past the hourly allowance a registration still works, without a hint")
    func hintsRationed() async throws {
        try await withPenah { app in
            let baku1 = try await app.caller(.reception, unit: "BAKU-1")
            _ = try await baku1.register()
            let prober = try await app.caller(.reception, unit: "BAKU-2")
            try await app.db.writeTransaction { db in
                for _ in 0..<CaseRegistration.hintsPerHour {
                    try await AuditLog.append(on: db, actor: AuditActor(userID: prober.staff.user.id, role: "reception", unitCode: "BAKU-2", requestID: "t", address: "t"),
                                              action: "case.register", recordType: "case", recordID: UUID().uuidString)
                }
            }
            let probe = try await prober.send(.POST, "/api/v1/cases", sampleApplication(firstName: "Aynur", lastName: "Məmmədova", phone: nil))
            #expect(probe.status == .created)
            #expect((probe.object["duplicates"] as? [[String: Any]] ?? []).isEmpty)
        }
    }

    @Test("pages through with a cursor; status and limit filters; bad values are 422")
    func paging() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            for _ in 0..<3 { _ = try await reception.register(sampleApplication(fin: nil, phone: nil)) }
            let page1 = try await reception.send(.GET, "/api/v1/cases?limit=2")
            #expect(numbers(page1).count == 2)
            let cursor = try #require(page1.object["nextCursor"] as? String)
            let page2 = try await reception.send(.GET, "/api/v1/cases?limit=2&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(numbers(page2).count == 1)
            #expect(Set(numbers(page1)).isDisjoint(with: numbers(page2)))
            #expect(numbers(try await reception.send(.GET, "/api/v1/cases?status=decided")).isEmpty)
            #expect(numbers(try await reception.send(.GET, "/api/v1/cases?mine=true")).count == 3)
            for bad in ["status=open", "limit=0", "limit=500", "cursor=%27%3E%3Cscript%3E", "q=\(String(repeating: "a", count: 300))"] {
                #expect(try await reception.send(.GET, "/api/v1/cases?\(bad)").status == .unprocessableEntity, "\(bad)")
            }
        }
    }

    @Test("a case started from a called ticket links it and runs the operator clock; other units' or waiting tickets are refused")
    func fromTicket() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let issued = try await reception.send(.POST, "/api/v1/units/BAKU-1/tickets")
            let ticketID = UUID(uuidString: issued.object["id"] as! String)!
            #expect(try await reception.send(.POST, "/api/v1/cases", sampleApplication(ticketId: ticketID)).status == .conflict)
            _ = try await reception.send(.POST, "/api/v1/units/BAKU-1/desks/1/call-next")
            let id = try await reception.register(sampleApplication(ticketId: ticketID))
            let clocks = try await reception.send(.GET, "/api/v1/cases/\(id)").object["clocks"] as? [[String: Any]] ?? []
            #expect(clocks.map { $0["kind"] as? String } == ["operator", "frontOffice", "total"])
            #expect(try await reception.send(.POST, "/api/v1/cases", sampleApplication(ticketId: ticketID)).status == .conflict)
            let other = try await app.caller(.reception, unit: "BAKU-2")
            #expect(try await other.send(.POST, "/api/v1/cases", sampleApplication(ticketId: ticketID)).status == .notFound)
        }
    }

    @Test("four registrations sent at once with one ticket: one case links it, the others are 409 and write nothing")
    func oneCasePerTicket() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let issued = try await reception.send(.POST, "/api/v1/units/BAKU-1/tickets")
            let ticketID = try #require(UUID(uuidString: issued.object["id"] as? String ?? ""))
            _ = try await reception.send(.POST, "/api/v1/units/BAKU-1/desks/1/call-next")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<4 {
                    group.addTask { try await reception.send(.POST, "/api/v1/cases", sampleApplication(fin: "5ZK8M2\(i)", ticketId: ticketID)).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .conflict }.count == 3, "\(statuses)")
            #expect(try await CaseRecord.query(on: app.db).count() == 1)
            #expect(try await CaseRecord.query(on: app.db).filter(\.$ticketID == ticketID).count() == 1)
        }
    }

    @Test("the overdue list holds cases past a standard")
    func overdue() async throws {
        try await withPenah(environment: ["PENAH_STANDARD_FRONT_OFFICE_MINUTES": "1"]) { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let record = try #require(try await CaseRecord.find(id, on: app.db))
            record.registeredAt = Date().addingTimeInterval(-300)
            try await record.save(on: app.db)
            _ = try await reception.register(sampleApplication(fin: nil, phone: nil))
            let supervisor = try await app.caller(.supervisor)
            let overdue = try await supervisor.send(.GET, "/api/v1/cases?overdue=true")
            #expect(numbers(overdue) == [record.number])
            #expect((overdue.object["items"] as? [[String: Any]])?.first?["overdue"] as? Bool == true)
        }
    }

    @Test("the overdue filter keeps exactly the cases the clocks mark overdue, in every state a case can be in")
    func overdueAgreesWithTheClocks() async throws {
        try await withPenah(environment: ["PENAH_STANDARD_FRONT_OFFICE_MINUTES": "60", "PENAH_STANDARD_TOTAL_MINUTES": "1440"]) { app in
            let reception = try await app.caller(.reception)
            let hour: TimeInterval = 3_600
            // (status, registered hours ago, decided hours ago, concluded hours ago)
            let shapes: [(CaseStatus, Double, Double?, Double?)] = [
                (.registered, 0, nil, nil), (.registered, 2, nil, nil), (.assessing, 30, nil, nil),
                (.decided, 30, 29, nil), (.decided, 2, 1, nil), (.decided, 30, 29, 28),
                (.refused, 2, nil, 1.5), (.refused, 0.5, nil, 0.2), (.refused, 30, nil, 29),
            ]
            for (index, shape) in shapes.enumerated() {
                let id = try await reception.register(sampleApplication(fin: nil, phone: "+99450555\(String(format: "%04d", index))"))
                let record = try #require(try await CaseRecord.find(id, on: app.db))
                record.status = shape.0
                record.calledAt = nil
                record.registeredAt = Date().addingTimeInterval(-shape.1 * hour)
                record.decidedAt = shape.2.map { Date().addingTimeInterval(-$0 * hour) }
                record.concludedAt = shape.3.map { Date().addingTimeInterval(-$0 * hour) }
                try await record.save(on: app.db)
            }
            let supervisor = try await app.caller(.supervisor)
            let all = try #require(try await supervisor.send(.GET, "/api/v1/cases?limit=200").object["items"] as? [[String: Any]])
            let marked = Set(all.filter { $0["overdue"] as? Bool == true }.compactMap { $0["number"] as? String })
            #expect(marked.count == 3, "open for 2 h and for 30 h (front office), decided but not concluded after 30 h (total): \(marked)")
            let filtered = try await supervisor.send(.GET, "/api/v1/cases?overdue=true&limit=2")
            var seen = numbers(filtered)
            var cursor = filtered.object["nextCursor"] as? String
            while let next = cursor {
                let page = try await supervisor.send(.GET, "/api/v1/cases?overdue=true&limit=2&cursor=\(next)")
                seen += numbers(page)
                cursor = page.object["nextCursor"] as? String
            }
            #expect(Set(seen) == marked && seen.count == marked.count)
        }
    }
}

typealias TestingHTTPResponseLike = TestingHTTPResponse
