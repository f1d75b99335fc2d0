import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import PenahServer

@Suite("Hash-chained audit")
struct AuditTests {
    func appendSome(_ app: Application, count: Int, units: [String] = ["BAKU-1", "BAKU-2"]) async throws {
        for i in 0..<count {
            let actor = AuditActor(userID: UUID(), role: "reception", unitCode: units[i % units.count],
                                   requestID: "req-\(i)", address: "10.0.0.\(i % 250)")
            try await app.db.writeTransaction { db in
                try await AuditLog.append(on: db, actor: actor, action: "test.write", recordType: "thing", recordID: "\(i)")
            }
        }
    }

    /// `count` events on the system's chain, in one write transaction.
    func appendBulk(_ app: Application, count: Int) async throws {
        try await app.db.writeTransaction { db in
            for i in 0..<count {
                try await AuditLog.append(on: db, actor: .system("t"), action: "test.bulk", recordType: "thing", recordID: "\(i)")
            }
        }
    }

    @Test("an intact trail verifies, per-unit chains included")
    func intact() async throws {
        try await withPenah { app in
            try await appendSome(app, count: 25)
            let result = try await AuditLog.verify(on: app.db)
            #expect(result.ok && result.events == 25 && result.firstBrokenEventId == nil)
            let heads = try await AuditChainHead.query(on: app.db).all()
            #expect(Set(heads.compactMap(\.id)) == ["BAKU-1", "BAKU-2"])
        }
    }

    @Test("changing one row breaks the chain at that row",
          arguments: ["action", "unit_code", "occurred_ms", "hash", "prev_hash", "actor_id", "record_id", "address"])
    func tampered(column: String) async throws {
        try await withPenah { app in
            try await appendSome(app, count: 12)
            let victim = try #require(try await AuditEvent.query(on: app.db).filter(\.$chain == "BAKU-2").filter(\.$seq == 3).first())
            let value: any Encodable & Sendable = switch column {
            case "occurred_ms": Int64(1)
            case "actor_id": UUID()
            default: "forged"
            }
            try await app.sql.update(AuditEvent.schema).set(SQLIdentifier(column), to: SQLBind(value))
                .where("id", .equal, SQLBind(victim.id!)).run()
            let result = try await AuditLog.verify(on: app.db)
            #expect(!result.ok)
            #expect(result.firstBrokenEventId == victim.id)
        }
    }

    @Test("a row whose columns no longer hold their types is named, not a failure of the check")
    func unreadable() async throws {
        try await withPenah { app in
            try await appendSome(app, count: 8)
            let victim = try #require(try await AuditEvent.query(on: app.db).filter(\.$chain == "BAKU-1").filter(\.$seq == 2).first())
            let forge = app.sql.update(AuditEvent.schema).set("occurred_ms", to: SQLBind("yesterday"))
                .where("id", .equal, SQLBind(victim.id!))
            if case .sqlite = app.settings.database {
                // SQLite stores whatever type it is given.
                try await forge.run()
                let result = try await AuditLog.verify(on: app.db)
                #expect(!result.ok && result.firstBrokenEventId == victim.id)
            } else {
                // PostgreSQL refuses the write, so the row stays readable and intact.
                await #expect(throws: (any Error).self) { try await forge.run() }
                #expect(try await AuditLog.verify(on: app.db).ok)
            }
        }
    }

    /// Verification reading with the application's one handle, or with several in turn (one per
    /// event loop and the default one again, so there are at least two however many cores).
    func verify(_ app: Application, severalReaders: Bool) async throws -> AuditLog.Verification {
        try await AuditLog.verify(on: app.db, readingWith: severalReaders ? app.databasesOnEveryLoop + [app.db] : [])
    }

    @Test("a long chain verifies across its pages, and a forged event on a later page is named", arguments: [false, true])
    func acrossPages(severalReaders: Bool) async throws {
        try await withPenah { app in
            // 12,500 events: a first page of 1,000, then pages of 10,000 and a partial one.
            try await appendBulk(app, count: 12_500)
            let intact = try await verify(app, severalReaders: severalReaders)
            #expect(intact.ok && intact.events == 12_500)
            for seq in [1_001, 11_999] {
                let victim = try #require(try await AuditEvent.query(on: app.db).filter(\.$seq == seq).first())
                try await app.sql.update(AuditEvent.schema).set("action", to: SQLBind("forged"))
                    .where("id", .equal, SQLBind(victim.id!)).run()
                let result = try await verify(app, severalReaders: severalReaders)
                #expect(!result.ok && result.firstBrokenEventId == victim.id)
                try await app.sql.update(AuditEvent.schema).set("action", to: SQLBind("test.bulk"))
                    .where("id", .equal, SQLBind(victim.id!)).run()
            }
            // A head that forgets all but its first 1,000 events: the 11,500 past it, more than a
            // page, are still read and checked.
            let thousandth = try #require(try await AuditEvent.query(on: app.db).filter(\.$seq == 1_000).first())
            try await app.sql.update(AuditChainHead.schema).set("seq", to: SQLBind(1_000)).set("hash", to: SQLBind(thousandth.hash)).run()
            let pastHead = try await verify(app, severalReaders: severalReaders)
            #expect(!pastHead.ok && pastHead.events == 12_500)
        }
    }

    @Test("deleting an event inside a long chain names the event after the gap", arguments: [false, true])
    func gap(severalReaders: Bool) async throws {
        try await withPenah { app in
            // Past the first page and into the second range, which is read before the first is checked.
            try await appendBulk(app, count: 1_500)
            try await AuditEvent.query(on: app.db).filter(\.$seq == 1_200).delete()
            let after = try #require(try await AuditEvent.query(on: app.db).filter(\.$seq == 1_201).first())
            let result = try await verify(app, severalReaders: severalReaders)
            #expect(!result.ok && result.firstBrokenEventId == after.id)
        }
    }

    @Test("events the chain's head does not know of are checked too")
    func pastTheHead() async throws {
        try await withPenah { app in
            try await appendSome(app, count: 5, units: ["BAKU-1"])
            // The head forgets its last two events, as if they had been slipped in behind it.
            let third = try #require(try await AuditEvent.query(on: app.db).filter(\.$seq == 3).first())
            try await app.sql.update(AuditChainHead.schema).set("seq", to: SQLBind(3)).set("hash", to: SQLBind(third.hash)).run()
            let result = try await AuditLog.verify(on: app.db)
            #expect(result.events == 5)
            #expect(!result.ok)
        }
    }

    @Test("deleting the newest event is noticed")
    func truncated() async throws {
        try await withPenah { app in
            try await appendSome(app, count: 6, units: ["BAKU-1"])
            try await AuditEvent.query(on: app.db).filter(\.$seq == 6).delete()
            let result = try await AuditLog.verify(on: app.db)
            #expect(!result.ok)
        }
    }

    @Test("an event rolls back with the change it records")
    func sameTransaction() async throws {
        try await withPenah { app in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await app.db.writeTransaction { db in
                    try await AuditLog.append(on: db, actor: .system("t"), action: "x", recordType: "y", recordID: nil)
                    throw Boom()
                }
            }
            let count = try await AuditEvent.query(on: app.db).count()
            #expect(count == 0)
            let result = try await AuditLog.verify(on: app.db)
            #expect(result.ok)
        }
    }

    @Test("an event recorded on its own commits at once; recorded inside a write, it rolls back with it")
    func recordedAlone() async throws {
        try await withPenah { app in
            struct Boom: Error {}
            let actor = AuditActor(userID: UUID(), role: "lawyer", unitCode: "BAKU-1", requestID: "r", address: "10.0.0.1")
            // Many at once, as reads of personal data arrive: they share batches without savepoints.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask { try await AuditLog.record(on: app.db, actor: actor, action: "case.read", recordType: "case", recordID: "\(i)") }
                }
                try await group.waitForAll()
            }
            await #expect(throws: Boom.self) {
                try await app.db.writeTransaction { db in
                    try await AuditLog.record(on: db, actor: actor, action: "case.read", recordType: "case", recordID: "rolled back")
                    throw Boom()
                }
            }
            let events = try await AuditEvent.query(on: app.db).all()
            #expect(Set(events.compactMap(\.recordID)) == Set((0..<40).map { "\($0)" }))
            #expect(events.allSatisfy { $0.action == "case.read" && $0.actorID == actor.userID && $0.unitCode == "BAKU-1" })
            #expect(try await AuditLog.verify(on: app.db).ok)
        }
    }

    @Test("event ids are UUIDs of version 7: ordered by their time, then random")
    func eventIDs() {
        let times: [Int64] = [0, 1, 999, 1_000, 1_764_633_600_000, 1_764_633_600_001, 4_102_444_800_000]
        let ids = times.map { AuditLog.eventID(occurredMs: $0) }
        for (id, ms) in zip(ids, times) {
            let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
            #expect(bytes[0..<6].reduce(0) { $0 << 8 | Int64($1) } == ms)
            #expect(bytes[6] >> 4 == 7 && bytes[8] >> 6 == 0b10)
        }
        // Both databases order them as their text (SQLite) or their bytes (PostgreSQL).
        #expect(ids.map(\.uuidString) == ids.map(\.uuidString).sorted())
        let sameMoment = (0..<1_000).map { _ in AuditLog.eventID(occurredMs: 1_764_633_600_000) }
        #expect(Set(sameMoment).count == 1_000)
    }

    @Test("concurrent writers keep every chain intact")
    func concurrent() async throws {
        try await withPenah { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask { try await appendSome(app, count: 15, units: ["BAKU-\(writer % 3 + 1)"]) }
                }
                try await group.waitForAll()
            }
            let result = try await AuditLog.verify(on: app.db)
            #expect(result.ok && result.events == 120)
        }
    }

    @Test("GET /api/v1/audit/verify for the auditor names the broken event")
    func api() async throws {
        try await withPenah { app in
            let auditor = try await app.makeStaff(.auditor)
            let token = try await app.token(for: auditor)
            let intact = try await app.send(.GET, "/api/v1/audit/verify", headers: .bearer(token))
            #expect(intact.status == .ok)
            #expect(try intact.content.decode(AuditLog.Verification.self).ok)
            let first = try #require(try await AuditEvent.query(on: app.db).sort(\.$occurredMs).first())
            try await app.sql.update(AuditEvent.schema).set("record_type", to: SQLBind("x"))
                .where("id", .equal, SQLBind(first.id!)).run()
            let broken = try await app.send(.GET, "/api/v1/audit/verify", headers: .bearer(token))
            let result = try broken.content.decode(AuditLog.Verification.self)
            #expect(!result.ok && result.firstBrokenEventId == first.id)
        }
    }
}
