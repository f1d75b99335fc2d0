import Fluent
import Foundation
import Logging
import PenahDomain
import SQLKit
import FluentSQLiteDriver

/// Sends what the outbox holds. Each pass claims due messages one at a time — urgent first, then the
/// oldest — by writing a lease with a fresh claim token in a single conditional UPDATE; only the
/// node whose token landed sends. A node that dies mid-send leaves a lease that expires, and another
/// node sends again: the receiver's `Idempotency-Key` (the notice id) makes that repeat harmless.
struct NoticeDelivery: Sendable {
    let db: any Database
    let vault: IdentityVault
    /// By outbox channel: `policeGateway`, `esdas`. A channel without an adapter waits.
    let adapters: [DeliveryRoute: any OutboxAdapter]
    let policy: RetryPolicy
    var logger = Logger(label: "penah.notices")

    struct RetryPolicy: Sendable {
        var maxAttempts = 8
        var baseMilliseconds = 2_000
        var capMilliseconds = 300_000
        /// How long a claim holds before another node may take the message over.
        var leaseMilliseconds = 30_000
    }

    /// One pass: claims up to `limit` due messages in batches, sends each batch at once, and records
    /// each message's outcome on its own; returns how many it tried. A crash between a send and
    /// its record only means the message is sent again after its lease — harmless to the receiver.
    @discardableResult
    func runOnce(limit: Int = 64, batch: Int = 32, now: @Sendable () -> Date = Date.init) async throws -> Int {
        guard !adapters.isEmpty else { return 0 }
        var tried = 0
        while tried < limit {
            let claimed = try await claim(upTo: min(batch, limit - tried), now: now())
            if claimed.isEmpty { break }
            tried += claimed.count
            let outcomes = await withTaskGroup(of: Outcome?.self) { group in
                for (message, token) in claimed {
                    group.addTask { await send(message, token: token) }
                }
                return await group.reduce(into: [Outcome]()) { if let outcome = $1 { $0.append(outcome) } }
            }
            await record(outcomes, now: now())
        }
        return tried
    }

    struct Outcome: Sendable {
        let message: OutboxMessage
        let token: String
        let notice: NoticeRecord
        let result: Result<String?, DeliveryError>
    }

    /// Never throws: whatever goes wrong with one message (its notice gone, a body that will not
    /// open, a transport error) is that message's outcome, so it counts towards its own `failed`
    /// and its batch-mates are still recorded as sent.
    private func send(_ message: OutboxMessage, token: String) async -> Outcome? {
        let notice: NoticeRecord, body: Data
        do {
            guard let found = try await NoticeRecord.find(message.noticeID, on: db) else { return nil }
            notice = found
            body = try await vault.open(notice.body, field: "notice.body")
        } catch {
            logger.warning("notice could not be prepared for delivery", metadata: ["message": "\(message.id!)", "type": "\(type(of: error))"])
            guard let found = try? await NoticeRecord.find(message.noticeID, on: db) else { return nil }
            return Outcome(message: message, token: token, notice: found, result: .failure(DeliveryError(reason: "unreadable")))
        }
        let result: Result<String?, DeliveryError>
        do { result = .success(try await adapters[message.route]!.deliver(notice: notice, body: body)) }
        catch let error as DeliveryError { result = .failure(error) }
        catch { result = .failure(DeliveryError(reason: "transport")) }
        return Outcome(message: message, token: token, notice: notice, result: result)
    }

    /// The first due message, claimed alone (tests and the crash simulation use this).
    func claim(now: Date) async throws -> (OutboxMessage, String)? {
        try await claim(upTo: 1, now: now).first
    }

    /// Claims up to `count` due messages in one transaction, urgent first, then the oldest. Each
    /// conditional update re-checks the row (same attempt count, still free), so of two nodes
    /// choosing the same row only one writes its token; the other matches nothing and moves on.
    func claim(upTo count: Int, now: Date) async throws -> [(OutboxMessage, String)] {
        let token = UUID().uuidString
        let nowMs = now.milliseconds
        let channels = Array(adapters.keys)
        let lease = nowMs + Int64(policy.leaseMilliseconds)
        return try await db.writeTransaction { db in
            let outbox = OutboxRepository(db: db)
            let candidates = try await outbox.due(channels: channels, nowMs: nowMs, count: count)
            for candidate in candidates { try await outbox.lease(candidate, token: token, until: lease, nowMs: nowMs) }
            guard !candidates.isEmpty else { return [] }
            let claimed = try await OutboxMessage.query(on: db).filter(\.$id ~~ candidates.compactMap(\.id)).filter(\.$leaseToken == token).all()
            // Keep the priority order.
            let order = Dictionary(uniqueKeysWithValues: candidates.enumerated().map { ($1.id!, $0) })
            return claimed.sorted { order[$0.id!]! < order[$1.id!]! }.map { ($0, token) }
        }
    }

    /// Records each outcome in a transaction of its own, so one message whose record fails (and
    /// is tried again after its lease) does not leave its batch-mates unrecorded and re-sent.
    private func record(_ outcomes: [Outcome], now: Date) async {
        for outcome in outcomes {
            do {
                try await db.writeTransaction { db in
                    guard let event = try await record(outcome.result, message: outcome.message, token: outcome.token,
                                                       notice: outcome.notice, now: now, on: db) else { return }
                    try await AuditLog.append(on: db, actor: .system("delivery"), action: event.action, recordType: "case",
                                              recordID: event.caseID.uuidString)
                }
            } catch {
                logger.warning("delivery outcome not recorded", metadata: ["message": "\(outcome.message.id!)", "type": "\(type(of: error))"])
            }
        }
    }

    /// Applies one outcome; returns the audit event it calls for.
    private func record(_ outcome: Result<String?, DeliveryError>, message: OutboxMessage, token: String, notice: NoticeRecord, now: Date,
                        on db: any Database) async throws -> (action: String, caseID: UUID)? {
        var event: (action: String, caseID: UUID)?
        do {
            // Our lease may have run out and another node taken over: then its word counts, not ours.
            guard let current = try await OutboxMessage.query(on: db).filter(\.$id == message.id!).filter(\.$leaseToken == token).first(),
                  let notice = try await NoticeRecord.find(notice.id, on: db) else { return nil }
            switch outcome {
            case .success(let reference):
                current.state = .done
                current.leaseToken = nil
                current.lastError = nil
                if current.route == .esdas {
                    notice.outgoingNumber = reference
                    try await notice.save(on: db)
                    event = ("notice.registered", notice.caseID)
                } else {
                    if notice.status.allows(.sent) {
                        notice.status = .sent
                        notice.sentAt = now
                        try await notice.save(on: db)
                    }
                    event = ("notice.sent", notice.caseID)
                }
            case .failure(let error):
                current.lastError = error.reason
                current.leaseToken = nil
                current.leaseUntilMs = nil
                if current.attempts >= policy.maxAttempts {
                    current.state = .failed
                    // A failed ESDAS registration leaves the notice's own state alone.
                    if current.route == .policeGateway, notice.status.allows(.failed) {
                        notice.status = .failed
                        notice.failedAt = now
                        try await notice.save(on: db)
                        try await WorkNotifications.aboutNotice(.noticeFailed, notice, on: db)
                    }
                    // The alert: supervisors see failed notices at /notices; operations see this event.
                    event = ("notice.failed.\(current.route.rawValue)", notice.caseID)
                    logger.warning("notice delivery failed for good", metadata: ["notice": "\(notice.id!)", "channel": "\(current.route.rawValue)", "attempts": "\(current.attempts)"])
                } else {
                    let wait = Backoff.delay(attempt: current.attempts, baseMilliseconds: policy.baseMilliseconds, capMilliseconds: policy.capMilliseconds)
                    current.nextAttemptMs = now.milliseconds + Int64(wait)
                }
            }
            try await current.save(on: db)
        }
        return event
    }
}

/// Why a delivery did not land: a short code (`http 503`, `transport`), never the body.
struct DeliveryError: Error, Sendable { let reason: String }
