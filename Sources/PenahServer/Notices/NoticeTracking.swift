import Fluent
import Foundation
import PenahDomain
import Vapor

/// After a notice is written: the gateway's acknowledgement, a retry by hand after `failed`, the
/// hand delivery of a printed letter, and the supervisors' list of notices nobody has confirmed.
struct NoticeTracking {
    let db: any Database

    /// The notice if the caller's scope covers its unit; otherwise 404.
    func find(_ id: UUID?, for staff: StaffContext, _ action: Action) async throws -> NoticeRecord {
        let scope = try await CaseScope.resolve(staff, action, on: db)
        guard let id, let notice = try await NoticeRecord.find(id, on: db), scope.covers(unitID: notice.unitID) else { throw Abort(.notFound) }
        return notice
    }

    struct Acknowledgement: Codable, Sendable {
        var reference: String
        /// RFC 3339, as the gateway sends it.
        var receivedAt: String?

        func receivedDate() throws -> Date? {
            guard let receivedAt else { return nil }
            guard let date = RFC3339.parse(receivedAt) else {
                throw ValidationProblems([.init(field: "receivedAt", code: "invalidValue")])
            }
            return date
        }
    }

    /// By the gateway's service account. Repeating it changes nothing: the first reference stands.
    func acknowledge(_ input: Acknowledgement, noticeID: UUID?, actor: AuditActor, now: Date = Date()) async throws -> NoticeRecord {
        let reference = input.reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reference.isEmpty else { throw ValidationProblems([.init(field: "reference", code: "required")]) }
        guard reference.count <= 100 else { throw ValidationProblems([.init(field: "reference", code: "tooLong")]) }
        let received = try input.receivedDate() ?? now
        guard let noticeID, let found = try await NoticeRecord.find(noticeID, on: db), found.channel != .alreadyKnown else { throw Abort(.notFound) }
        if found.status == .acknowledged { return found }
        return try await db.writeTransaction { db in
            guard let notice = try await NoticeRecord.find(noticeID, on: db) else { throw Abort(.notFound) }
            if notice.status == .acknowledged { return notice }
            guard notice.status.allows(.acknowledged) else { throw Abort(.conflict) }
            notice.status = .acknowledged
            notice.reference = reference
            notice.acknowledgedAt = now
            if notice.sentAt == nil { notice.sentAt = min(received, now) }
            try await notice.save(on: db)
            // Nothing left to send to the police (an ESDAS registration still goes ahead).
            try await OutboxMessage.query(on: db).filter(\.$noticeID == noticeID).filter(\.$route == .policeGateway)
                .set(\.$state, to: .done).set(\.$leaseToken, to: nil).update()
            try await AuditLog.append(on: db, actor: actor, action: "notice.acknowledge", recordType: "case", recordID: notice.caseID.uuidString)
            try await WorkNotifications.aboutNotice(.noticeAcknowledged, notice, on: db)
            return notice
        }
    }

    /// What failed — the send, an ESDAS registration, or both — goes back to the queue with a fresh
    /// count of attempts.
    func retry(noticeID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> NoticeRecord {
        let found = try await find(noticeID, for: staff, .retryNotice)
        return try await db.writeTransaction { db in
            guard let notice = try await NoticeRecord.find(found.id, on: db) else { throw Abort(.notFound) }
            let failed = try await OutboxMessage.query(on: db).filter(\.$noticeID == notice.id!).filter(\.$state == .failed).count()
            guard failed > 0 else { throw Abort(.conflict) }
            if notice.status == .failed {
                notice.status = .queued
                notice.failedAt = nil
                try await notice.save(on: db)
            }
            try await OutboxMessage.query(on: db).filter(\.$noticeID == notice.id!).filter(\.$state == .failed)
                .set(\.$state, to: .pending).set(\.$attempts, to: 0).set(\.$nextAttemptMs, to: now.milliseconds)
                .set(\.$leaseToken, to: nil).set(\.$leaseUntilMs, to: nil).update()
            try await AuditLog.append(on: db, actor: actor, action: "notice.retry", recordType: "case", recordID: notice.caseID.uuidString)
            return notice
        }
    }

    /// A printed letter was handed to the police: who carried it is recorded and the notice is sent.
    func confirmLetter(noticeID: UUID?, deliveredBy: String, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> NoticeRecord {
        let carrier = deliveredBy.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !carrier.isEmpty else { throw ValidationProblems([.init(field: "deliveredBy", code: "required")]) }
        guard carrier.count <= 200 else { throw ValidationProblems([.init(field: "deliveredBy", code: "tooLong")]) }
        let found = try await find(noticeID, for: staff, .informPolice)
        return try await db.writeTransaction { db in
            guard let notice = try await NoticeRecord.find(found.id, on: db), notice.channel == .letter, notice.status == .queued else {
                throw Abort(.conflict)
            }
            notice.status = .sent
            notice.sentAt = now
            notice.deliveredBy = carrier
            try await notice.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "notice.letterDelivered", recordType: "case", recordID: notice.caseID.uuidString)
            return notice
        }
    }

    /// Notices in the supervisor's scope that failed, or were sent (or queued) longer ago than the
    /// acknowledgement limit without an acknowledgement.
    func overdue(staff: StaffContext, limitMinutes: Int, now: Date = Date()) async throws -> [NoticeRecord] {
        let scope = try await CaseScope.resolve(staff, .readNotice, on: db)
        let cutoff = now.addingTimeInterval(-Double(limitMinutes) * 60)
        var query = NoticeRecord.query(on: db).group(.or) { group in
            group.filter(\.$status == .failed)
                .group(.and) { $0.filter(\.$status ~~ [NoticeStatus.queued, .sent]).filter(\.$createdAt < cutoff) }
        }
        if case .units(let ids) = scope.reach { query = query.filter(\.$unitID ~~ Array(ids)) }
        if case .own = scope.reach { return [] }
        return try await query.sort(\.$createdAt).limit(200).all()
    }
}
