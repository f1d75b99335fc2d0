import Fluent
import Foundation
import Testing
import Vapor
@testable import PenahDomain
@testable import PenahServer

@Suite("Joint interview and decision")
struct CaseInterviewTests {
    @Test("each professional writes only their own section; signing needs both sections and both signatures")
    func tellItOnce() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let lawyer = try await app.caller(.lawyer)
            let psychologist = try await app.caller(.psychologist)
            let id = try await reception.register()
            let base = "/api/v1/cases/\(id)"

            let wrong = try await psychologist.send(.POST, "\(base)/assessments", Application.section("legal"))
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.errorCodes == ["sectionNotYours"])
            #expect(try await CaseAssessment.query(on: app.db).count() == 0)
            // Reception does not interview.
            #expect(try await reception.send(.POST, "\(base)/assessments", Application.section("legal")).status == .notFound)

            #expect(try await lawyer.send(.POST, "\(base)/assessments", Application.section("legal", factors: ["strangulation"])).status == .ok)
            let early = try await lawyer.send(.POST, "\(base)/decision", ["needsRehabilitation": true, "services": ["shelter"], "riskLevel": "high"])
            #expect(early.status == .conflict)
            #expect(try await psychologist.send(.POST, "\(base)/decision/sign").status == .conflict)
            #expect(try await psychologist.send(.POST, "\(base)/assessments", Application.section("psychological", factors: ["pregnancy"])).status == .ok)

            // Strangulation sets high risk on its own: a lower level is refused.
            let lower = try await lawyer.send(.POST, "\(base)/decision", ["needsRehabilitation": true, "services": ["shelter"], "riskLevel": "elevated"])
            #expect(lower.status == .unprocessableEntity)
            #expect(lower.errorCodes == ["riskBelowScreen"])
            let draft = try await lawyer.send(.POST, "\(base)/decision", [
                "needsRehabilitation": true, "services": ["shelter", "psychologicalSupport"], "riskLevel": "high",
                "safeContact": ["methods": ["phoneCall"], "safeTimes": "10:00–12:00", "mayIdentifyAsDost": false,
                                "voicemailSafe": false, "smsSafe": false, "codeWord": "nar"]] as [String: Any])
            #expect(draft.status == .ok, "\(draft.text)")
            #expect(draft.object["inEffect"] as? Bool == false)

            #expect(try await lawyer.send(.POST, "\(base)/decision/sign").status == .ok)
            #expect(try await lawyer.send(.POST, "\(base)/decision/sign").status == .conflict)
            #expect(try await CaseRecord.find(id, on: app.db)?.status == .assessing)
            let signed = try await psychologist.send(.POST, "\(base)/decision/sign")
            #expect(signed.object["inEffect"] as? Bool == true)
            let record = try #require(try await CaseRecord.find(id, on: app.db))
            #expect(record.status == .decided)
            #expect(record.decidedAt != nil)
            // Once in effect, nothing of the interview changes.
            #expect(try await lawyer.send(.POST, "\(base)/assessments", Application.section("legal")).status == .conflict)
            #expect(try await lawyer.send(.POST, "\(base)/decision", ["needsRehabilitation": false, "services": [], "riskLevel": "high"]).status == .conflict)
            #expect(try await lawyer.send(.POST, "\(base)/refusal", ["explanation": "x"]).status == .conflict)

            let view = try await lawyer.send(.GET, base)
            let clocks = view.object["clocks"] as? [[String: Any]] ?? []
            #expect(clocks.first { $0["kind"] as? String == "frontOffice" }?["stoppedAt"] != nil)
            let actions = try await AuditEvent.query(on: app.db).filter(\.$recordID == id.uuidString).all().map(\.action)
            #expect(actions.filter { $0 == "case.decision.sign" }.count == 2)
            #expect(actions.contains("case.assessment.legal") && actions.contains("case.assessment.psychological"))
        }
    }

    @Test("a section edited after the draft voids its signatures, and a draft below the screen as it now stands cannot be signed")
    func screenAfterDraft() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let lawyer = try await app.caller(.lawyer)
            let psychologist = try await app.caller(.psychologist)
            let id = try await reception.register()
            let base = "/api/v1/cases/\(id)"
            #expect(try await lawyer.send(.POST, "\(base)/assessments", Application.section("legal")).status == .ok)
            #expect(try await psychologist.send(.POST, "\(base)/assessments", Application.section("psychological")).status == .ok)
            #expect(try await lawyer.send(.POST, "\(base)/decision", ["needsRehabilitation": true, "services": ["shelter"], "riskLevel": "standard"]).status == .ok)
            #expect(try await lawyer.send(.POST, "\(base)/decision/sign").status == .ok)
            // Strangulation is added after the draft and the lawyer's signature.
            #expect(try await psychologist.send(.POST, "\(base)/assessments", Application.section("psychological", factors: ["strangulation"])).status == .ok)
            let decision = try #require(try await CaseDecision.query(on: app.db).filter(\.$caseID == id).first())
            #expect(decision.lawyerSignedAt == nil, "the signature given before the edit is void")
            let refused = try await psychologist.send(.POST, "\(base)/decision/sign")
            #expect(refused.status == .unprocessableEntity && refused.errorCodes == ["riskBelowScreen"], "\(refused.text)")
            #expect(try await CaseRecord.find(id, on: app.db)?.status != .decided)
            // Redrafted at the level the screen now gives, both sign and it takes effect at that level.
            #expect(try await lawyer.send(.POST, "\(base)/decision", ["needsRehabilitation": true, "services": ["shelter"], "riskLevel": "high"]).status == .ok)
            #expect(try await lawyer.send(.POST, "\(base)/decision/sign").status == .ok)
            #expect(try await psychologist.send(.POST, "\(base)/decision/sign").status == .ok)
            #expect(try await CaseDecision.query(on: app.db).filter(\.$caseID == id).first()?.riskLevel == .high)
        }
    }

    @Test("raising the level needs a reason; a changed draft needs both signatures again")
    func judgementAndRedraft() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let lawyer = try await app.caller(.lawyer)
            let psychologist = try await app.caller(.psychologist)
            let base = "/api/v1/cases/\(try await reception.register())"
            _ = try await lawyer.send(.POST, "\(base)/assessments", Application.section("legal"))
            _ = try await psychologist.send(.POST, "\(base)/assessments", Application.section("psychological"))
            let noReason = try await lawyer.send(.POST, "\(base)/decision", ["needsRehabilitation": true, "services": [], "riskLevel": "high"])
            #expect(noReason.errorFields == ["riskReason"])
            let raised = try await lawyer.send(.POST, "\(base)/decision", ["needsRehabilitation": true, "services": [], "riskLevel": "high",
                                                                           "riskReason": "Qorxu aydın görünür"] as [String: Any])
            #expect(raised.object["screenedRiskLevel"] as? String == "standard")
            _ = try await lawyer.send(.POST, "\(base)/decision/sign")
            _ = try await psychologist.send(.POST, "\(base)/decision", ["needsRehabilitation": true, "services": ["legalAid"], "riskLevel": "standard"])
            let decision = try #require(try await CaseDecision.query(on: app.db).first())
            #expect(decision.lawyerSignedAt == nil)
        }
    }

    @Test("unknown codes are 422 and change nothing", arguments: [
        #"{"section":"legal","violenceForms":["spiritual"],"riskFactors":{},"needs":[]}"#,
        #"{"section":"legal","violenceForms":["physical"],"riskFactors":{"curse":true},"needs":[]}"#,
        #"{"section":"legal","violenceForms":["physical"],"riskFactors":{},"needs":["money"]}"#,
        #"{"section":"legal","violenceForms":["physical"],"relationship":"neighbour","riskFactors":{},"needs":[]}"#,
        #"{"section":"legal","violenceForms":["physical"],"riskFactors":{},"needs":[],"incidentDate":"2099-01-01"}"#,
    ])
    func unknownCodes(body: String) async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let lawyer = try await app.caller(.lawyer)
            let id = try await reception.register()
            var headers = HTTPHeaders.bearer(lawyer.token)
            headers.add(name: .contentType, value: "application/json")
            let response = try await app.send(.POST, "/api/v1/cases/\(id)/assessments", headers: headers, body: ByteBuffer(string: body))
            #expect(response.status == .unprocessableEntity)
            #expect(try await CaseAssessment.query(on: app.db).count() == 0)
            #expect(try await CaseRecord.find(id, on: app.db)?.status == .registered)
        }
    }

    @Test("reception and the call centre see the case but never the interview notes")
    func notesHidden() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let callCentre = try await app.caller(.callCentre)
            let lawyer = try await app.caller(.lawyer)
            let id = try await reception.register()
            _ = try await lawyer.send(.POST, "/api/v1/cases/\(id)/assessments", Application.section("legal", notes: "Gizli qeyd 7781"))
            for caller in [reception, callCentre] {
                let view = try await caller.send(.GET, "/api/v1/cases/\(id)")
                #expect(view.status == .ok)
                #expect(view.object["assessments"] == nil || view.object["assessments"] is NSNull)
                #expect(!view.text.contains("Gizli qeyd 7781"))
            }
            #expect(try await lawyer.send(.GET, "/api/v1/cases/\(id)").text.contains("Gizli qeyd 7781"))
            let stored = try #require(try await CaseAssessment.query(on: app.db).first())
            #expect(stored.notes?.contains("7781") == false)
        }
    }
}
