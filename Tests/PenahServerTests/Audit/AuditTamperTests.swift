import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import PenahServer

/// Every single-row edit, insert and delete of the audit tables, including those made by someone
/// who can recompute SHA-256 but does not hold the chain key, is caught by `verify-audit`, and a
/// truncation with the head rolled back is caught against a checkpoint.
@Suite("Audit tampering")
struct AuditTamperTests {
    /// Five events on each of two chains; the third event of BAKU-1 is the one tampered with.
    func trail(_ app: Application) async throws -> [AuditEvent] {
        try await AuditTests().appendSome(app, count: 10)
        #expect(try await AuditLog.verify(on: app.db).ok)
        return try await AuditEvent.query(on: app.db).filter(\.$chain == "BAKU-1").sort(\.$seq).all()
    }

    /// Rehashes a chain from `start` on as an attacker without the key would (unkeyed SHA-256 of
    /// the stored fields) and moves its head to match.
    func rehashWithoutKey(_ app: Application, chain: String, from start: Int) async throws {
        let events = try await AuditEvent.query(on: app.db).filter(\.$chain == chain).sort(\.$seq).all()
        var prev = events.first { $0.seq == start - 1 }?.hash ?? AuditLog.genesis
        for event in events where event.seq >= start {
            event.prevHash = prev
            event.hash = AuditLog.hash(prev: prev, canonical: AuditEvent.canonical(
                seq: event.seq, chain: chain, occurredMs: event.occurredMs, actorID: event.actorID, actorRole: event.actorRole,
                unitCode: event.unitCode, action: event.action, recordType: event.recordType, recordID: event.recordID,
                outcome: event.outcome, requestID: event.requestID, address: event.address))
            try await event.update(on: app.db)
            prev = event.hash
        }
        try await app.sql.update(AuditChainHead.schema).set("hash", to: prev).set("seq", to: events.last!.seq)
            .where("chain", .equal, chain).run()
    }

    static let cases = ["edit action", "edit record", "edit outcome", "edit address", "edit time", "edit actor role",
                        "edit id", "edit then rehash without the key", "rehash with another key", "delete middle event",
                        "insert forged event at the end", "delete head", "insert extra head", "edit head seq", "edit head hash",
                        "duplicate an event into another chain"]

    @Test("each single-row tamper is named by verify-audit", arguments: cases)
    func tamper(_ kind: String) async throws {
        try await withPenah { app in
            let events = try await trail(app)
            let target = events[2]
            let sql = app.sql
            switch kind {
            case "edit action": target.action = "case.read"; try await target.update(on: app.db)
            case "edit record": target.recordID = "999"; try await target.update(on: app.db)
            case "edit outcome": target.outcome = "denied"; try await target.update(on: app.db)
            case "edit address": target.address = "203.0.113.9"; try await target.update(on: app.db)
            case "edit time": target.occurredMs += 1; try await target.update(on: app.db)
            case "edit actor role": target.actorRole = "admin"; try await target.update(on: app.db)
            case "edit id":
                try await sql.update(AuditEvent.schema).set("id", to: UUID()).where("id", .equal, target.id!).run()
            case "edit then rehash without the key":
                target.recordID = "999"
                try await target.update(on: app.db)
                try await rehashWithoutKey(app, chain: "BAKU-1", from: target.seq)
            case "rehash with another key":
                let other = SymmetricKey(size: .bits256)
                var prev = events[1].hash
                for event in events.dropFirst(2) {
                    if event.id == target.id { event.recordID = "999" }
                    event.prevHash = prev
                    event.hash = AuditLog.keyedHash(key: other, prev: prev, id: event.id!, canonical: AuditEvent.canonical(
                        seq: event.seq, chain: "BAKU-1", occurredMs: event.occurredMs, actorID: event.actorID, actorRole: event.actorRole,
                        unitCode: event.unitCode, action: event.action, recordType: event.recordType, recordID: event.recordID,
                        outcome: event.outcome, requestID: event.requestID, address: event.address))
                    try await event.update(on: app.db)
                    prev = event.hash
                }
                try await sql.update(AuditChainHead.schema).set("hash", to: prev).where("chain", .equal, "BAKU-1").run()
            case "delete middle event": try await target.delete(on: app.db)
            case "insert forged event at the end":
                let last = events.last!
                let forged = AuditEvent()
                forged.id = UUID(); forged.chain = "BAKU-1"; forged.seq = last.seq + 1; forged.occurredMs = last.occurredMs + 1
                forged.actorRole = "admin"; forged.unitCode = "BAKU-1"; forged.action = "case.read"; forged.recordType = "case"
                forged.outcome = "ok"; forged.requestID = "x"; forged.address = "x"; forged.prevHash = last.hash; forged.hash = "k00"
                try await forged.create(on: app.db)
                try await sql.update(AuditChainHead.schema).set("seq", to: forged.seq).set("hash", to: forged.hash).where("chain", .equal, "BAKU-1").run()
            case "delete head": try await sql.delete(from: AuditChainHead.schema).where("chain", .equal, "BAKU-1").run()
            case "insert extra head":
                try await sql.insert(into: AuditChainHead.schema).columns("chain", "seq", "hash").values(SQLBind("GANJA-1"), SQLBind(0), SQLBind(AuditLog.genesis)).run()
            case "edit head seq": try await sql.update(AuditChainHead.schema).set("seq", to: 3).where("chain", .equal, "BAKU-1").run()
            case "edit head hash": try await sql.update(AuditChainHead.schema).set("hash", to: events[3].hash).where("chain", .equal, "BAKU-1").run()
            case "duplicate an event into another chain":
                let copy = AuditEvent()
                copy.id = UUID(); copy.chain = "GANJA-1"; copy.seq = 1; copy.occurredMs = target.occurredMs; copy.actorRole = target.actorRole
                copy.unitCode = target.unitCode; copy.action = target.action; copy.recordType = target.recordType; copy.recordID = target.recordID
                copy.outcome = target.outcome; copy.requestID = target.requestID; copy.address = target.address
                copy.prevHash = AuditLog.genesis; copy.hash = target.hash
                try await copy.create(on: app.db)
            default: Issue.record("unknown case \(kind)")
            }
            let result = try await AuditLog.verify(on: app.db)
            #expect(!result.ok, "\(kind) went unnoticed")
        }
    }

    @Test("deleting the newest events and rolling the head back is caught against the last signed checkpoint; a forged checkpoint line is too")
    func truncationAgainstCheckpoint() async throws {
        try await withPenah { app in
            let events = try await trail(app)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoints-\(UUID().uuidString).jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            try AuditCheckpoints.append(try await AuditCheckpoints.take(on: app.db), to: file)
            #expect(try await AuditCheckpoints.unmet(file, on: app.db).isEmpty)
            // Truncate: the last two events go, the head is rolled back to the third.
            for event in events.suffix(2) { try await event.delete(on: app.db) }
            try await app.sql.update(AuditChainHead.schema).set("seq", to: events[2].seq).set("hash", to: events[2].hash)
                .where("chain", .equal, "BAKU-1").run()
            #expect(try await AuditLog.verify(on: app.db).ok, "on its own, a truncated keyed chain is consistent")
            #expect(try await AuditCheckpoints.unmet(file, on: app.db) == ["BAKU-1"])
            // A checkpoint line written without the key is refused, not believed.
            let forged = AuditCheckpoint(chain: "BAKU-1", seq: 3, hash: events[2].hash, at: Date()).signed(with: SymmetricKey(size: .bits256))
            try AuditCheckpoints.append([forged], to: file)
            #expect(try await AuditCheckpoints.unmet(file, on: app.db).count == 2)
        }
    }
}
