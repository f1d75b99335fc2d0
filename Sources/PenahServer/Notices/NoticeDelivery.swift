import Fluent
import Foundation
import Logging
import PenahDomain

/// Sends what the outbox holds. Each pass claims due messages one at a time — urgent first, then the
/// oldest — by writing a lease with a fresh claim token in a single conditional UPDATE; only the
/// node whose token landed sends. A node that dies mid-send leaves a lease that expires, and another
/// node sends again: the receiver's `Idempotency-Key` (the notice id) makes that repeat harmless.
struct NoticeDelivery: Sendable {
    let db: any Database
    let vault: IdentityVault
    /// By outbox channel: `policeGateway`, `esdas`. A channel without an adapter waits.
    let adapters: [String: any OutboxAdapter]
    let policy: RetryPolicy
    var logger = Logger(label: "penah.notices")

    struct RetryPolicy: Sendable {
        var maxAttempts = 8
        var baseMilliseconds = 2_000
        var capMilliseconds = 300_000
        /// How long a claim holds before another node may take the message over.
        var leaseMilliseconds = 30_000
    }

    /// One pass: claims and sends up to `limit` due messages; returns how many it tried.
    @discardableResult
    func runOnce(limit: Int = 50, now: @Sendable () -> Date = Date.init) async throws -> Int {
        guard !adapters.isEmpty else { return 0 }
        var tried = 0
        while tried < limit, let (message, token) = try await claim(now: now()) {
            tried += 1
            guard let notice = try await NoticeRecord.find(message.noticeID, on: db) else { continue }
            let body = try await vault.open(notice.body, field: "notice.body")
            let outcome: Result<String?, DeliveryError>
            do { outcome = .success(try await adapters[message.channelCode]!.deliver(notice: notice, body: body)) }
            catch let error as DeliveryError { outcome = .failure(error) }
            catch { outcome = .failure(DeliveryError(reason: "transport")) }
            try await record(outcome, message: message, token: token, notice: notice, now: now())
        }
        return tried
    }

    /// The conditional update re-checks the due and lease conditions on the row itself, so of two
    /// nodes choosing the same row only one writes its token; the other matches nothing.
    func claim(now: Date) async throws -> (OutboxMessage, String)? {
        let token = UUID().uuidString
        let nowMs = now.milliseconds
        for _ in 0..<8 {
            guard let candidate = try await OutboxMessage.query(on: db)
                .filter(\.$channelCode ~~ Array(adapters.keys))
                .filter(\.$statusCode == OutboxState.pending).filter(\.$nextAttemptMs <= nowMs)
                .group(.or, { $0.filter(\.$leaseUntilMs == nil).filter(\.$leaseUntilMs < nowMs) })
                .sort(\.$priority).sort(\.$createdMs).first(), let id = candidate.id else { return nil }
            // Optimistic: the row must still be as we read it (same attempt count, still free).
            try await OutboxMessage.query(on: db)
                .filter(\.$id == id).filter(\.$statusCode == OutboxState.pending).filter(\.$attempts == candidate.attempts)
                .group(.or, { $0.filter(\.$leaseUntilMs == nil).filter(\.$leaseUntilMs < nowMs) })
                .set(\.$leaseToken, to: token).set(\.$leaseUntilMs, to: nowMs + Int64(policy.leaseMilliseconds))
                .set(\.$attempts, to: candidate.attempts + 1)
                .update()
            if let claimed = try await OutboxMessage.query(on: db).filter(\.$id == id).filter(\.$leaseToken == token).first() {
                return (claimed, token)
            }
            // Another node won this one; look again.
        }
        return nil
    }

    private func record(_ outcome: Result<String?, DeliveryError>, message: OutboxMessage, token: String, notice: NoticeRecord, now: Date) async throws {
        try await db.writeTransaction { db in
            // Our lease may have run out and another node taken over: then its word counts, not ours.
            guard let current = try await OutboxMessage.query(on: db).filter(\.$id == message.id!).filter(\.$leaseToken == token).first(),
                  let notice = try await NoticeRecord.find(notice.id, on: db) else { return }
            let actor = AuditActor.system("delivery")
            switch outcome {
            case .success(let reference):
                current.statusCode = OutboxState.done
                current.leaseToken = nil
                current.lastError = nil
                if current.channelCode == DeliveryRoute.esdas.rawValue {
                    notice.outgoingNumber = reference
                    try await notice.save(on: db)
                    try await AuditLog.append(on: db, actor: actor, action: "notice.registered", recordType: "case", recordID: notice.caseID.uuidString)
                } else {
                    if notice.status.allows(.sent) {
                        notice.statusCode = NoticeStatus.sent.rawValue
                        notice.sentAt = now
                        try await notice.save(on: db)
                    }
                    try await AuditLog.append(on: db, actor: actor, action: "notice.sent", recordType: "case", recordID: notice.caseID.uuidString)
                }
            case .failure(let error):
                current.lastError = error.reason
                current.leaseToken = nil
                current.leaseUntilMs = nil
                if current.attempts >= policy.maxAttempts {
                    current.statusCode = OutboxState.failed
                    // A failed ESDAS registration leaves the notice's own state alone.
                    if current.channelCode == DeliveryRoute.policeGateway.rawValue, notice.status.allows(.failed) {
                        notice.statusCode = NoticeStatus.failed.rawValue
                        notice.failedAt = now
                        try await notice.save(on: db)
                    }
                    // The alert: supervisors see failed notices at /notices; operations see this event.
                    try await AuditLog.append(on: db, actor: actor, action: "notice.failed.\(current.channelCode)", recordType: "case", recordID: notice.caseID.uuidString)
                    logger.warning("notice delivery failed for good", metadata: ["notice": "\(notice.id!)", "channel": "\(current.channelCode)", "attempts": "\(current.attempts)"])
                } else {
                    let wait = Backoff.delay(attempt: current.attempts, baseMilliseconds: policy.baseMilliseconds, capMilliseconds: policy.capMilliseconds)
                    current.nextAttemptMs = now.milliseconds + Int64(wait)
                }
            }
            try await current.save(on: db)
        }
    }
}

/// Why a delivery did not land: a short code (`http 503`, `transport`), never the body.
struct DeliveryError: Error, Sendable { let reason: String }
