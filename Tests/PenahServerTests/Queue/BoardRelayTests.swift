import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Boards across nodes")
struct BoardRelayTests {
    /// A second server node on node A's schema, shut down however `body` ends.
    func withSecondNode(_ nodeA: Application, relayRetryMilliseconds: Int? = nil, _ body: (Application) async throws -> Void) async throws {
        try await nodeA.seedUnits()
        let schema = try #require(nodeA.storage[PostgresConnectionKey.self]?.schema)
        let nodeB = try await Application.make(.testing)
        var settings = nodeA.settings
        if let relayRetryMilliseconds { settings.boardRelayRetryMilliseconds = relayRetryMilliseconds }
        do {
            try await configure(nodeB, settings: settings, databaseSearchPath: [schema])
            try await body(nodeB)
        } catch {
            try? await nodeB.asyncShutdown()
            throw error
        }
        try await nodeB.asyncShutdown()
    }
    @Test("on PostgreSQL a call made on one node reaches a board connected to another (LISTEN/NOTIFY)",
          .enabled(if: TestDatabase.isPostgres))
    func crossNode() async throws {
        try await withPenah { nodeA in
            try await withSecondNode(nodeA) { nodeB in
                let onB = nodeB.board.subscribe(unitCode: "BAKU-1")
                let onA = nodeA.board.subscribe(unitCode: "BAKU-1")
                let unit = try #require(try await UnitService(db: nodeA.db).find(code: "BAKU-1"))
                let queue = nodeA.queue
                _ = try await queue.issue(unit: unit, priority: .standard, actor: .system("t"))
                let called = try #require(try await queue.callNext(unit: unit, desk: 5, actor: .system("t")))
                var b = onB.makeAsyncIterator()
                var a = onA.makeAsyncIterator()
                let eventB = try #require(await b.next())
                let eventA = try #require(await a.next())
                #expect(eventB.number == called.label && eventB.desk == 5)
                #expect(eventA == eventB, "the calling node's own boards hear it too")
                // Once each: the next event on either node is the next call, not an echo.
                _ = try await queue.issue(unit: unit, priority: .standard, actor: .system("t"))
                let second = try #require(try await queue.callNext(unit: unit, desk: 6, actor: .system("t")))
                #expect(await a.next()?.number == second.label)
                #expect(await b.next()?.number == second.label)
            }
        }
    }

    @Test("on PostgreSQL, when a node's LISTEN connection drops, its relay reconnects, its boards get the calls made meanwhile, and health shows it",
          .enabled(if: TestDatabase.isPostgres))
    func relayReconnects() async throws {
        try await withPenah { nodeA in
            // The relay waits 5 s before it listens again: long enough that health is asked while it
            // is still reconnecting even on a loaded machine (1.5 s was outlasted once in CI).
            try await withSecondNode(nodeA, relayRetryMilliseconds: 5_000) { nodeB in
                var onB = nodeB.board.subscribe(unitCode: "BAKU-1").makeAsyncIterator()
                let relay = try #require(nodeB.board.relay)
                let unit = try #require(try await UnitService(db: nodeA.db).find(code: "BAKU-1"))
                // What a PostgreSQL restart does to every LISTEN connection on this channel.
                try await nodeA.sql.raw("""
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE \(bind: "%LISTEN%" + relay.channel + "%")
                    """).run()
                for _ in 0..<300 where relay.state != .reconnecting { try await Task.sleep(for: .milliseconds(10)) }
                #expect(relay.state == .reconnecting)
                let health = try await nodeB.send(.GET, "/health")
                #expect(health.status == .serviceUnavailable && health.body.string.contains("\"boardRelay\":\"reconnecting\""))
                // A call node B cannot hear: it is not listening now.
                _ = try await nodeA.queue.issue(unit: unit, priority: .standard, actor: .system("t"))
                let missed = try #require(try await nodeA.queue.callNext(unit: unit, desk: 2, actor: .system("t")))
                #expect(await onB.next()?.number == missed.label, "caught up after reconnecting")
                for _ in 0..<1_000 where relay.state != .listening { try await Task.sleep(for: .milliseconds(10)) }
                #expect(try await nodeB.send(.GET, "/health").status == .ok)
                _ = try await nodeA.queue.issue(unit: unit, priority: .standard, actor: .system("t"))
                let next = try #require(try await nodeA.queue.callNext(unit: unit, desk: 3, actor: .system("t")))
                #expect(await onB.next()?.number == next.label, "listening again, and the missed call not repeated")
            }
        }
    }

    @Test("on PostgreSQL, tickets issued at once on two nodes get distinct consecutive numbers (a collision takes the next)",
          .enabled(if: TestDatabase.isPostgres))
    func issueOnTwoNodes() async throws {
        try await withPenah { nodeA in
            try await withSecondNode(nodeA) { nodeB in
                let unit = try #require(try await UnitService(db: nodeA.db).find(code: "BAKU-1"))
                let numbers = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for node in [nodeA, nodeB] {
                        for _ in 0..<4 {
                            group.addTask {
                                var mine: [Int] = []
                                for _ in 0..<10 { mine.append(try await node.queue.issue(unit: unit, priority: .standard, actor: .system("t")).number) }
                                return mine
                            }
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0 += $1 }
                }
                #expect(numbers.sorted() == Array(1...80))
            }
        }
    }

    @Test("calls committed in one batch, some in one group of desks, reach the other node in order; a call rolled back with its unit never does",
          .enabled(if: TestDatabase.isPostgres))
    func batchedNotifications() async throws {
        try await withPenah { nodeA in
            try await withSecondNode(nodeA) { nodeB in
                var onB = nodeB.board.subscribe(unitCode: "BAKU-1").makeAsyncIterator()
                let unit = try #require(try await UnitService(db: nodeA.db).find(code: "BAKU-1"))
                let queue = nodeA.queue
                for _ in 0..<3 { _ = try await queue.issue(unit: unit, priority: .standard, actor: .system("t")) }
                let combiner = try #require(nodeA.db.context.configuration as? CombinedWrites).combiner
                let blocker = WriteCombinerTests.Blocker()
                let held = blocker.hold(nodeA)
                for _ in 0..<500 where !blocker.isHolding { try await Task.sleep(for: .milliseconds(10)) }
                // Queued one at a time, so the batch runs them in this order.
                let first = Task { try await queue.callNext(unit: unit, desk: 1, actor: .system("t")) }
                for _ in 0..<500 where combiner.queued < 1 { try await Task.sleep(for: .milliseconds(10)) }
                let rolledBack = Task {
                    try await nodeA.db.groupedWriteTransaction { db in
                        let phantom = Ticket()
                        phantom.series = "S"
                        phantom.number = 99
                        phantom.desk = 9
                        phantom.calledAt = Date()
                        _ = try await nodeA.board.announce(unitCode: "BAKU-1", ticket: phantom, within: db)
                        throw Abort(.conflict)
                    }
                }
                for _ in 0..<500 where combiner.queued < 2 { try await Task.sleep(for: .milliseconds(10)) }
                // Two more desks press while the unit's first call is being written: they wait as
                // one group and are served by one statement once it commits.
                let second = Task { try await queue.callNext(unit: unit, desk: 2, actor: .system("t")) }
                for _ in 0..<500 where nodeA.queueGroups.presses.requestsWaiting < 1 { try await Task.sleep(for: .milliseconds(10)) }
                let third = Task { try await queue.callNext(unit: unit, desk: 3, actor: .system("t")) }
                for _ in 0..<500 where nodeA.queueGroups.presses.requestsWaiting < 2 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(combiner.queued == 2 && nodeA.queueGroups.presses.requestsWaiting == 2)
                blocker.release()
                try await held.value
                let calls = [try #require(try await first.value), try #require(try await second.value), try #require(try await third.value)]
                #expect(calls.map(\.label) == ["S-001", "S-002", "S-003"] && calls.map(\.desk) == [1, 2, 3])
                await #expect(throws: Abort.self) { try await rolledBack.value }
                var heard: [String] = []
                for _ in 0..<3 { heard.append(try #require(await onB.next()).number) }
                #expect(heard == calls.map(\.label))
                // Nothing else was sent: the next event on B is the next call.
                _ = try await queue.issue(unit: unit, priority: .standard, actor: .system("t"))
                let fourth = try #require(try await queue.callNext(unit: unit, desk: 4, actor: .system("t")))
                #expect(await onB.next()?.number == fourth.label)
            }
        }
    }
}
