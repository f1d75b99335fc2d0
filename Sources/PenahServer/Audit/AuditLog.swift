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

    private static let columns = ["id", "chain", "seq", "occurred_ms", "actor_id", "actor_role", "unit_code", "action",
                                  "record_type", "record_id", "outcome", "request_id", "address", "prev_hash", "hash"]

    /// Chains and stores events in the caller's transaction, in their order: per chain one head
    /// update that takes the row lock and reserves the sequence numbers, the rows in a few
    /// multi-row inserts, and one head update for the new hash.
    static func write(_ drafts: [Draft], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let byChain = Dictionary(grouping: drafts, by: \.chain)
        // A fixed order: two nodes writing to the same chains cannot deadlock on their heads.
        for chain in byChain.keys.sorted() {
            let events = byChain[chain]!
            var (seq, prev) = try await reserve(events.count, in: chain, sql)
            var rows: [[any SQLExpression]] = []
            for draft in events {
                seq += 1
                let actor = draft.actor
                let hash = hash(prev: prev, canonical: AuditEvent.canonical(
                    seq: seq, chain: chain, occurredMs: draft.occurredMs, actorID: actor.userID, actorRole: actor.role,
                    unitCode: actor.unitCode, action: draft.action, recordType: draft.recordType, recordID: draft.recordID,
                    outcome: draft.outcome, requestID: actor.requestID, address: actor.address))
                rows.append([SQLBind(UUID()), SQLBind(chain), SQLBind(seq), SQLBind(draft.occurredMs), SQLBind(actor.userID),
                             SQLBind(actor.role), SQLBind(actor.unitCode), SQLBind(draft.action), SQLBind(draft.recordType),
                             SQLBind(draft.recordID), SQLBind(draft.outcome), SQLBind(actor.requestID), SQLBind(actor.address),
                             SQLBind(prev), SQLBind(hash)])
                prev = hash
            }
            // SQLKit rather than Fluent models: saving a model cost ten times the statement itself.
            // Chunks keep each insert under the databases' limits on bound values.
            for start in stride(from: 0, to: rows.count, by: 500) {
                try await sql.insert(into: AuditEvent.schema).columns(columns)
                    .rows(Array(rows[start..<min(start + 500, rows.count)])).run()
            }
            try await sql.update(AuditChainHead.schema).set("hash", to: SQLBind(prev))
                .where("chain", .equal, SQLBind(chain)).run()
        }
    }

    /// Takes `count` sequence numbers of the chain: the last one before them and its hash.
    /// UPDATE first: it takes the row's write lock before anything is read (no lock upgrade). The
    /// first event of a unit creates the head; a concurrent creator makes that a no-op.
    private static func reserve(_ count: Int, in chain: String, _ sql: any SQLDatabase) async throws -> (Int, String) {
        func advance() async throws -> (any SQLRow)? {
            // Raw SQL because Fluent has no UPDATE … RETURNING; the values are bound, never spliced.
            try await sql.raw("UPDATE audit_chain_heads SET seq = seq + \(bind: count) WHERE chain = \(bind: chain) RETURNING seq, hash").first()
        }
        var advanced = try await advance()
        if advanced == nil {
            try await sql.insert(into: AuditChainHead.schema)
                .columns("chain", "seq", "hash").values(SQLBind(chain), SQLBind(0), SQLBind(genesis))
                .ignoringConflicts(with: ["chain"]).run()
            advanced = try await advance()
        }
        guard let head = advanced else { throw Abort(.internalServerError) }
        return (try head.decode(column: "seq", as: Int.self) - count, try head.decode(column: "hash", as: String.self))
    }

    static func hash(prev: String, event: AuditEvent) -> String {
        hash(prev: prev, canonical: event.canonical)
    }

    static func hash(prev: String, canonical: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(prev.utf8))
        hasher.update(data: Data(canonical.utf8))
        return Hex.encode(hasher.finalize())
    }



    struct Verification: Content {
        let ok: Bool
        let events: Int
        let firstBrokenEventId: UUID?
    }

    /// Recomputes every chain. Reads raw rows in pages of 20,000 (Fluent models cost more to build
    /// than the hashing), so memory stays flat however long the trail is.
    static func verify(on db: any Database) async throws -> Verification {
        let sql = db as! any SQLDatabase
        let chains = try await AuditChainHead.query(on: db).all()
        var count = 0
        var firstBroken: (id: UUID, at: Int64)?
        func broken(_ id: UUID, _ at: Int64) {
            if firstBroken == nil || at < firstBroken!.at { firstBroken = (id, at) }
        }
        for head in chains {
            let chain = head.id!
            var prev = genesis
            var lastSeq = 0
            var intact = true
            pages: while true {
                // Raw rows, not Fluent models: building models costs more than hashing. Values are bound.
                let rows = try await sql.raw("""
                    SELECT id, seq, occurred_ms, actor_id, actor_role, unit_code, action, record_type, record_id,
                           outcome, request_id, address, prev_hash, hash
                    FROM audit_events WHERE chain = \(bind: chain) AND seq > \(bind: lastSeq) ORDER BY seq LIMIT 20000
                    """).all()
                if rows.isEmpty { break }
                for row in rows {
                    count += 1
                    let event = try VerifiedRow(row, chain: chain)
                    if event.seq != lastSeq + 1 || event.prevHash != prev || hash(prev: prev, canonical: event.canonical) != event.hash {
                        broken(event.id, event.occurredMs)
                        intact = false
                        break pages
                    }
                    prev = event.hash
                    lastSeq = event.seq
                }
            }
            if intact, lastSeq != head.seq || (head.seq > 0 && prev != head.hash) {
                // Events were deleted from the end of the chain: the head remembers more.
                let last = try await AuditEvent.query(on: db).filter(\.$chain == chain).sort(\.$seq, .descending).first()
                broken(last?.id ?? UUID(), last?.occurredMs ?? 0)
            }
        }
        return Verification(ok: firstBroken == nil, events: count, firstBrokenEventId: firstBroken?.id)
    }

}

/// One audit row as read for verification, with the same canonical form as `AuditEvent`.
private struct VerifiedRow {
    let id: UUID
    let seq: Int
    let occurredMs: Int64
    let prevHash: String
    let hash: String
    let canonical: String

    init(_ row: any SQLRow, chain: String) throws {
        id = try row.decode(column: "id", as: UUID.self)
        seq = try row.decode(column: "seq", as: Int.self)
        occurredMs = try row.decode(column: "occurred_ms", as: Int64.self)
        prevHash = try row.decode(column: "prev_hash", as: String.self)
        hash = try row.decode(column: "hash", as: String.self)
        canonical = AuditEvent.canonical(
            seq: seq, chain: chain, occurredMs: occurredMs, actorID: try row.decode(column: "actor_id", as: UUID?.self),
            actorRole: try row.decode(column: "actor_role", as: String.self), unitCode: try row.decode(column: "unit_code", as: String.self),
            action: try row.decode(column: "action", as: String.self), recordType: try row.decode(column: "record_type", as: String.self),
            recordID: try row.decode(column: "record_id", as: String?.self), outcome: try row.decode(column: "outcome", as: String.self),
            requestID: try row.decode(column: "request_id", as: String.self), address: try row.decode(column: "address", as: String.self))
    }
}
