import Fluent
import Foundation
import PenahDomain
import Vapor

/// A placement request as SXA and the shelter see it: the pseudonymous profile and its clock.
/// Built only from `PlacementRequest` columns — nothing here can reach the case's identity.
struct PlacementView: Content {
    let id: UUID
    let pseudonym: String
    let status: PlacementStatus
    let sex: Sex
    let ageBand: String
    let children: [ChildProfile]
    let places: Int
    let needs: [Need]
    let riskLevel: RiskLevel
    let language: String?
    let interpreterNeeded: Bool
    let accessibilityNeeds: [Accessibility]
    let urgency: NoticeUrgency
    let earliestAdmission: Date?
    let avoidRegions: [String]
    let emergencyOverride: Bool
    let submittedAt: Date
    let dueAt: Date
    let decidedAt: Date?
    let overdue: Bool
    let secondsLeft: Int?
    let shelterId: UUID?
    let holdExpiresAt: Date?

    init(_ r: PlacementRequest, now: Date = Date()) throws {
        id = r.id!; pseudonym = r.pseudonym; status = PlacementStatus.current(stored: r.status, holdExpiresAt: r.holdExpiresAt, now: now); sex = r.sex; ageBand = r.ageBand; children = try r.childProfiles()
        places = r.places; needs = try Need.list(r.needs); riskLevel = r.riskLevel; language = r.language
        interpreterNeeded = r.interpreterNeeded; accessibilityNeeds = try Accessibility.list(r.accessibility); urgency = r.urgency
        earliestAdmission = r.earliestAdmission; avoidRegions = r.avoidRegions.split(separator: ",").map(String.init)
        emergencyOverride = r.emergencyOverride; submittedAt = r.submittedAt; dueAt = r.dueAt; decidedAt = r.decidedAt
        let stop = r.decidedAt ?? now
        overdue = stop > r.dueAt
        secondsLeft = r.decidedAt == nil && now < r.dueAt ? Int(r.dueAt.timeIntervalSince(now)) : nil
        shelterId = r.shelterID; holdExpiresAt = r.holdExpiresAt
    }

}

/// The SXA inbox: open requests by due time, then risk, with the shelters that fit each one and
/// their free places right now.
struct SXAInbox {
    let db: any Database

    struct Fit: Content { let shelterId: UUID; let name: String; let free: Int; let fits: Bool; let misfit: ShelterIntake.Misfit? }
    struct Item: Content { let request: PlacementView; let shelters: [Fit] }
    struct Page: Content { let items: [PlacementView]; let nextCursor: String? }

    func list(status: PlacementStatus?, limit: Int = 50, now: Date = Date()) async throws -> [PlacementView] {
        var query = PlacementRequest.query(on: db)
        if let status { query = query.filter(\.$status == status) }
        else { query = query.filter(\.$status ~~ PlacementStatus.allCases.filter(\.isDecidable)) }
        let rows = try await query.sort(\.$dueMs).limit(limit).all()
        // Same due minute: the higher risk first.
        return try rows.map { try PlacementView($0, now: now) }
            .sorted { ($0.dueAt.timeIntervalSince1970 / 60).rounded(.down) != ($1.dueAt.timeIntervalSince1970 / 60).rounded(.down)
                ? $0.dueAt < $1.dueAt : $0.riskLevel > $1.riskLevel }
    }

    func item(_ id: UUID?, now: Date = Date()) async throws -> Item {
        guard let id, let request = try await PlacementRequest.find(id, on: db) else { throw Abort(.notFound) }
        let view = try PlacementView(request, now: now)
        let registry = ShelterRegistry(db: db)
        var fits: [Fit] = []
        for unit in try await Unit.query(on: db).filter(\.$kind == .shelter).sort(\.$code).all() {
            let entry = try await registry.entry(unit)
            let misfit = entry.intake.misfit(sex: view.sex, children: view.children,
                                             accessibilityNeeds: view.accessibilityNeeds, avoidRegions: view.avoidRegions)
            fits.append(Fit(shelterId: entry.id, name: entry.name, free: entry.free, fits: misfit == nil && entry.free >= view.places, misfit: misfit))
        }
        return Item(request: view, shelters: fits.sorted { ($0.fits ? 0 : 1, -$0.free) < ($1.fits ? 0 : 1, -$1.free) })
    }
}
