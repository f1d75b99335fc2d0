import Fluent
import Foundation
import Testing
import Vapor
@testable import PenahDomain
@testable import PenahServer

extension Application {
    /// Registers a case in `unit` with a police protocol on file, both sections and a signed decision
    /// that she needs rehabilitation (consent to referral given). Returns the case id.
    func decidedCase(unit: String = "BAKU-1", withAct: Bool = true, factors: [String] = []) async throws -> UUID {
        let reception = try await caller(.reception, unit: unit)
        let lawyer = try await caller(.lawyer, unit: unit)
        let psychologist = try await caller(.psychologist, unit: unit)
        let id = try await reception.register(sampleApplication(fin: nil, phone: "050 123 45 67"))
        if withAct { #expect(try await CaseDocumentTests.upload(reception, id, kind: "policeProtocol", file: CaseDocumentTests.pdf).status == .created) }
        #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/assessments", Application.section("legal", factors: factors)).status == .ok)
        #expect(try await psychologist.send(.POST, "/api/v1/cases/\(id)/assessments", Application.section("psychological")).status == .ok)
        let level = factors.isEmpty ? "standard" : "high"
        #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/decision", ["needsRehabilitation": true, "services": ["shelter"], "riskLevel": level] as [String: Any]).status == .ok)
        #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/decision/sign").status == .ok)
        #expect(try await psychologist.send(.POST, "/api/v1/cases/\(id)/decision/sign").status == .ok)
        return id
    }

    func shelterID(_ code: String = "SHELTER-SXA-1") async throws -> UUID {
        try #require(try await UnitService(db: db).find(code: code)?.id)
    }

    /// A placement request from a decided case; returns its id.
    func placementRequest(caseID: UUID, unit: String = "BAKU-1", body: [String: Any] = ["urgency": "routine"]) async throws -> UUID {
        let lawyer = try await caller(.lawyer, unit: unit)
        let response = try await lawyer.send(.POST, "/api/v1/cases/\(caseID)/placement-requests", body)
        #expect(response.status == .created, "\(response.text)")
        return try #require(UUID(uuidString: response.object["id"] as? String ?? ""))
    }

    /// Approves a request into a shelter and returns the admission code as the DOST side sees it.
    func approve(_ requestID: UUID, caseID: UUID, shelter: String = "SHELTER-SXA-1") async throws -> String {
        let sxa = try await caller(.sxaOfficer)
        let decided = try await sxa.send(.POST, "/api/v1/placement-requests/\(requestID)/decision",
                                         ["decision": "approved", "shelterId": try await shelterID(shelter).uuidString])
        #expect(decided.status == .ok, "\(decided.text)")
        let lawyer = try await caller(.lawyer)
        let view = try await lawyer.send(.GET, "/api/v1/cases/\(caseID)")
        return try #require((view.object["placement"] as? [String: Any])?["admissionCode"] as? String)
    }
}
