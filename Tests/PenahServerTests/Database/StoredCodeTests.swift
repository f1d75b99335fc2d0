import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import PenahDomain
@testable import PenahServer

@Suite("Stored codes are read strictly")
struct StoredCodeTests {
    @Test("a case whose stored status is no status is a 503 naming the column, never read as 'registered'")
    func corruptCaseStatus() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            try await app.sql.raw("UPDATE cases SET status = 'hacked' WHERE id = \(bind: id)").run()
            await #expect(throws: FluentError.self) { _ = try await CaseRecord.find(id, on: app.db) }
            let read = try await reception.send(.GET, "/api/v1/cases/\(id)")
            #expect(read.status == .serviceUnavailable, "\(read.status) \(read.text)")
            #expect(!read.text.contains("registered"))
            let list = try await reception.send(.GET, "/api/v1/cases")
            #expect(list.status == .serviceUnavailable)
        }
    }

    @Test("every kind of stored code refuses a value its enum does not have",
          arguments: ["placement_requests.status", "tickets.status", "law_enforcement_notices.status", "law_enforcement_notices.urgency", "law_enforcement_notices.channel", "auth_sessions.kind"])
    func everyCode(_ column: String) async throws {
        try await withPenah { app in
            _ = try await app.placementRequest(caseID: try await app.decidedCase())
            _ = try await app.caller(.reception).send(.POST, "/api/v1/units/BAKU-1/tickets")
            let (table, field) = (String(column.split(separator: ".")[0]), String(column.split(separator: ".")[1]))
            if table == "law_enforcement_notices" {
                let lawyer = try await app.caller(.lawyer)
                let caseID = try #require(try await CaseRecord.query(on: app.db).first()?.id)
                _ = try await lawyer.send(.POST, "/api/v1/cases/\(caseID)/law-enforcement-notices", ["urgency": "routine"])
            }
            #expect(try await app.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0 > 0,
                    "a row of \(table) exists to corrupt")
            try await app.sql.raw("UPDATE \(ident: table) SET \(ident: field) = 'bogus'").run()
            await #expect(throws: FluentError.self) {
                switch table {
                case "placement_requests": _ = try await PlacementRequest.query(on: app.db).all()
                case "tickets": _ = try await Ticket.query(on: app.db).all()
                case "law_enforcement_notices": _ = try await NoticeRecord.query(on: app.db).all()
                default: _ = try await AuthSession.query(on: app.db).all()
                }
            }
        }
    }
}
