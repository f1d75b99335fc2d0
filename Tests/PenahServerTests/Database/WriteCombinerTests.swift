import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import PenahServer

/// Group commit: units of work that wait together commit together, and each stays all-or-nothing.
@Suite("Group commit")
struct WriteCombinerTests {
    struct Refused: Error, Equatable { let name: String }

    func probeTables(_ app: Application) async throws {
        try await app.sql.raw("CREATE TABLE probe_rows (name VARCHAR(40) PRIMARY KEY)").run()
        try await app.sql.raw("CREATE TABLE probe_parents (id INTEGER PRIMARY KEY)").run()
        // Checked at COMMIT, so one unit can make the whole batch's commit fail.
        try await app.sql.raw("""
            CREATE TABLE probe_children (id INTEGER PRIMARY KEY,
                parent INTEGER REFERENCES probe_parents (id) DEFERRABLE INITIALLY DEFERRED)
            """).run()
    }

    func names(_ app: Application) async throws -> Set<String> {
        Set(try await app.sql.raw("SELECT name FROM probe_rows").all().map { try $0.decode(column: "name", as: String.self) })
    }

    func insert(_ name: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("INSERT INTO probe_rows (name) VALUES (\(bind: name))").run()
    }

    /// Holds the combiner busy with one unit until `release`, so everything submitted meanwhile
    /// lands in the next batch together.
    final class Blocker: Sendable {
        private let gate = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
        private let entered = NIOLockedValueBox(false)
        func hold(_ app: Application) -> Task<Void, any Error> {
            Task {
                try await app.db.writeTransaction { [self] db in
                    await withCheckedContinuation { continuation in
                        gate.withLockedValue { $0 = continuation }
                        entered.withLockedValue { $0 = true }
                    }
                }
            }
        }
        var isHolding: Bool { entered.withLockedValue { $0 } }
        func release() { gate.withLockedValue { $0?.resume(); $0 = nil } }
    }

    func combiner(_ app: Application) throws -> WriteCombiner {
        try #require(app.db.context.configuration as? CombinedWrites).combiner
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }

    @Test("in one batch, a unit that throws is rolled back alone, audit events included, and its caller gets its own error")
    func failingUnitAlone() async throws {
        try await withPenah { app in
            try await probeTables(app)
            let failing: Set<Int> = [0, 4]
            let blocker = Blocker()
            let held = blocker.hold(app)
            try await waitUntil { blocker.isHolding }
            // Queued one at a time, so the batch's order is known: its first unit fails too.
            var units: [Task<Result<String, Refused>, Never>] = []
            for i in 0..<6 {
                units.append(Task { () -> Result<String, Refused> in
                    do {
                        return .success(try await app.db.writeTransaction { db in
                            try await insert("unit-\(i)", on: db)
                            try await AuditLog.append(on: db, actor: .system("test"), action: "test.write", recordType: "probe", recordID: "unit-\(i)")
                            if failing.contains(i) { throw Refused(name: "unit-\(i)") }
                            return "unit-\(i)"
                        })
                    } catch let error as Refused { return .failure(error) } catch { return .failure(Refused(name: "\(error)")) }
                })
                try await waitUntil { (try? combiner(app).queued) == i + 1 }
            }
            blocker.release()
            try await held.value
            var outcomes: [Result<String, Refused>] = []
            for unit in units { outcomes.append(await unit.value) }
            #expect(outcomes == (0..<6).map { failing.contains($0) ? .failure(Refused(name: "unit-\($0)")) : .success("unit-\($0)") })
            #expect(try await names(app) == ["unit-1", "unit-2", "unit-3", "unit-5"])
            let audited = try await AuditEvent.query(on: app.db).filter(\.$recordType == "probe").sort(\.$seq).all()
            #expect(audited.map(\.recordID) == ["unit-1", "unit-2", "unit-3", "unit-5"])
            #expect(try await AuditLog.verify(on: app.db).ok)
        }
    }

    @Test("when the batch's COMMIT fails, every caller gets an error and nothing of the batch is written")
    func commitFailure() async throws {
        try await withPenah { app in
            try await probeTables(app)
            let blocker = Blocker()
            let held = blocker.hold(app)
            try await waitUntil { blocker.isHolding }
            let units = (0..<3).map { i in
                Task { () -> Bool in
                    do {
                        try await app.db.writeTransaction { db in
                            try await insert("unit-\(i)", on: db)
                            // A child without its parent: legal until COMMIT checks the deferred key.
                            if i == 1 { try await (db as! any SQLDatabase).raw("INSERT INTO probe_children (id, parent) VALUES (1, 42)").run() }
                        }
                        return true
                    } catch { return false }
                }
            }
            try await waitUntil { (try? combiner(app).queued) == 3 }
            blocker.release()
            try await held.value
            for unit in units { #expect(await unit.value == false) }
            #expect(try await names(app).isEmpty)
            // The combiner carries on with the next batch.
            try await app.db.writeTransaction { db in try await insert("after", on: db) }
            #expect(try await names(app) == ["after"])
        }
    }

    @Test("a nested write transaction joins the enclosing unit and rolls back with it")
    func nested() async throws {
        try await withPenah { app in
            try await probeTables(app)
            await #expect(throws: Refused.self) {
                try await app.db.writeTransaction { db in
                    try await insert("outer", on: db)
                    try await app.db.writeTransaction { inner in try await insert("inner", on: inner) }
                    throw Refused(name: "outer")
                }
            }
            #expect(try await names(app).isEmpty)
        }
    }

    @Test("many concurrent writers all commit, each answered once its batch is durable")
    func manyWriters() async throws {
        try await withPenah { app in
            try await probeTables(app)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for i in 0..<25 {
                            try await app.db.writeTransaction { db in try await insert("w\(writer)-\(i)", on: db) }
                            // Answered means committed: a fresh read elsewhere already sees it.
                            let seen = try await app.sql.raw("SELECT name FROM probe_rows WHERE name = \(bind: "w\(writer)-\(i)")").all()
                            #expect(seen.count == 1)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await names(app).count == 200)
        }
    }

    @Test("an audit event outside a write transaction is refused, so the chain cannot fork")
    func auditOutsideTransaction() async throws {
        try await withPenah { app in
            await #expect(throws: AuditOutsideTransaction.self) {
                try await AuditLog.append(on: app.db, actor: .system("test"), action: "test.write", recordType: "thing", recordID: nil)
            }
            let events = try await AuditEvent.query(on: app.db).count()
            #expect(events == 0)
        }
    }
}
