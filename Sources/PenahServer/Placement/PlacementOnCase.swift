import Fluent
import Foundation
import PenahDomain
import Vapor

/// Step 5 as the DOST side of the case sees it: the latest request, its back-office clock, the
/// admission code while it holds (for the roles that ask for placement), the thread with SXA, and
/// the outcome of the stay through the pseudonym — never which shelter or where. (The case page names
/// the shelter, never where it is, to the roles that ask for placement: they tell her where to go.)
struct PlacementOnCase: Content {
    let id: UUID
    let status: PlacementStatus
    let urgency: NoticeUrgency
    let submittedAt: Date
    let dueAt: Date
    let decidedAt: Date?
    let emergencyOverride: Bool
    let admissionCode: String?
    let holdExpiresAt: Date?
    let refusal: String?
    let admittedAt: Date?
    let plannedEnd: Date?
    let dischargedAt: Date?
    let dischargeReason: String?
    let servicesGiven: [Service]
    let thread: [PlacementThread.Line]

    static func latest(caseID: UUID, on db: any Database) async throws -> PlacementRequest? {
        try await PlacementRequest.query(on: db).filter(\.$caseID == caseID).sort(\.$submittedAt, .descending).first()
    }

    static func load(_ request: PlacementRequest, staff: StaffContext, vault: IdentityVault, on db: any Database, now: Date = Date()) async throws -> PlacementOnCase {
        let status = PlacementStatus.current(stored: request.status, holdExpiresAt: request.holdExpiresAt, now: now)
        let showsCode = AccessPolicy.allows(staff.role, .requestPlacement) && status == .approved
        let code = showsCode ? try await request.admissionCode.asyncMap { try await vault.openText($0, field: "placement.admissionCode") } : nil
        let refusal = try await request.refusal.asyncMap { try await vault.openText($0, field: "placement.refusal") }
        let stay = try await ShelterStay.query(on: db).filter(\.$requestID == request.id!).first()
        return PlacementOnCase(
            id: request.id!, status: status, urgency: request.urgency, submittedAt: request.submittedAt, dueAt: request.dueAt,
            decidedAt: request.decidedAt, emergencyOverride: request.emergencyOverride, admissionCode: code,
            holdExpiresAt: status == .approved ? request.holdExpiresAt : nil, refusal: refusal,
            admittedAt: stay?.startedAt, plannedEnd: stay?.plannedEnd, dischargedAt: stay?.dischargedAt, dischargeReason: stay?.dischargeReason,
            servicesGiven: try stay.map { try Service.list($0.services) } ?? [],
            thread: try await PlacementThread(db: db, vault: vault).lines(of: request.id!))
    }
}
