import Fluent
import Foundation
import PenahDomain
import Vapor

/// Registers a case: checks every rule, seals the identity, numbers the case, indexes it for exact
/// look-ups and audits it, all in one transaction. A case registered from a ticket links to it.
struct CaseRegistration {
    let db: any Database
    let vault: IdentityVault

    struct Registered: Content {
        let id: UUID
        let number: String
        let status: String
        let pseudonym: String
        let eligible: Bool
        let warnings: [String]
        let duplicates: [Duplicate]
    }

    /// Another case with the same FIN or phone: where it is, and — only if the caller's scope covers
    /// it — which one.
    /// A case with the same FIN or phone: in the caller's scope with its unit and number; outside
    /// it, all three are absent ("a possible earlier case exists").
    struct Duplicate: Content, Equatable {
        let unitCode: String?
        let caseId: UUID?
        let number: String?
    }

    func register(_ input: RegistrationInput, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> Registered {
        let valid: ValidRegistration
        switch RegistrationRules.validate(input, now: now) {
        case .success(let registration): valid = registration
        case .failure(let found): throw ValidationProblems(found.problems)
        }
        guard let unit = try await UnitService(db: db).find(code: staff.unitCode), let unitID = unit.id,
              unit.kind.servesVisitors || unit.kind == .hq else { throw Abort(.notFound) }
        let ticket = try await linkedTicket(input.ticketId, unitID: unitID)

        let sealed = try await vault.seal(try JSONEncoder().encode(valid.identity), field: CaseIdentity.field)
        let index = try await CaseIdentity.indexEntries(of: valid.identity, vault: vault)
        let scope = try await CaseScope.resolve(staff, .readCase, on: db)
        // The hint is an oracle for whoever types FINs: it is rationed per person (the case is
        // still registered), and every match is recorded on the matched case.
        let hinted = try await hintsLeft(for: staff.userID, now: now)
        let duplicates = hinted ? try await CaseIdentity.duplicates(of: index, scope: scope, on: db) : []
        let matched = hinted ? try await CaseIdentity.matchedCases(of: index, on: db) : []

        let record = CaseRecord()
        record.id = UUID()
        record.$unit.id = unitID
        record.status = .registered
        record.channel = input.channel
        record.ticketID = ticket?.id
        record.applicantKind = input.applicant.kind
        record.sex = input.victim.sex
        record.birthYear = Calendar(identifier: .gregorian).component(.year, from: valid.birthDate)
        record.residence = input.victim.residence
        record.eligible = input.victim.residence.isEligible
        record.minor = valid.isMinor
        record.interpreterNeeded = input.victim.interpreterNeeded ?? false
        record.preferredLanguage = input.victim.preferredLanguage.flatMap { $0.isEmpty ? nil : $0 }
        record.identity = sealed
        record.consentServices = input.consent.services
        record.consentReferral = input.consent.referral ?? false
        record.consentCapturedAs = input.consent.capturedAs
        record.registeredBy = staff.userID
        record.calledAt = ticket?.calledAt
        record.registeredAt = now
        record.registeredMs = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))

        try await Self.retryingOnCollision { try await db.writeTransaction { db in
            let year = Calendar(identifier: .gregorian).component(.year, from: now)
            record.number = CaseNumber.make(unitCode: unit.code, year: year, sequence: try await CaseRepository.nextSequence(unitID: unitID, year: year, on: db))
            record.pseudonym = try await CaseRepository.freshPseudonym(on: db)
            // Checked again here, under the ticket's lock: registrations sent at once with one
            // ticket all passed the check before the transaction. The unique index is the backstop.
            if let ticketID = record.ticketID {
                try await RowLock.hold(Ticket.schema, id: ticketID, on: db)
                guard try await CaseRecord.query(on: db).filter(\.$ticketID == ticketID).count() == 0 else { throw Abort(.conflict) }
            }
            try await record.create(on: db)
            try await index.map { CaseIndexEntry(caseID: record.id!, unitID: unitID, field: $0.0, hash: $0.1) }.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "case.register", recordType: "case", recordID: record.id?.uuidString)
            for id in matched {
                try await AuditLog.append(on: db, actor: actor, action: "case.duplicateMatch", recordType: "case", recordID: id.uuidString)
            }
        } }
        return Registered(id: record.id!, number: record.number, status: record.status.rawValue, pseudonym: record.pseudonym,
                          eligible: record.eligible, warnings: valid.warnings.map(\.code), duplicates: duplicates)
    }

    /// Duplicate hints a person gets per hour; past that, registrations still work, without hints.
    static let hintsPerHour = 40

    private func hintsLeft(for userID: UUID, now: Date) async throws -> Bool {
        let since = Int64((now.timeIntervalSince1970 - 3_600) * 1000)
        return try await AuditEvent.query(on: db).filter(\.$actorID == userID).filter(\.$action == "case.register")
            .filter(\.$occurredMs >= since).count() < Self.hintsPerHour
    }

    /// The ticket being served at this unit's desk, if one is named. Another unit's ticket is 404;
    /// a ticket not called, or already linked to a case, is 409.
    private func linkedTicket(_ id: UUID?, unitID: UUID) async throws -> Ticket? {
        guard let id else { return nil }
        guard let ticket = try await Ticket.find(id, on: db), ticket.$unit.id == unitID else { throw Abort(.notFound) }
        guard [.called, .serving].contains(ticket.status),
              try await CaseRecord.query(on: db).filter(\.$ticketID == id).count() == 0 else { throw Abort(.conflict) }
        return ticket
    }

    /// A unique-index collision (first counter row of a year, or a pseudonym drawn twice at once)
    /// rolls the whole transaction back; trying again is safe.
    static func retryingOnCollision(_ body: () async throws -> Void) async throws {
        for attempt in 1...5 {
            do { return try await body() } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 5 { continue }
        }
    }
}
