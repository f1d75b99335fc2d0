import Benchmark
import Foundation

/// Penah's benchmarks (docs/benchmarks.md names each figure's budget). Each runs against the
/// release executable on SQLite and, when `PENAH_BENCH_POSTGRES_URL` names a server whose role may
/// create databases, on PostgreSQL too; the bare Vapor route runs in the same process as the client.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 10,
        maxDuration: .seconds(10),
        maxIterations: 2_000
    )
    FoundationBenchmarks.register()
    for database in Stage.databases {
        QueueBenchmarks.register(on: database)
        CaseBenchmarks.register(on: database)
        SecurityBenchmarks.register(on: database)
        WorkdayBenchmarks.register(on: database)
    }
    Benchmark.teardown = { try await Stage.shared.stopAll() }
}

/// Figures not in ordo-one's own list, each a sample per event (a call, a delivery, a start).
extension BenchmarkMetric {
    static let callNextLatency = BenchmarkMetric.custom("call-next latency (µs)", useScalingFactor: false)
    static let boardDelay = BenchmarkMetric.custom("call to board event (µs)", useScalingFactor: false)
    static let ticketsPerSecond = BenchmarkMetric.custom("tickets issued per second", polarity: .prefersLarger, useScalingFactor: false)
    static let eventsPerSecond = BenchmarkMetric.custom("audit events verified per second", polarity: .prefersLarger, useScalingFactor: false)
    static let notificationDelay = BenchmarkMetric.custom("commit to notification on an open page (µs)", useScalingFactor: false)
    static let coldStart = BenchmarkMetric.custom("start to first /health 200 (µs)", useScalingFactor: false)
    static let idleMemory = BenchmarkMetric.custom("server resident memory, idle (kB)", useScalingFactor: false)
}

extension Duration {
    var microseconds: Int { Int(components.seconds) * 1_000_000 + Int(components.attoseconds / 1_000_000_000_000) }
}
