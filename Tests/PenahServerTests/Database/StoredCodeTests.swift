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

    /// Each stored code and a read of its table's model.
    static let reads: [String: @Sendable (any Database) async throws -> Void] = [
        "placement_requests.status": { _ = try await PlacementRequest.query(on: $0).all() },
        "placement_requests.risk_level": { _ = try await PlacementRequest.query(on: $0).all() },
        "placement_requests.urgency": { _ = try await PlacementRequest.query(on: $0).all() },
        "tickets.status": { _ = try await Ticket.query(on: $0).all() },
        "tickets.priority": { _ = try await Ticket.query(on: $0).all() },
        "law_enforcement_notices.status": { _ = try await NoticeRecord.query(on: $0).all() },
        "law_enforcement_notices.urgency": { _ = try await NoticeRecord.query(on: $0).all() },
        "law_enforcement_notices.channel": { _ = try await NoticeRecord.query(on: $0).all() },
        "outbox_messages.status": { _ = try await OutboxMessage.query(on: $0).all() },
        "outbox_messages.channel": { _ = try await OutboxMessage.query(on: $0).all() },
        "auth_sessions.kind": { _ = try await AuthSession.query(on: $0).all() },
        "staff_users.role": { _ = try await StaffUser.query(on: $0).all() },
        "units.kind": { _ = try await Unit.query(on: $0).all() },
        "shelter_profiles.operator": { _ = try await ShelterProfile.query(on: $0).all() },
        "case_documents.kind": { _ = try await CaseDocument.query(on: $0).all() },
        "case_assessments.section": { _ = try await CaseAssessment.query(on: $0).all() },
        "case_decisions.risk_level": { _ = try await CaseDecision.query(on: $0).all() },
        "case_decisions.screened_level": { _ = try await CaseDecision.query(on: $0).all() },
        "cases.channel": { _ = try await CaseRecord.query(on: $0).all() },
        "cases.applicant_kind": { _ = try await CaseRecord.query(on: $0).all() },
        "cases.victim_sex": { _ = try await CaseRecord.query(on: $0).all() },
        "cases.residence": { _ = try await CaseRecord.query(on: $0).all() },
        "cases.consent_captured_as": { _ = try await CaseRecord.query(on: $0).all() },
        "cases.refusal_answered_via": { _ = try await CaseRecord.query(on: $0).all() },
        "cases.refusal_language": { _ = try await CaseRecord.query(on: $0).all() },
    ]

    @Test("every kind of stored code refuses a value its enum does not have", arguments: Self.reads.keys.sorted())
    func everyCode(_ column: String) async throws {
        try await withPenah { app in
            let caseID = try await app.decidedCase()
            _ = try await app.placementRequest(caseID: caseID)
            _ = try await app.caller(.reception).send(.POST, "/api/v1/units/BAKU-1/tickets")
            let lawyer = try await app.caller(.lawyer)
            _ = try await lawyer.send(.POST, "/api/v1/cases/\(caseID)/law-enforcement-notices", ["urgency": "routine"])
            let notice = try #require(try await NoticeRecord.query(on: app.db).first())
            let message = OutboxMessage()
            message.noticeID = try notice.requireID(); message.route = .letter; message.priority = 1; message.state = .pending
            message.attempts = 0; message.nextAttemptMs = 0; message.createdMs = 0
            try await message.save(on: app.db)
            let shelter = try #require(try await UnitService(db: app.db).find(code: "SHELTER-SXA-1"))
            if try await ShelterProfile.query(on: app.db).count() == 0 { try await ShelterProfile.makeDefault(for: shelter).save(on: app.db) }

            let (table, field) = (String(column.split(separator: ".")[0]), String(column.split(separator: ".")[1]))
            let read = try #require(Self.reads[column])
            try await read(app.db)  // every value as written reads back
            #expect(try await app.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0 > 0,
                    "a row of \(table) exists to corrupt")
            // One row: a unique constraint over the code (a case's two sections) must not refuse the edit.
            let one = try #require(try await app.sql.raw("SELECT id FROM \(ident: table)").first()?.decode(column: "id", as: UUID.self))
            try await app.sql.raw("UPDATE \(ident: table) SET \(ident: field) = 'bogus' WHERE id = \(bind: one)").run()
            await #expect(throws: FluentError.self) { try await read(app.db) }
        }
    }

    @Test("a member of staff whose stored role is no role cannot sign in or use a session: 503, never a default role")
    func corruptRole() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            #expect(try await reception.send(.GET, "/api/v1/cases").status == .ok)
            try await app.sql.raw("UPDATE staff_users SET role = 'admin ' WHERE id = \(bind: try reception.staff.user.requireID())").run()
            let read = try await reception.send(.GET, "/api/v1/cases")
            #expect(read.status == .serviceUnavailable, "\(read.status) \(read.text)")
        }
    }

    @Test("the queue's SQL calls in the order the domain gives: priority first")
    func rankMatchesDomain() async throws {
        try await withPenah { app in
            for priority in TicketPriority.allCases {
                let row = try await app.sql.raw("SELECT \(unsafeRaw: QueueRepository.rank) AS r FROM (SELECT \(bind: priority.rawValue) AS priority) AS t").first()
                #expect(try row?.decode(column: "r", as: Int.self) == priority.rank, "\(priority)")
            }
        }
    }

    @Test("a stored JSON value that does not decode is a 503, never an empty default (her children read as none, a shelter taking everyone)",
          arguments: ["placement_requests.children", "shelter_profiles.intake", "case_assessments.facts"])
    func corruptJSON(_ column: String) async throws {
        try await withPenah { app in
            let caseID = try await app.decidedCase()
            _ = try await app.placementRequest(caseID: caseID)
            let shelter = try #require(try await UnitService(db: app.db).find(code: "SHELTER-SXA-1"))
            if try await ShelterProfile.query(on: app.db).count() == 0 { try await ShelterProfile.makeDefault(for: shelter).save(on: app.db) }
            let sxa = try await app.caller(.sxaOfficer)
            let lawyer = try await app.caller(.lawyer)
            let read: (path: String, caller: APICaller) = switch column {
            case "placement_requests.children": ("/api/v1/placement-requests", sxa)
            case "shelter_profiles.intake": ("/api/v1/shelters", sxa)
            default: ("/api/v1/cases/\(caseID)", lawyer)
            }
            #expect(try await read.caller.send(.GET, read.path).status == .ok, "readable before")
            let (table, field) = (String(column.split(separator: ".")[0]), String(column.split(separator: ".")[1]))
            try await app.sql.raw("UPDATE \(ident: table) SET \(ident: field) = '{\"truncated'").run()
            let after = try await read.caller.send(.GET, read.path)
            #expect(after.status == .serviceUnavailable, "\(after.status) \(after.text)")
        }
    }
}

@Suite("Stored code lists are read strictly")
struct StoredCodeListTests {
    @Test("a stored code list with a value its enum lacks is a 503, never read without it (a risk factor dropped would lower her risk level)",
          arguments: ["case_assessments.violence_forms", "case_assessments.risk_factors", "case_assessments.needs",
                      "case_decisions.services", "placement_requests.needs", "placement_requests.accessibility"])
    func corruptList(_ column: String) async throws {
        try await withPenah { app in
            let caseID = try await app.decidedCase(factors: ["strangulation"])
            _ = try await app.placementRequest(caseID: caseID)
            let sxa = try await app.caller(.sxaOfficer)
            let lawyer = try await app.caller(.lawyer)
            let read: (path: String, caller: APICaller) = column.hasPrefix("placement_requests")
                ? ("/api/v1/placement-requests", sxa) : ("/api/v1/cases/\(caseID)", lawyer)
            #expect(try await read.caller.send(.GET, read.path).status == .ok, "readable before")
            let (table, field) = (String(column.split(separator: ".")[0]), String(column.split(separator: ".")[1]))
            try await app.sql.raw("UPDATE \(ident: table) SET \(ident: field) = \(ident: field) || ',bogus'").run()
            let after = try await read.caller.send(.GET, read.path)
            #expect(after.status == .serviceUnavailable, "\(after.status) \(after.text)")
            #expect(!after.text.contains("bogus"), "the value itself is not echoed")
        }
    }
}
