import Fluent
import Foundation
import NIOConcurrencyHelpers
import PenahDomain
import Vapor

/// Measurements behind `penah-bench queue` (issue 4): ticket issue throughput, 50 desks calling at
/// once (double calls and call-next latency), and the delay from a call to its event at 100
/// subscribed boards (in-process subscribers on the calling node and, on PostgreSQL, on a second
/// node through LISTEN/NOTIFY).
public enum QueueProbes {
    public static func run(makeApp: (String?) async throws -> (Application, () async throws -> Void)) async throws {
        print("Penah queue benchmark")
        try await backend("SQLite", nil, makeApp)
        if let url = ProcessInfo.processInfo.environment["PENAH_BENCH_POSTGRES_URL"] {
            try await backend("PostgreSQL", url, makeApp)
        }
    }

    static func backend(_ name: String, _ url: String?, _ makeApp: (String?) async throws -> (Application, () async throws -> Void)) async throws {
        let (app, dispose) = try await makeApp(url)
        _ = try await DemoSeeder(db: app.db).seedUnits()
        let unit = try await UnitService(db: app.db).find(code: "BAKU-1")!
        unit.deskCount = 50
        try await unit.update(on: app.db)
        let queue = app.queue
        let total = 10_000

        // Issue: 8 concurrent kiosks and desks.
        var start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<(total / 8) { _ = try await queue.issue(unit: unit, priority: .standard, actor: .system("bench")) } }
            }
            try await group.waitForAll()
        }
        let issueSeconds = seconds(ContinuousClock.now - start)
        print(String(format: "[%@] ticket issue: %.0f tickets/s (%d tickets, 8 concurrent issuers)", name, Double(total) / issueSeconds, total))

        // 100 boards listening on this node; on PostgreSQL 100 more on a second node, reached
        // through LISTEN/NOTIFY.
        let delays = NIOLockedValueBox<[Double]>([]), remoteDelays = NIOLockedValueBox<[Double]>([])
        var remote: Application?
        if let schema = app.storage[PostgresConnectionKey.self]?.schema {
            let node = try await Application.make(.development)
            node.logger.logLevel = .error
            try await configure(node, settings: app.settings, databaseSearchPath: [schema])
            remote = node
        }
        func listen(_ node: Application, into box: NIOLockedValueBox<[Double]>) -> [Task<Void, Never>] {
            (0..<100).map { _ in node.board.subscribe(unitCode: unit.code) }.map { stream in
                Task {
                    for await events in stream.batches {
                        let now = Date()
                        box.withLockedValue { delays in delays += events.map { now.timeIntervalSince($0.calledAt) * 1000 } }
                    }
                }
            }
        }
        let listeners = listen(app, into: delays) + (remote.map { listen($0, into: remoteDelays) } ?? [])

        // 50 desks calling at once until the queue is empty.
        start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ([String], [Double]).self) { group in
            for desk in 1...50 {
                group.addTask {
                    var numbers: [String] = [], latencies: [Double] = []
                    while true {
                        let began = ContinuousClock.now
                        guard let ticket = try await queue.callNext(unit: unit, desk: desk, actor: .system("bench")) else { break }
                        latencies.append(seconds(ContinuousClock.now - began) * 1000)
                        numbers.append(ticket.label)
                    }
                    return (numbers, latencies)
                }
            }
            return try await group.reduce(into: ([String](), [Double]())) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let callSeconds = seconds(ContinuousClock.now - start)
        try await Task.sleep(for: .milliseconds(500))
        listeners.forEach { $0.cancel() }
        let doubles = results.0.count - Set(results.0).count
        let latencies = results.1.sorted()
        print(String(format: "[%@] 50 desks: %d calls in %.1f s, double calls: %d, call-next p50 %.1f ms, p99 %.1f ms",
                     name, results.0.count, callSeconds, doubles, percentile(latencies, 0.5), percentile(latencies, 0.99)))
        let board = delays.withLockedValue { $0 }.sorted()
        print(String(format: "[%@] board events: %d deliveries to 100 boards on the calling node, call→event p50 %.1f ms, p99 %.1f ms",
                     name, board.count, percentile(board, 0.5), percentile(board, 0.99)))
        if let remote {
            let far = remoteDelays.withLockedValue { $0 }.sorted()
            print(String(format: "[%@] board events: %d deliveries to 100 boards on a second node (NOTIFY), call→event p50 %.1f ms, p99 %.1f ms",
                         name, far.count, percentile(far, 0.5), percentile(far, 0.99)))
            try await remote.asyncShutdown()
        }
        try await dispose()
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }
}
