import Fluent
import Foundation
import PenahDomain
import SQLKit

/// The outbox's statements: which messages are due, and claiming one with a lease.
struct OutboxRepository {
    let db: any Database

    /// Due messages, urgent first, then the oldest. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets
    /// several nodes take different messages at once instead of queueing for the same rows;
    /// SQLite's writers are serialised anyway.
    func due(channels: [DeliveryRoute], nowMs: Int64, count: Int) async throws -> [OutboxMessage] {
        let query = OutboxMessage.query(on: db)
            .filter(\.$route ~~ channels)
            .filter(\.$state == .pending).filter(\.$nextAttemptMs <= nowMs)
            .group(.or, { $0.filter(\.$leaseUntilMs == nil).filter(\.$leaseUntilMs < nowMs) })
        if db.engine == .sqlite { return try await query.sort(\.$priority).sort(\.$createdMs).limit(count).all() }
        // Raw SQL because Fluent cannot say FOR UPDATE SKIP LOCKED; every value is bound.
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT id FROM outbox_messages
            WHERE channel IN (\(binds: channels.map(\.rawValue))) AND status = \(bind: OutboxState.pending.rawValue) AND next_attempt_ms <= \(bind: nowMs)
              AND (lease_until_ms IS NULL OR lease_until_ms < \(bind: nowMs))
            ORDER BY priority, created_ms LIMIT \(bind: count) FOR UPDATE SKIP LOCKED
            """).all()
        let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }
        let found = try await OutboxMessage.query(on: db).filter(\.$id ~~ ids).all()
        let order = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        return found.sorted { order[$0.id!]! < order[$1.id!]! }
    }

    /// Takes a due message for `token` until `until` — only if it is still as it was read (same
    /// attempt count, still free), so of two nodes choosing the same row only one writes its token.
    func lease(_ candidate: OutboxMessage, token: String, until: Int64, nowMs: Int64) async throws {
        try await OutboxMessage.query(on: db)
            .filter(\.$id == candidate.id!).filter(\.$state == .pending).filter(\.$attempts == candidate.attempts)
            .group(.or, { $0.filter(\.$leaseUntilMs == nil).filter(\.$leaseUntilMs < nowMs) })
            .set(\.$leaseToken, to: token).set(\.$leaseUntilMs, to: until).set(\.$attempts, to: candidate.attempts + 1)
            .update()
    }
}
