import AsyncHTTPClient
import Foundation
import PenahServer
import Vapor

/// Foundation benchmarks (issue 2). Build everything in release first, so the `penah` binary sits
/// next to this one:  swift build -c release && .build/release/penah-bench
///
/// 1. Cold start: spawn `penah serve` on an empty data dir (first run: creates the database and key,
///    migrates) and on the same dir again (warm), timing until `/health` first answers 200.
/// 2. Idle memory: the server's resident set after it has served a page and sat idle for 3 s.
/// 3. Latency: a public page (`/`, Leaf, all middleware) beside a bare Vapor route returning a
///    same-sized static body, both in this process, on loopback, measured in the same run.
enum FoundationBench {
    static func coldStart(binary: URL, dataDir: URL, port: Int) async throws -> (seconds: Double, rssMB: Double) {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", String(port)]
        var env = ProcessInfo.processInfo.environment
        env["PENAH_DATA_DIR"] = dataDir.path
        env.removeValue(forKey: "DATABASE_URL")
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        while true {
            if let response = try? await Bench.get("http://127.0.0.1:\(port)/health"), response.status == .ok { break }
            try await Task.sleep(for: .milliseconds(2))
            if ContinuousClock.now - start > .seconds(30) { throw Abort(.gatewayTimeout) }
        }
        let elapsed = ContinuousClock.now - start
        _ = try await Bench.get("http://127.0.0.1:\(port)/")
        try await Task.sleep(for: .seconds(3))
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let rssKB = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }?
            .split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return (Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds), rssKB / 1024)
    }

    static func latencies(_ url: String, count: Int) async throws -> [Double] {
        for _ in 0..<500 { _ = try await Bench.get(url) }   // warm-up: connections, Leaf cache
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for _ in 0..<count {
            let start = ContinuousClock.now
            let response = try await Bench.get(url)
            let elapsed = ContinuousClock.now - start
            precondition(response.status == .ok, "\(url) answered \(response.status)")
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        return samples.sorted()
    }


    static func run() async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("penah")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("penah-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }

        print("Penah foundation benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        let first = try await coldStart(binary: binary, dataDir: scratch, port: 18_301)
        print(String(format: "cold start, first run (creates DB, key, migrates): %.0f ms to first 200 on /health", first.seconds * 1000))
        let warm = try await coldStart(binary: binary, dataDir: scratch, port: 18_302)
        print(String(format: "cold start, existing data dir:                      %.0f ms to first 200 on /health", warm.seconds * 1000))
        print(String(format: "idle memory (RSS after a page and 3 s idle):        %.1f MB", warm.rssMB))

        // Both servers in this process, release build, one after the other.
        // Not `development`: there Leaf re-reads templates on every render.
        let penah = try await Application.make(Environment(name: "benchmark", arguments: ["penah-bench"]))
        let settings = try Settings.load(environment: ["PENAH_DATA_DIR": scratch.path], isProduction: false)
        try await configure(penah, settings: settings)
        try await Startup.prepareDatabase(penah)
        penah.logger.logLevel = .error
        penah.http.server.configuration.port = 18_303
        try await penah.server.start()

        let bare = try await Application.make(Environment(name: "benchmark", arguments: ["penah-bench"]))
        bare.logger.logLevel = .error
        let page = try await Bench.get("http://127.0.0.1:18303/")
        let size = Int(page.headers.first(name: "content-length") ?? "") ?? 8_000
        let staticBody = String(repeating: "x", count: size)
        bare.get("bare") { _ in staticBody }
        bare.http.server.configuration.port = 18_304
        try await bare.server.start()

        let count = 10_000
        let penahSamples = try await latencies("http://127.0.0.1:18303/", count: count)
        let bareSamples = try await latencies("http://127.0.0.1:18304/bare", count: count)
        print("latency over \(count) sequential requests on loopback (client included):")
        print(String(format: "  public page /       p50 %.3f ms  p99 %.3f ms", Bench.percentile(penahSamples, 0.5), Bench.percentile(penahSamples, 0.99)))
        print(String(format: "  bare Vapor route    p50 %.3f ms  p99 %.3f ms", Bench.percentile(bareSamples, 0.5), Bench.percentile(bareSamples, 0.99)))

        try await penah.asyncShutdown()
        try await bare.asyncShutdown()
    }
}
