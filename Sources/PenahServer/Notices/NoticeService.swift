import Fluent
import Foundation
import PenahDomain
import Vapor

/// Informing law enforcement (step 4). The notice and its outbox message are written in one
/// transaction with the audit event, so a committed notice is always delivered (or visibly fails);
/// nothing is sent from here — the delivery worker does that.
struct NoticeService {
    let db: any Database
    let vault: IdentityVault
    let settings: Settings

    struct CreateInput: Codable, Sendable {
        var urgency: NoticeUrgency
        var prosecution: ProsecutionPosition?
    }

    func create(_ input: CreateInput, caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> NoticeRecord {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .informPolice, on: db)
        guard CaseSteps.mayInformPolice(try await CaseFacts.load(record, on: db)) else { throw Abort(.conflict) }
        let detail = try await CaseDetail.load(caseID: record.id, staff: staff, actor: actor, on: db, vault: vault, standards: settings.standards)
        // The incident facts come from the lawyer's section; without it there is nothing to tell.
        guard let legal = detail.assessments?.first(where: { $0.section == .legal }) else { throw Abort(.conflict) }
        // The higher of the decision's level and the screen's as it stands: a draft written
        // before a factor was added must not make the notice less urgent than the screen says.
        let levels = [detail.decision?.riskLevel, detail.screenedRiskLevel]
        let urgency = NoticeUrgency.effective(asked: input.urgency, risk: levels.compactMap { $0 }.max())
        // Which routes this unit uses is configuration; the gateway needs its address too.
        let routes = settings.notices.routes(forUnit: detail.unitCode)
        let channel: NoticeChannel = routes.contains(.policeGateway) && settings.policeGatewayURL != nil ? .policeGateway : .letter
        let registers = routes.contains(.esdas) && settings.notices.esdasURL != nil
        let notice = NoticeRecord()
        notice.id = UUID()
        notice.caseID = try record.requireID()
        notice.unitID = record.$unit.id
        notice.urgency = urgency
        notice.channel = channel
        notice.status = .queued
        notice.createdBy = staff.userID
        notice.createdAt = now
        try await db.writeTransaction { db in
            notice.number = try await Self.nextNumber(caseNumber: record.number, caseID: notice.caseID, on: db)
            let body = NoticeBody.make(id: notice.id!, number: notice.number, caseNumber: record.number, unitCode: detail.unitCode,
                                       urgency: urgency, createdAt: now, legal: legal, decision: detail.decision, victim: detail.victim,
                                       prosecution: input.prosecution ?? .undecided)
            notice.body = try await vault.seal(try body.encoded(), field: "notice.body")
            try await notice.create(on: db)
            if channel == .policeGateway { try await Self.enqueue(notice, route: .policeGateway, now: now, on: db) }
            if registers { try await Self.enqueue(notice, route: .esdas, now: now, on: db) }
            try await AuditLog.append(on: db, actor: actor, action: "notice.create", recordType: "case", recordID: record.id?.uuidString)
        }
        return notice
    }

    /// `LE-<case number>-<n>`. The case row is held for the rest of the transaction, so notices of
    /// one case are numbered one after another; the unique index is the backstop.
    static func nextNumber(caseNumber: String, caseID: UUID, on db: any Database) async throws -> String {
        try await RowLock.hold(CaseRecord.schema, id: caseID, on: db)
        let existing = try await NoticeRecord.query(on: db).filter(\.$caseID == caseID).count()
        return "LE-\(caseNumber)-\(existing + 1)"
    }

    static func enqueue(_ notice: NoticeRecord, route: DeliveryRoute, now: Date, on db: any Database) async throws {
        let message = OutboxMessage()
        message.noticeID = try notice.requireID()
        message.route = route
        message.priority = notice.urgency == .urgent ? 0 : 1
        message.state = .pending
        message.attempts = 0
        message.nextAttemptMs = now.milliseconds
        message.createdMs = now.milliseconds
        try await message.create(on: db)
    }

    /// The act on file is a police protocol: the police already know. The step is recorded as done
    /// with their reference, as a notice that never leaves.
    func recordAlreadyKnown(reference: String, caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> NoticeRecord {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .informPolice, on: db)
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ValidationProblems([.init(field: "reference", code: "required")]) }
        guard trimmed.count <= 100 else { throw ValidationProblems([.init(field: "reference", code: "tooLong")]) }
        let caseID = try record.requireID()
        guard CaseSteps.mayRecordPoliceAlreadyKnow(try await CaseFacts.load(record, on: db)) else { throw Abort(.conflict) }
        let notice = NoticeRecord()
        notice.id = UUID()
        notice.caseID = caseID
        notice.unitID = record.$unit.id
        notice.urgency = .routine
        notice.channel = .alreadyKnown
        notice.status = .acknowledged
        notice.createdBy = staff.userID
        notice.createdAt = now
        notice.acknowledgedAt = now
        notice.reference = trimmed
        notice.body = try await vault.seal(Data("{}".utf8), field: "notice.body")
        try await db.writeTransaction { db in
            notice.number = try await Self.nextNumber(caseNumber: record.number, caseID: caseID, on: db)
            try await notice.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "notice.alreadyKnown", recordType: "case", recordID: caseID.uuidString)
        }
        return notice
    }
}

/// The outbox row's own states (the notice's are `NoticeStatus`).
enum OutboxState: String, Codable, Sendable {
    case pending, done, failed
}

extension Date {
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
