import Fluent
import Foundation
import PenahDomain
import Vapor

/// The shelter's side: admission by the one-time code at the door (throttled, single use, audited),
/// and the stay — services given, an extension approved by SXA, discharge with a reason.
struct ShelterDoor {
    let db: any Database
    let vault: IdentityVault
    let settings: Settings

    struct Admitted: Content {
        let stayId: UUID
        let pseudonym: String
        let profile: PlacementView
    }

    func admit(code typed: String, shelterID: UUID?, staff: StaffContext, actor: AuditActor, address: String, now: Date = Date()) async throws -> Admitted {
        let (shelter, _) = try await ShelterRegistry(db: db).find(shelterID, for: staff, .admitToShelter)
        let shelterUnitID = try shelter.requireID()
        // Guessing is slowed like signing in: per staff member and address.
        let throttle = LoginThrottle(db: db), key = "door:\(staff.username)"
        // Counted before the code is looked at (see `LoginThrottle.admit`); a code that opens the door takes it back.
        if let wait = try await throttle.admit(username: key, address: address, now: now) { throw Abort(.tooManyRequests, headers: ["Retry-After": String(wait)]) }
        let refused = { (reason: String) async throws -> Never in
            try await AuditLog.record(on: db, actor: actor, action: "placement.admission.refused.\(reason)", recordType: "unit", recordID: shelterUnitID.uuidString)
            // One answer for a mistyped, unknown, used, expired or another shelter's code.
            throw ValidationProblems([.init(field: "admissionCode", code: "admissionCodeInvalid")])
        }
        guard let code = AdmissionCode.normalise(typed) else { try await refused("format") }
        let index = try await vault.blindIndex(code, field: "placement.admissionCode")
        guard let request = try await PlacementRequest.query(on: db).filter(\.$admissionIndex == index).first() else { try await refused("unknown") }
        guard request.shelterID == shelterUnitID, PlacementStatus.current(stored: request.status, holdExpiresAt: request.holdExpiresAt, now: now) == .approved else { try await refused("notValid") }
        let stay = ShelterStay()
        stay.id = UUID()
        let days = settings.placement.stayDays
        try await db.writeTransaction { db in
            try await RowLock.hold(PlacementRequest.schema, id: request.id!, on: db)
            guard let current = try await PlacementRequest.find(request.id, on: db), current.status == .approved, current.admissionIndex == index else {
                throw Abort(.conflict)
            }
            let (_, places) = try await ShelterPlaces.lock(shelterUnitID, on: db)
            places.held = max(0, places.held - current.places)
            places.occupied += current.places
            try await places.save(on: db)
            current.status = .admitted
            // Single use: the code is gone once it has opened the door.
            current.admissionIndex = nil
            current.admissionCode = nil
            try await current.save(on: db)
            stay.requestID = current.id!
            stay.shelterID = shelterUnitID
            stay.pseudonym = current.pseudonym
            stay.places = current.places
            stay.startedAt = now
            stay.plannedEnd = now.addingTimeInterval(Double(days) * 86_400)
            stay.services = ""
            try await stay.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "placement.admit", recordType: "placement", recordID: current.id?.uuidString)
        }
        try await db.writeTransaction { db in try await LoginThrottle(db: db).recordSuccess(username: key, address: address) }
        return Admitted(stayId: stay.id!, pseudonym: request.pseudonym, profile: try PlacementView(request, now: now))
    }

    /// A stay the caller may act on: their own shelter's (shelter staff), or any (SXA, extension only).
    func stay(_ id: UUID?, for staff: StaffContext, _ action: Action) async throws -> ShelterStay {
        let scope = try await CaseScope.resolve(staff, action, on: db)
        guard let id, let stay = try await ShelterStay.find(id, on: db), scope.covers(unitID: stay.shelterID) else { throw Abort(.notFound) }
        return stay
    }

    func discharge(reason: DischargeReason, stayID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> ShelterStay {
        let found = try await stay(stayID, for: staff, .manageStay)
        return try await db.writeTransaction { db in
            try await RowLock.hold(ShelterStay.schema, id: found.id!, on: db)
            guard let stay = try await ShelterStay.find(found.id, on: db), stay.dischargedAt == nil else { throw Abort(.conflict) }
            let (_, places) = try await ShelterPlaces.lock(stay.shelterID, on: db)
            places.occupied = max(0, places.occupied - stay.places)
            try await places.save(on: db)
            stay.dischargedAt = now
            stay.dischargeReason = reason.rawValue
            try await stay.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "stay.discharge", recordType: "placement", recordID: stay.requestID.uuidString)
            return stay
        }
    }

    func recordServices(_ services: [Service], stayID: UUID?, staff: StaffContext, actor: AuditActor) async throws -> ShelterStay {
        let stay = try await stay(stayID, for: staff, .manageStay)
        guard stay.dischargedAt == nil else { throw Abort(.conflict) }
        stay.services = Service.store(Array(Set(try Service.list(stay.services) + services)))
        try await db.writeTransaction { db in
            try await stay.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "stay.services", recordType: "placement", recordID: stay.requestID.uuidString)
        }
        return stay
    }

    /// SXA approves a longer stay.
    func extend(until: Date, stayID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> ShelterStay {
        let stay = try await stay(stayID, for: staff, .decidePlacement)
        guard stay.dischargedAt == nil else { throw Abort(.conflict) }
        guard until > stay.plannedEnd, until < now.addingTimeInterval(730 * 86_400) else { throw ValidationProblems([.init(field: "until", code: "outOfRange")]) }
        stay.plannedEnd = until
        try await db.writeTransaction { db in
            try await stay.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "stay.extend", recordType: "placement", recordID: stay.requestID.uuidString)
        }
        return stay
    }
}
