import Fluent
import Foundation
import PenahDomain
import Vapor

/// SXA's side of step 5: approve (holding places and issuing the admission code), refuse on the
/// one ground, ask a question, or record that no place fits and put the request on the waiting
/// list. Every decision stops the back-office and total clocks; holds expire and free their places.
struct SXADecisions {
    let db: any Database
    let vault: IdentityVault
    let settings: Settings

    struct Input: Codable, Sendable {
        var decision: String
        var shelterId: UUID?
        var explanation: String?
    }

    func decide(_ input: Input, requestID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> PlacementRequest {
        guard AccessPolicy.allows(staff.role, .decidePlacement) else { throw Abort(.notFound) }
        try await HoldExpiry(db: db).sweep(now: now)
        guard let requestID, let found = try await PlacementRequest.find(requestID, on: db) else { throw Abort(.notFound) }
        switch input.decision {
        case "approved":
            guard let shelterID = input.shelterId else { throw ValidationProblems([.init(field: "shelterId", code: "required")]) }
            return try await approve(found, shelterID: shelterID, staff: staff, actor: actor, now: now)
        case "refused":
            let text = (input.explanation ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ValidationProblems([.init(field: "explanation", code: "required")]) }
            guard text.count <= 4_000 else { throw ValidationProblems([.init(field: "explanation", code: "tooLong")]) }
            let sealed = try await vault.seal(text, field: "placement.refusal")
            return try await conclude(found, to: .refused, action: "placement.refuse", actor: actor, now: now) { request, _ in
                request.refusal = sealed
            }
        case "waiting":
            // No place fits now: recorded as unmet need; the request stays decidable on the list.
            return try await conclude(found, to: .waiting, action: "placement.unmetNeed", actor: actor, now: now, stopsClocks: false) { _, _ in }
        default:
            throw ValidationProblems([.init(field: "decision", code: "invalidValue")])
        }
    }

    private func approve(_ found: PlacementRequest, shelterID: UUID, staff: StaffContext, actor: AuditActor, now: Date) async throws -> PlacementRequest {
        guard let shelter = try await Unit.find(shelterID, on: db), shelter.kind == .shelter else {
            throw ValidationProblems([.init(field: "shelterId", code: "invalidValue")])
        }
        // Read, not created here: a write outside the transaction would queue behind the other officer's.
        let intake = try await ShelterProfile.query(on: db).filter(\.$unitID == shelterID).first()?.intakeRules() ?? ShelterIntake()
        if intake.misfit(sex: found.sex, children: try found.childProfiles(),
                                      accessibilityNeeds: try Accessibility.list(found.accessibility), avoidRegions: found.avoidRegions.split(separator: ",").map(String.init)) != nil {
            throw ValidationProblems([.init(field: "shelterId", code: "shelterDoesNotFit")])
        }
        let code = AdmissionCode.generate()
        let sealed = try await vault.seal(code, field: "placement.admissionCode")
        let index = try await vault.blindIndex(code, field: "placement.admissionCode")
        let hours = settings.placement.admissionCodeHours
        return try await conclude(found, to: .approved, action: "placement.approve", actor: actor, now: now) { request, db in
            let (unit, places) = try await ShelterPlaces.lock(shelterID, on: db)
            // The last place goes to one officer only: the other's transaction sees it taken.
            guard ShelterPlaces.free(unit, places) >= request.places else { throw Abort(.conflict) }
            places.held += request.places
            try await places.save(on: db)
            request.shelterID = shelterID
            request.admissionCode = sealed
            request.admissionIndex = index
            request.holdExpiresAt = now.addingTimeInterval(Double(hours) * 3_600)
        }
    }

    /// The common path of every decision: re-read inside the transaction, check the state, change,
    /// stop the clocks, audit.
    private func conclude(_ found: PlacementRequest, to status: PlacementStatus, action: String, actor: AuditActor, now: Date,
                          stopsClocks: Bool = true,
                          _ change: @escaping @Sendable (PlacementRequest, any Database) async throws -> Void) async throws -> PlacementRequest {
        let id = try found.requireID()
        return try await db.writeTransaction { db in
            try await RowLock.hold(PlacementRequest.schema, id: id, on: db)
            guard let request = try await PlacementRequest.find(id, on: db), request.status.isDecidable else { throw Abort(.conflict) }
            try await change(request, db)
            request.status = status
            if stopsClocks {
                request.decidedAt = now
                request.decidedBy = actor.userID
                if let record = try await CaseRecord.find(request.caseID, on: db), record.concludedAt == nil {
                    record.concludedAt = now
                    try await record.save(on: db)
                }
            }
            try await request.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: action, recordType: "placement", recordID: id.uuidString)
            switch status {
            case .approved: try await WorkNotifications.toCaseWorkers(.placementApproved, about: request, on: db)
            case .refused: try await WorkNotifications.toCaseWorkers(.placementRefused, about: request, on: db)
            default: break
            }
            return request
        }
    }

    func ask(_ text: String, requestID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws {
        guard AccessPolicy.allows(staff.role, .decidePlacement) else { throw Abort(.notFound) }
        guard let requestID, let request = try await PlacementRequest.find(requestID, on: db) else { throw Abort(.notFound) }
        try await PlacementThread(db: db, vault: vault).post(text, side: "sxa", to: request, from: staff, actor: actor, now: now,
                                                             expecting: nil, next: .question)
    }
}

/// The question-and-answer thread between SXA and DOST on one request.
struct PlacementThread {
    let db: any Database
    let vault: IdentityVault

    struct Line: Content { let side: String; let text: String; let at: Date }

    func post(_ text: String, side: String, to request: PlacementRequest, from staff: StaffContext, actor: AuditActor, now: Date,
              expecting: PlacementStatus?, next: PlacementStatus) async throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ValidationProblems([.init(field: "text", code: "required")]) }
        guard trimmed.count <= 2_000 else { throw ValidationProblems([.init(field: "text", code: "tooLong")]) }
        let sealed = try await vault.seal(trimmed, field: "placement.message")
        let id = try request.requireID()
        try await db.writeTransaction { db in
            guard let current = try await PlacementRequest.find(id, on: db), current.status.isDecidable,
                  expecting == nil || current.status == expecting else { throw Abort(.conflict) }
            let message = PlacementMessage()
            message.requestID = id
            message.side = side
            message.text = sealed
            message.authorID = staff.userID
            message.at = now
            try await message.create(on: db)
            current.status = next
            try await current.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "placement.message.\(side)", recordType: "placement", recordID: id.uuidString)
            if side == "sxa" { try await WorkNotifications.toCaseWorkers(.sxaQuestion, about: current, on: db) }
        }
    }

    func lines(of requestID: UUID) async throws -> [Line] {
        var lines: [Line] = []
        for message in try await PlacementMessage.query(on: db).filter(\.$requestID == requestID).sort(\.$at).all() {
            lines.append(Line(side: message.side, text: try await vault.openText(message.text, field: "placement.message"), at: message.at))
        }
        return lines
    }
}

/// An approved place is held for the admission-code's validity; after that the place goes back.
/// Done by one job in `serve` (every `interval`) and before each SXA decision (which counts free
/// places). Reads do not write: until the job runs, pages show the hold as expired by its time
/// (`PlacementStatus.current`), and the shelter door checks the time itself.
struct HoldExpiry {
    let db: any Database

    static let interval: Duration = .seconds(30)

    static func job() -> PeriodicJob {
        PeriodicJob("hold expiry", every: interval) { app in try await HoldExpiry(db: app.db).sweep() }
    }

    func sweep(now: Date = Date()) async throws {
        let expired = try await PlacementRequest.query(on: db).filter(\.$status == .approved)
            .filter(\.$holdExpiresAt <= now).all()
        for request in expired {
            try await db.writeTransaction { db in
                // The request's lock first, then the shelter's (the order a decision takes): on several
                // nodes each runs this job, and only one may give the held places back.
                try await RowLock.hold(PlacementRequest.schema, id: try request.requireID(), on: db)
                guard let current = try await PlacementRequest.find(request.id, on: db), let shelterID = current.shelterID,
                      current.status == .approved, PlacementStatus.holdHasExpired(current.holdExpiresAt, now: now) else { return }
                let (_, places) = try await ShelterPlaces.lock(shelterID, on: db)
                places.held = max(0, places.held - current.places)
                try await places.save(on: db)
                current.status = .holdExpired
                current.admissionIndex = nil
                current.admissionCode = nil
                try await current.save(on: db)
                try await AuditLog.append(on: db, actor: .system("hold-expiry"), action: "placement.holdExpired", recordType: "placement", recordID: current.id?.uuidString)
            }
        }
    }
}
