import PenahServer
import Vapor

/// `penah-bench security`: the probes are in PenahServer/Benchmarks/SecurityProbes.swift.
enum SecurityBench {
    static func run(auditOnly: Bool = false) async throws {
        try await SecurityProbes.run(auditOnly: auditOnly) { postgresURL in
            let (app, dir, schema) = try await Bench.makeApp(postgresURL: postgresURL)
            return (app, { try await Bench.dispose(app, dir, schema) })
        }
    }

    /// `penah-bench sealing`: only the vault's figure, which needs no database after its first key.
    static func sealing() async throws {
        let (app, dir, schema) = try await Bench.makeApp(postgresURL: nil)
        try await SecurityProbes.sealing(app)
        try await Bench.dispose(app, dir, schema)
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

extension Bench {
    /// A fresh application for a probe, and how to throw it away (`penah-bench cases|notices|placement`).
    static func probeApp(_ postgresURL: String?) async throws -> (Application, () async throws -> Void) {
        let (app, dir, schema) = try await makeApp(postgresURL: postgresURL)
        return (app, { try await dispose(app, dir, schema) })
    }
}
