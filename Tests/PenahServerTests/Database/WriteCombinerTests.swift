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
                try await #require(app.db.context.configuration as? CombinedWrites).combiner.perform(on: app.db) { [self] db in
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

    /// Queues units 0..<count behind a blocker, one at a time so the batch runs them in order,
    /// releases them as one batch and returns each caller's outcome. Each unit inserts its name,
    /// appends an audit event and throws if it is in `failing`; `runs` counts each body's runs.
    func batch(_ app: Application, count: Int, failing: Set<Int>, rerunnable: @escaping @Sendable (Int) -> Bool = { _ in false },
               runs: NIOLockedValueBox<[Int: Int]> = .init([:])) async throws -> [Result<String, Refused>] {
        let blocker = Blocker()
        let held = blocker.hold(app)
        try await waitUntil { blocker.isHolding }
        var units: [Task<Result<String, Refused>, Never>] = []
        for i in 0..<count {
            units.append(Task { () -> Result<String, Refused> in
                do {
                    return .success(try await combiner(app).perform(on: app.db, rerunnable: rerunnable(i)) { db in
                        runs.withLockedValue { $0[i, default: 0] += 1 }
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
        return outcomes
    }

    /// Exactly the units not in `failing` are stored and audited, in the order they ran (`order`,
    /// if not the order they were queued in), and the trail verifies.
    func expectOnly(_ app: Application, count: Int, failing: Set<Int>, order: [Int]? = nil,
                    _ outcomes: [Result<String, Refused>]) async throws {
        let committed = (order ?? Array(0..<count)).filter { !failing.contains($0) }.map { "unit-\($0)" }
        #expect(outcomes == (0..<count).map { failing.contains($0) ? .failure(Refused(name: "unit-\($0)")) : .success("unit-\($0)") })
        #expect(try await names(app) == Set(committed))
        let audited = try await AuditEvent.query(on: app.db).filter(\.$recordType == "probe").sort(\.$seq).all()
        #expect(audited.map(\.recordID) == committed)
        #expect(try await AuditLog.verify(on: app.db).ok)
    }

    @Test("in one batch, a unit that throws is rolled back alone, audit events included, and its caller gets its own error")
    func failingUnitAlone() async throws {
        try await withPenah { app in
            try await probeTables(app)
            // Its first unit fails too.
            let failing: Set<Int> = [0, 4]
            try await expectOnly(app, count: 6, failing: failing, try await batch(app, count: 6, failing: failing))
        }
    }

    @Test("rerunnable units share a batch without savepoints; when one fails, the batch is run again unit by unit")
    func rerunnableBatch() async throws {
        try await withPenah { app in
            try await probeTables(app)
            let runs = NIOLockedValueBox<[Int: Int]>([:])
            let outcomes = try await batch(app, count: 5, failing: [2], rerunnable: { _ in true }, runs: runs)
            try await expectOnly(app, count: 5, failing: [2], outcomes)
            // Without savepoints up to the failure, then again with them: the units before it and
            // the failing one ran twice, the ones after it once.
            #expect(runs.withLockedValue { $0 } == [0: 2, 1: 2, 2: 2, 3: 1, 4: 1])
            // A batch that succeeds runs each unit once.
            runs.withLockedValue { $0 = [:] }
            try await app.sql.raw("DELETE FROM probe_rows").run()
            _ = try await batch(app, count: 3, failing: [], rerunnable: { _ in true }, runs: runs)
            #expect(runs.withLockedValue { $0 } == [0: 1, 1: 1, 2: 1])
        }
    }

    @Test("up to 64 rerunnable units share a batch, other units up to 32", arguments: [true, false])
    func batchSize(rerunnable: Bool) async throws {
        try await withPenah { app in
            let blocker = Blocker()
            let held = blocker.hold(app)
            try await waitUntil { blocker.isHolding }
            let units = (0..<70).map { _ in
                Task {
                    // The batch itself, not its address: a freed batch's address can be reused.
                    try await combiner(app).perform(on: app.db, rerunnable: rerunnable) { _ in try #require(WriteCombiner.currentBatch) }
                }
            }
            try await waitUntil { (try? combiner(app).queued) == 70 }
            blocker.release()
            try await held.value
            var batches: [WriteCombiner.Batch] = []
            for unit in units { batches.append(try await unit.value) }
            let sizes = Dictionary(grouping: batches, by: ObjectIdentifier.init).mapValues(\.count)
            #expect(sizes.values.sorted(by: >) == (rerunnable ? [64, 6] : [32, 32, 6]))
        }
    }

    @Test("a unit that is not rerunnable runs once, whatever the other units of its batch do")
    func mixedBatch() async throws {
        try await withPenah { app in
            try await probeTables(app)
            let runs = NIOLockedValueBox<[Int: Int]>([:])
            let outcomes = try await batch(app, count: 4, failing: [3], rerunnable: { $0 != 1 }, runs: runs)
            // The rerunnable units ran first without savepoints, up to the failing one; then the
            // batch ran again with savepoints, rerunnable units still first.
            try await expectOnly(app, count: 4, failing: [3], order: [0, 2, 3, 1], outcomes)
            #expect(runs.withLockedValue { $0 } == [0: 2, 1: 1, 2: 2, 3: 2])
        }
    }

    @Test("in a mixed batch the rerunnable units run first; a failure after them is the failing unit's alone",
          arguments: [Set<Int>(), [2]])
    func rerunnableFirst(failing: Set<Int>) async throws {
        try await withPenah { app in
            try await probeTables(app)
            let runs = NIOLockedValueBox<[Int: Int]>([:])
            let outcomes = try await batch(app, count: 5, failing: failing, rerunnable: { $0 % 2 == 1 }, runs: runs)
            try await expectOnly(app, count: 5, failing: failing, order: [1, 3, 0, 2, 4], outcomes)
            #expect(runs.withLockedValue { $0 } == [0: 1, 1: 1, 2: 1, 3: 1, 4: 1])
        }
    }

    @Test("when the batch's COMMIT fails, every caller gets an error, nothing of the batch is written, and no unit is run again")
    func commitFailure() async throws {
        try await withPenah { app in
            try await probeTables(app)
            let blocker = Blocker()
            let held = blocker.hold(app)
            try await waitUntil { blocker.isHolding }
            let runs = NIOLockedValueBox<[Int: Int]>([:])
            let units = (0..<3).map { i in
                Task { () -> Bool in
                    do {
                        // Grouped, rerunnable units: before, a failed COMMIT ran them again one by
                        // one, which after a COMMIT lost on the wire would write them twice.
                        try await app.db.groupedWriteTransaction { db in
                            runs.withLockedValue { $0[i, default: 0] += 1 }
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
            #expect(runs.withLockedValue { $0 } == [0: 1, 1: 1, 2: 1], "a unit ran again after an ambiguous COMMIT")
            // The combiner carries on with the next batch.
            try await app.db.groupedWriteTransaction { db in try await insert("after", on: db) }
            #expect(try await names(app) == ["after"])
        }
    }

    // PostgreSQL only: on SQLite the held batch holds the one write lock, so any writer waits.
    @Test("a plain write transaction is not grouped: it commits while the combiner is held busy",
          .enabled(if: TestDatabase.isPostgres))
    func plainIsNotGrouped() async throws {
        try await commitsWhileCombinerHeld(name: "plain") { app in
            try await app.db.writeTransaction { db in try await insert("plain", on: db) }
        }
    }

    /// Holds the combiner busy with a batch, runs `write` (which inserts `name`), and expects it
    /// committed without queueing behind that batch. Connections to spare: the held batch keeps one.
    func commitsWhileCombinerHeld(name: String, environment: [String: String] = [:],
                                  _ write: @escaping @Sendable (Application) async throws -> Void) async throws {
        try await withPenah(environment: environment.merging(["PENAH_DATABASE_POOL_SIZE": "4"]) { $1 }) { app in
            try await probeTables(app)
            let blocker = Blocker()
            let held = blocker.hold(app)
            try await waitUntil { blocker.isHolding }
            try await write(app)
            #expect(try await names(app) == [name])
            #expect(try combiner(app).queued == 0)
            blocker.release()
            try await held.value
        }
    }

    @Test("with PENAH_GROUP_COMMIT=off a grouped write is a plain one: it never queues on the combiner",
          .enabled(if: TestDatabase.isPostgres))
    func groupingOff() async throws {
        try await commitsWhileCombinerHeld(name: "alone", environment: ["PENAH_GROUP_COMMIT": "off"]) { app in
            try await app.db.groupedWriteTransaction { db in try await insert("alone", on: db) }
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
