import Fluent
import Foundation
import SQLKit
import Vapor

/// The audit tables' own statements: the chain heads, appending events, and the reads Fluent's
/// models do not say well. Raw SQL, all values bound, on the append path: SQLKit's builders and
/// Fluent's models cost several times the statement itself on the path every write takes, and
/// neither can say `UPDATE … CASE`, a multi-row `VALUES` of expressions or a data-modifying `WITH`.
struct AuditRepository {
    let db: any Database
    private var sql: any SQLDatabase { db as! any SQLDatabase }

    /// Every chain that holds at least one event, whatever the heads table says.
    func chainsWithEvents() async throws -> Set<String> {
        let rows = try await sql.select().distinct().column("chain").from(AuditEvent.schema).all()
        return Set(try rows.map { try $0.decode(column: "chain", as: String.self) })
    }

    /// The stored hash of a chain's event at `seq`, if there is one.
    func hash(chain: String, seq: Int) async throws -> String? {
        try await AuditEvent.query(on: db).filter(\.$chain == chain).filter(\.$seq == seq).first()?.hash
    }

    /// A chained event as it is stored.
    struct EventRow {
        let id: UUID
        let seq: Int
        let draft: AuditLog.Draft
        let prevHash: String
        let hash: String
    }

    /// The heads of these chains, locked for the rest of the transaction (on SQLite the write
    /// transaction already excludes other writers). Locked in name order, so two nodes writing to
    /// the same chains cannot deadlock; a unit's first event creates its head.
    func lockHeads(_ chains: Set<String>) async throws -> [String: (seq: Int, hash: String)] {
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
            // Raw for a multi-row VALUES with ON CONFLICT on both databases; a concurrent creator makes
            // this a no-op for that chain. Values bound.
            try await sql.raw("""
                INSERT INTO audit_chain_heads (chain, seq, hash)
                VALUES \(missing.map { "(\(bind: $0), 0, \(bind: AuditLog.genesis))" as SQLQueryString }.joined(separator: ", "))
                ON CONFLICT (chain) DO NOTHING
                """).run()
            heads.merge(try await select(missing)) { $1 }
        }
        guard heads.count == chains.count else { throw Abort(.internalServerError) }
        return heads
    }

    /// Stores the events and moves each chain's head to `heads`, in the caller's transaction.
    func append(_ events: [EventRow], movingHeadsTo heads: [String: (seq: Int, hash: String)]) async throws {
        let rows = events.map { e -> SQLQueryString in
            let actor = e.draft.actor
            return """
                (\(bind: e.id), \(bind: e.draft.chain), \(bind: e.seq), \(bind: e.draft.occurredMs), \(bind: actor.userID), \(bind: actor.role), \
                \(bind: actor.unitCode), \(bind: e.draft.action), \(bind: e.draft.recordType), \(bind: e.draft.recordID), \(bind: e.draft.outcome), \
                \(bind: actor.requestID), \(bind: actor.address), \(bind: e.prevHash), \(bind: e.hash))
                """
        }
        let chains = heads.keys.sorted()
        let newSeq = chains.map { "WHEN \(bind: $0) THEN \(bind: heads[$0]!.seq)" as SQLQueryString }.joined(separator: " ")
        let newHash = chains.map { "WHEN \(bind: $0) THEN \(bind: heads[$0]!.hash)" as SQLQueryString }.joined(separator: " ")
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
            // One round trip fewer: PostgreSQL runs a data-modifying WITH exactly once (raw: SQLKit cannot say it).
            return try await sql.raw("WITH inserted AS (\(inserts.removeFirst())) \(moveHeads)").run()
        }
        for insert in inserts { try await sql.raw(insert).run() }   // raw: multi-row VALUES of bound expressions
        try await sql.raw(moveHeads).run()                          // raw: UPDATE … CASE, values bound
    }
}
