import Benchmark
import Foundation

/// What security costs a person: a sign-in (bcrypt at cost 12 is most of it, on purpose), and the
/// auditor's check of the whole hash-chained trail.
enum SecurityBenchmarks {
    static func register(on database: Stage.Database) {
        let name = database.rawValue
        // A TOTP code is accepted once, so every sign-in is a different member of staff.
        Benchmark("\(name) · sign-in POST /api/v1/auth/token", configuration: .init(warmupIterations: 0, maxIterations: 20)) { benchmark in
            let scene = try await Stage.shared.scene(database)
            let staff = try (0..<benchmark.scaledIterations.count).map { _ in try scene.node.createStaff("bench.signin.\(UUID().uuidString.prefix(8))", role: "lawyer", unit: "BAKU-1") }
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                _ = try await HTTP.token(scene.url, username: staff[i].username, password: staff[i].password, otpURI: staff[i].otpURI)
            }
        }
        Benchmark("\(name) · verify-audit GET /api/v1/audit/verify",
                  configuration: .init(metrics: [.wallClock, .eventsPerSecond], warmupIterations: 1, maxIterations: 5)) { benchmark in
            let scene = try await Stage.shared.scene(database)
            for _ in benchmark.scaledIterations {
                let began = ContinuousClock.now
                let answer = try HTTP.expect(.ok, try await HTTP.get(scene.url + "/api/v1/audit/verify", token: scene.auditor), "verify")
                guard answer.json["ok"] as? Bool == true, let events = answer.json["events"] as? Int else { throw BenchFailure("the audit trail did not verify") }
                benchmark.measurement(.eventsPerSecond, Int(Double(events) / QueueBenchmarks.seconds(ContinuousClock.now - began)))
            }
        }
    }
}
