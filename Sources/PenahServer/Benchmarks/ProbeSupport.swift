import Foundation
import Vapor

/// What the case, notice and placement probes share: running on SQLite and then, when
/// `PENAH_BENCH_POSTGRES_URL` is set, on PostgreSQL; timing runs; percentiles.
public typealias MakeBenchApp = (String?) async throws -> (Application, () async throws -> Void)

enum ProbeSupport {
    static func onEachDatabase(_ body: (String, String?) async throws -> Void) async throws {
        try await body("SQLite", nil)
        if let url = ProcessInfo.processInfo.environment["PENAH_BENCH_POSTGRES_URL"] {
            try await body("PostgreSQL", url)
        }
    }

    /// `runs` timings of `body(i)` in milliseconds, sorted.
    static func timed(_ runs: Int, _ body: (Int) async throws -> Void) async throws -> [Double] {
        var values: [Double] = []
        for i in 0..<runs {
            let began = ContinuousClock.now
            try await body(i)
            values.append(seconds(ContinuousClock.now - began) * 1000)
        }
        return values.sorted()
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }

    /// One line per figure: `[database] label: p50 …, p95 … (n runs)`.
    static func report(_ name: String, _ figures: [(String, [Double])]) {
        for (label, values) in figures {
            print(String(format: "[%@] %@: p50 %.2f ms, p95 %.2f ms (%d runs)", name, label, percentile(values, 0.5), percentile(values, 0.95), values.count))
        }
    }
}

/// A benchmark that cannot go on (its own data is not what it wrote).
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
