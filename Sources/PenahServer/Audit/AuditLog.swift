import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// A programming error: an audit event appended outside a write transaction.
struct AuditOutsideTransaction: Error, CustomStringConvertible {
    let action: String
    var description: String { "audit event \(action) appended outside a write transaction" }
}

/// Who is acting, as the audit records it.
struct AuditActor: Sendable {
    var userID: UUID?
    var role: String
    var unitCode: String
    var requestID: String
    var address: String

    static func system(_ what: String) -> AuditActor {
        AuditActor(userID: nil, role: "system", unitCode: "-", requestID: what, address: "local")
    }
}

/// Appends hash-chained events. Call it with the same `db` as the change it records (inside the
/// change's transaction), so the event and the change commit or roll back together.
///
/// Shape: one chain per unit rather than one global chain. Every append must read and replace its
/// chain's head; with one global chain all writers in the country would queue on a single row. Per
/// unit, writers contend only with colleagues in the same centre, and verification checks each
/// chain independently (and names the first broken event across them).
enum AuditLog {
    static let genesis = String(repeating: "0", count: 64)

    /// Records one event as part of the caller's write transaction. Inside a group commit it is
    /// chained and stored with the batch's other events just before the COMMIT (see
    /// `WriteCombiner`), so the chain heads are locked only for that moment; a unit rolled back to
    /// its savepoint takes its events with it.
    static func append(on db: any Database, actor: AuditActor, action: String, recordType: String,
                       recordID: String?, outcome: String = "ok", at date: Date = Date()) async throws {
        let draft = Draft(actor: actor, action: action, recordType: recordType, recordID: recordID, outcome: outcome,
                          occurredMs: Int64((date.timeIntervalSince1970 * 1000).rounded()))
        if let batch = WriteCombiner.currentBatch { return batch.defer(draft) }
        // Outside a transaction the head's read and replacement could interleave with another
        // writer's and fork the chain; and the event must commit with the change it records.
        guard db.inTransaction else { throw AuditOutsideTransaction(action: action) }
        try await write([draft], on: db)
    }

    /// Records an event that goes with no other change (a read of personal data, a refused
    /// attempt) in a write transaction of its own. That transaction writes nothing but the event,
    /// made from the values given here, so it is rerunnable and takes no savepoint in a group
    /// commit (see `WriteCombiner`). Inside another write transaction it joins that one.
    static func record(on db: any Database, actor: AuditActor, action: String, recordType: String,
                       recordID: String?, outcome: String = "ok") async throws {
        let date = Date()
        try await db.groupedWriteTransaction { db in
            try await append(on: db, actor: actor, action: action, recordType: recordType, recordID: recordID,
                             outcome: outcome, at: date)
        }
    }

    /// Several events of one action, one per record, in one transaction of their own (see `record`).
    static func record(on db: any Database, actor: AuditActor, action: String, recordType: String, recordIDs: [String?]) async throws {
        let date = Date()
        try await db.groupedWriteTransaction { db in
            for id in recordIDs {
                try await append(on: db, actor: actor, action: action, recordType: recordType, recordID: id, at: date)
            }
        }
    }

    /// An event before it has its place in a chain.
    struct Draft: Sendable {
        let actor: AuditActor
        let action: String
        let recordType: String
        let recordID: String?
        let outcome: String
        let occurredMs: Int64
        var chain: String { actor.unitCode }
    }

    /// Chains and stores events in the caller's transaction, in their order: lock the chains'
    /// heads, hash each event onto its chain, store the rows and move the heads on
    /// (`AuditRepository.append`: three statements, another insert per 500 events).
    static func write(_ drafts: [Draft], on db: any Database) async throws {
        guard !drafts.isEmpty else { return }
        guard let chainKey = try await db.auditChainKey?.key(on: db) else { throw AuditChainKey.NotPrepared() }
        let repository = AuditRepository(db: db)
        var heads = try await repository.lockHeads(Set(drafts.map(\.chain)))
        var rows: [AuditRepository.EventRow] = []
        for draft in drafts {
            let chain = draft.chain, actor = draft.actor
            let (last, prev) = heads[chain]!
            let seq = last + 1
            let id = eventID(occurredMs: draft.occurredMs)
            let hash = keyedHash(key: chainKey, prev: prev, id: id, canonical: AuditEvent.canonical(
                seq: seq, chain: chain, occurredMs: draft.occurredMs, actorID: actor.userID, actorRole: actor.role,
                unitCode: actor.unitCode, action: draft.action, recordType: draft.recordType, recordID: draft.recordID,
                outcome: draft.outcome, requestID: actor.requestID, address: actor.address))
            rows.append(.init(id: id, seq: seq, draft: draft, prevHash: prev, hash: hash))
            heads[chain] = (seq, hash)
        }
        try await repository.append(rows, movingHeadsTo: heads)
    }
}
