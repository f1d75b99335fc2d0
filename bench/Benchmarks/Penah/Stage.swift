import Foundation

/// The servers the benchmarks run against, started once per database on first use and shared by
/// every benchmark of the run, with the staff accounts they act as.
actor Stage {
    static let shared = Stage()

    enum Database: String, CaseIterable, Sendable {
        case sqlite = "SQLite", postgres = "PostgreSQL"
        var url: String? { self == .postgres ? ProcessInfo.processInfo.environment["PENAH_BENCH_POSTGRES_URL"] : nil }
    }

    /// SQLite always; PostgreSQL when a URL is given.
    static var databases: [Database] { Database.allCases.filter { $0 == .sqlite || $0.url != nil } }

    /// Synthetic cases the case benchmarks read among (`PENAH_BENCH_CASES`, 10,000 unless set).
    static var cases: Int { Int(ProcessInfo.processInfo.environment["PENAH_BENCH_CASES"] ?? "") ?? 10_000 }

    struct Scene: Sendable {
        let node: PenahNode
        let reception: String, lawyer: String, auditor: String
        var url: String { node.url }
    }

    private var scenes: [Database: Scene] = [:]
    private var starting: [Database: Task<Scene, any Error>] = [:]

    func scene(_ database: Database) async throws -> Scene {
        if let scene = scenes[database] { return scene }
        if let task = starting[database] { return try await task.value }
        let task = Task {
            let node = try await PenahNode(label: database.rawValue, postgresURL: database.url, cases: Self.cases, desks: 50)
            return Scene(node: node,
                         reception: try await node.signIn("bench.reception", role: "reception", unit: "BAKU-1"),
                         lawyer: try await node.signIn("bench.lawyer", role: "lawyer", unit: "BAKU-1"),
                         auditor: try await node.signIn("bench.auditor", role: "auditor", unit: "HQ"))
        }
        starting[database] = task
        let scene = try await task.value
        scenes[database] = scene
        return scene
    }

    /// Set-up made once per process however often ordo-one runs a benchmark's closure (accounts,
    /// sessions, open feeds): made by `make` the first time `key` is asked for.
    func once<T: Sendable>(_ key: String, _ make: @Sendable () async throws -> T) async throws -> T {
        if let made = madeOnce[key] as? T { return made }
        let made = try await make()
        madeOnce[key] = made
        return made
    }

    private var madeOnce: [String: any Sendable] = [:]

    func stopAll() throws {
        for scene in scenes.values { try scene.node.stop() }
        scenes = [:]
    }
}
