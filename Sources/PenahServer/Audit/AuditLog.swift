import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

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

    static func append(on db: any Database, actor: AuditActor, action: String, recordType: String,
                       recordID: String?, outcome: String = "ok", at date: Date = Date()) async throws {
        let sql = db as! any SQLDatabase
        let chain = actor.unitCode
        // Create the head once; a concurrent creator makes this a no-op.
        try await sql.insert(into: AuditChainHead.schema)
            .columns("chain", "seq", "hash").values(SQLBind(chain), SQLBind(0), SQLBind(genesis))
            .ignoringConflicts(with: ["chain"]).run()
        // UPDATE first: it takes the row's write lock before anything is read (no lock upgrade).
        guard let head = try await sql.raw("""
            UPDATE audit_chain_heads SET seq = seq + 1 WHERE chain = \(bind: chain) RETURNING seq, hash
            """).first() else { throw Abort(.internalServerError) }
        let seq = try head.decode(column: "seq", as: Int.self)
        let prevHash = try head.decode(column: "hash", as: String.self)

        let event = AuditEvent()
        event.id = UUID()
        event.chain = chain
        event.seq = seq
        event.occurredMs = Int64((date.timeIntervalSince1970 * 1000).rounded())
        event.actorID = actor.userID
        event.actorRole = actor.role
        event.unitCode = actor.unitCode
        event.action = action
        event.recordType = recordType
        event.recordID = recordID
        event.outcome = outcome
        event.requestID = actor.requestID
        event.address = actor.address
        event.prevHash = prevHash
        event.hash = hash(prev: prevHash, event: event)
        try await event.create(on: db)
        try await sql.update(AuditChainHead.schema).set("hash", to: SQLBind(event.hash))
            .where("chain", .equal, SQLBind(chain)).run()
    }

    static func hash(prev: String, event: AuditEvent) -> String {
        SHA256.hash(data: Data((prev + event.canonical).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    struct Verification: Content {
        let ok: Bool
        let events: Int
        let firstBrokenEventId: UUID?
    }

    /// Recomputes every chain. Reads in pages so memory stays flat however long the trail is.
    static func verify(on db: any Database) async throws -> Verification {
        let chains = try await AuditChainHead.query(on: db).all()
        var count = 0
        var firstBroken: (id: UUID, at: Int64)?
        for head in chains {
            var prev = genesis
            var expectedSeq = 1
            var lastSeq = 0
            chainLoop: while true {
                let page = try await AuditEvent.query(on: db).filter(\.$chain == head.id!)
                    .filter(\.$seq > lastSeq).sort(\.$seq).limit(5_000).all()
                if page.isEmpty { break }
                for event in page {
                    count += 1
                    lastSeq = event.seq
                    let intact = event.seq == expectedSeq && event.prevHash == prev && hash(prev: prev, event: event) == event.hash
                    if !intact {
                        if firstBroken == nil || event.occurredMs < firstBroken!.at { firstBroken = (event.id!, event.occurredMs) }
                        break chainLoop
                    }
                    prev = event.hash
                    expectedSeq += 1
                }
            }
            if firstBroken == nil, expectedSeq - 1 != head.seq || (head.seq > 0 && prev != head.hash) {
                // Events were deleted from the end of the chain: the head remembers more.
                let last = try await AuditEvent.query(on: db).filter(\.$chain == head.id!).sort(\.$seq, .descending).first()
                firstBroken = (last?.id ?? UUID(), last?.occurredMs ?? 0)
            }
        }
        return Verification(ok: firstBroken == nil, events: count, firstBrokenEventId: firstBroken?.id)
    }
}
