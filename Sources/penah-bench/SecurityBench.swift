import PenahServer
import Vapor

/// `penah-bench security`: the probes are in PenahServer/Benchmarks/SecurityProbes.swift.
enum SecurityBench {
    static func run() async throws {
        try await SecurityProbes.run { postgresURL in
            let (app, dir, schema) = try await Bench.makeApp(postgresURL: postgresURL)
            return (app, { try await Bench.dispose(app, dir, schema) })
        }
    }
}

/// `penah-bench queue`: the probes are in PenahServer/Benchmarks/QueueProbes.swift.
enum QueueBench {
    static func run() async throws {
        try await QueueProbes.run { postgresURL in
            let (app, dir, schema) = try await Bench.makeApp(postgresURL: postgresURL)
            return (app, { try await Bench.dispose(app, dir, schema) })
        }
    }
}

enum CaseBench {
    static func run() async throws {
        try await CaseProbes.run { postgresURL in
            let (app, dir, schema) = try await Bench.makeApp(postgresURL: postgresURL)
            return (app, { try await Bench.dispose(app, dir, schema) })
        }
    }
}

enum NoticeBench {
    static func run() async throws {
        try await NoticeProbes.run { postgresURL in
            let (app, dir, schema) = try await Bench.makeApp(postgresURL: postgresURL)
            return (app, { try await Bench.dispose(app, dir, schema) })
        }
    }
}

enum PlacementBench {
    static func run() async throws {
        try await PlacementProbes.run { postgresURL in
            let (app, dir, schema) = try await Bench.makeApp(postgresURL: postgresURL)
            return (app, { try await Bench.dispose(app, dir, schema) })
        }
    }
}
