import Benchmark
import Foundation
import Vapor

/// The floor every page stands on: a bare Vapor route in this process, the public home page of
/// Penah beside it, the start of a new node on an empty database, and a node's idle memory.
enum FoundationBenchmarks {
    static func register() {
        Benchmark("bare Vapor route GET (the floor)") { benchmark in
            let url = try await BareVapor.shared.url()
            for _ in benchmark.scaledIterations {
                try HTTP.expect(.ok, try await HTTP.get(url), "the bare route")
            }
        }
        for database in Stage.databases {
            Benchmark("\(database.rawValue) · public page GET /") { benchmark in
                let scene = try await Stage.shared.scene(database)
                for _ in benchmark.scaledIterations {
                    try HTTP.expect(.ok, try await HTTP.get(scene.url + "/"), "GET /")
                }
            }
            Benchmark("\(database.rawValue) · idle memory of a node",
                      configuration: .init(metrics: [.idleMemory], warmupIterations: 0, maxIterations: 5)) { benchmark in
                let scene = try await Stage.shared.scene(database)
                for _ in benchmark.scaledIterations {
                    try await Task.sleep(for: .seconds(1))
                    benchmark.measurement(.idleMemory, scene.node.residentMemory() / 1024)
                }
            }
        }
        Benchmark("SQLite · cold start of a new node (first run: creates and migrates its database)",
                  configuration: .init(metrics: [.coldStart], warmupIterations: 0, maxIterations: 5)) { benchmark in
            for _ in benchmark.scaledIterations {
                benchmark.measurement(.coldStart, try await coldStart().microseconds)
            }
        }
    }

    /// `penah serve` on an empty data directory, to its first 200 on /health.
    private static func coldStart() async throws -> Duration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("penah-bench-cold-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try FreePort.pick()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PenahNode.binary)
        process.arguments = ["serve", "--port", String(port)]
        process.environment = ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "error", "PENAH_DATA_DIR": directory.path,
                               "PENAH_MASTER_KEY": Data(repeating: 7, count: 32).base64EncodedString()]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let began = ContinuousClock.now
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        while ContinuousClock.now - began < .seconds(30) {
            if (try? await HTTP.get("http://127.0.0.1:\(port)/health").status) == .ok { return ContinuousClock.now - began }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchFailure("a new node did not answer /health within 30 s")
    }
}

/// One Vapor application with one route and no middleware of Penah's: what any page costs at least.
actor BareVapor {
    static let shared = BareVapor()
    private var app: Application?
    private var port = 0

    func url() async throws -> String {
        if app == nil {
            let bare = try await Application.make(.testing)
            bare.logger.logLevel = .error
            bare.get("bare") { _ in "ok" }
            try await bare.server.start(address: .hostname("127.0.0.1", port: 0))
            port = bare.http.server.shared.localAddress?.port ?? 0
            app = bare
        }
        return "http://127.0.0.1:\(port)/bare"
    }
}
