import Foundation
import PenahDomain
import Vapor

/// `/cases/{id}/placement/slip`: the admission code on a slip she takes to the shelter — the code,
/// the pseudonym and how long it holds. No name, no shelter address: paper can be found.
struct AdmissionSlip {
    struct Context: Encodable {
        let page: PageFrame
        let caseID: UUID
        let pseudonym: String
        let code: String
        let validUntil: String
    }

    @Sendable static func render(_ req: Request) async throws -> View {
        let staff = try req.requireStaff()
        let (record, _) = try await CaseScope.find(req.parameters.get("caseID", as: UUID.self), for: staff, .requestPlacement, on: req.db)
        guard let request = try await PlacementOnCase.latest(caseID: record.id!, on: req.db), request.status == .approved,
              let sealed = request.admissionCode, let until = request.holdExpiresAt else { throw Abort(.conflict) }
        let code = try await req.vault.openText(sealed, field: "placement.admissionCode")
        try await AuditLog.record(on: req.db, actor: req.auditActor, action: "placement.slip", recordType: "case", recordID: record.id?.uuidString)
        return try await req.view.render("admission-slip", Context(page: req.staffFrame(titleKey: "placement.slip.heading"), caseID: record.id!,
                                                                   pseudonym: request.pseudonym, code: code, validUntil: BakuFormat.dateTime(until)))
    }
}
