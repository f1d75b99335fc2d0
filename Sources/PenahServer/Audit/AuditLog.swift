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

    /// Chains and stores events in the caller's transaction, in their order, in three statements
    /// (another insert per 500 events): lock the chains' heads, insert the rows, move the heads on.
    static func write(_ drafts: [Draft], on db: any Database) async throws {
        guard !drafts.isEmpty else { return }
        let sql = db as! any SQLDatabase
        guard let chainKey = try await db.auditChainKey?.key(on: db) else { throw AuditChainKey.NotPrepared() }
        var heads = try await lockHeads(Set(drafts.map(\.chain)), sql)
        var rows: [SQLQueryString] = []
        for draft in drafts {
            let chain = draft.chain, actor = draft.actor
            let (last, prev) = heads[chain]!
            let seq = last + 1
            let id = eventID(occurredMs: draft.occurredMs)
            let hash = keyedHash(key: chainKey, prev: prev, id: id, canonical: AuditEvent.canonical(
                seq: seq, chain: chain, occurredMs: draft.occurredMs, actorID: actor.userID, actorRole: actor.role,
                unitCode: actor.unitCode, action: draft.action, recordType: draft.recordType, recordID: draft.recordID,
                outcome: draft.outcome, requestID: actor.requestID, address: actor.address))
            rows.append("""
                (\(bind: id), \(bind: chain), \(bind: seq), \(bind: draft.occurredMs), \(bind: actor.userID), \(bind: actor.role), \
                \(bind: actor.unitCode), \(bind: draft.action), \(bind: draft.recordType), \(bind: draft.recordID), \(bind: draft.outcome), \
                \(bind: actor.requestID), \(bind: actor.address), \(bind: prev), \(bind: hash))
                """)
            heads[chain] = (seq, hash)
        }
        let chains = heads.keys.sorted()
        let newSeq = chains.map { "WHEN \(bind: $0) THEN \(bind: heads[$0]!.seq)" as SQLQueryString }.joined(separator: " ")
        let newHash = chains.map { "WHEN \(bind: $0) THEN \(bind: heads[$0]!.hash)" as SQLQueryString }.joined(separator: " ")
        // Raw SQL, all values bound, for every statement here: SQLKit's builders and Fluent's models
        // cost several times the statement itself on the path every write takes, and neither can
        // say UPDATE … CASE, a multi-row VALUES of expressions or a data-modifying WITH.
        let moveHeads: SQLQueryString = """
            UPDATE audit_chain_heads SET seq = CASE chain \(newSeq) END, hash = CASE chain \(newHash) END
            WHERE chain IN (\(binds: chains))
            """
        // Chunks stay under the databases' limits on bound values.
        var inserts = stride(from: 0, to: rows.count, by: 500).map { start -> SQLQueryString in
            """
            INSERT INTO audit_events (id, chain, seq, occurred_ms, actor_id, actor_role, unit_code, action, record_type,
                                      record_id, outcome, request_id, address, prev_hash, hash)
            VALUES \(rows[start..<min(start + 500, rows.count)].joined(separator: ", "))
            """
        }
        if DatabaseEngine(sql) == .postgres, inserts.count == 1 {
            // One round trip fewer: PostgreSQL runs a data-modifying WITH exactly once.
            return try await sql.raw("WITH inserted AS (\(inserts.removeFirst())) \(moveHeads)").run()
        }
        for insert in inserts { try await sql.raw(insert).run() }   // raw: see above
        try await sql.raw(moveHeads).run()                          // raw: UPDATE … CASE, see above
    }

    /// The heads of these chains, locked for the rest of the transaction (on SQLite the write
    /// transaction already excludes other writers). Locked in name order, so two nodes writing to
    /// the same chains cannot deadlock; a unit's first event creates its head.
    private static func lockHeads(_ chains: Set<String>, _ sql: any SQLDatabase) async throws -> [String: (seq: Int, hash: String)] {
        let lock: SQLQueryString = DatabaseEngine(sql) == .sqlite ? "" : "FOR UPDATE"
        func select(_ names: [String]) async throws -> [String: (seq: Int, hash: String)] {
            // Raw: SQLKit's select builder has no FOR UPDATE for a dialect-chosen lock. Values bound.
            let rows = try await sql.raw("""
                SELECT chain, seq, hash FROM audit_chain_heads
                WHERE chain IN (\(binds: names)) ORDER BY chain \(lock)
                """).all()
            return try Dictionary(uniqueKeysWithValues: rows.map {
                (try $0.decode(column: "chain", as: String.self),
                 (try $0.decode(column: "seq", as: Int.self), try $0.decode(column: "hash", as: String.self)))
            })
        }
        var heads = try await select(chains.sorted())
        let missing = chains.subtracting(heads.keys).sorted()
        if !missing.isEmpty {
            // A concurrent creator makes this a no-op for that chain. Raw for the multi-row VALUES
            // with ON CONFLICT on both databases; values bound.
            try await sql.raw("""
                INSERT INTO audit_chain_heads (chain, seq, hash)
                VALUES \(missing.map { "(\(bind: $0), 0, \(bind: genesis))" as SQLQueryString }.joined(separator: ", "))
                ON CONFLICT (chain) DO NOTHING
                """).run()
            heads.merge(try await select(missing)) { $1 }
        }
        guard heads.count == chains.count else { throw Abort(.internalServerError) }
        return heads
    }

}
