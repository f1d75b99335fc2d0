import AsyncHTTPClient
import Foundation
import PenahServer
import Vapor

/// Shared by the benchmarks: an HTTP client and latency statistics.
enum Bench {
    static let client = HTTPClient(eventLoopGroupProvider: .singleton)

    static func get(_ url: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let response = try await client.execute(request, timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }

    static func scratchDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("penah-bench-\(UUID().uuidString)")
    }

    /// A configured application on a fresh embedded database, or on PostgreSQL in a fresh schema.
    static func makeApp(postgresURL: String? = nil) async throws -> (Application, URL, String?) {
        let dir = scratchDirectory()
        var env = ["PENAH_DATA_DIR": dir.path, "PENAH_MASTER_KEY": Data(repeating: 9, count: 32).base64EncodedString()]
        var schema: String?
        if let postgresURL {
            env["DATABASE_URL"] = postgresURL
            schema = "bench_" + UUID().uuidString.prefix(8).lowercased()
        }
        let app = try await Application.make(.development)
        app.logger.logLevel = .error
        try await configure(app, settings: try Settings.load(environment: env, isProduction: false),
                            databaseSearchPath: schema.map { [$0] })
        if let schema { try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
        try await app.autoMigrate()
        // The vault's keys and the audit chain's key, as `migrate` and `serve` prepare them: without
        // them the first audited write refuses (the benchmarks broke when the chain was keyed).
        try await KeyPreparation.run(app)
        return (app, dir, schema)
    }

    static func dispose(_ app: Application, _ dir: URL, _ schema: String?) async throws {
        if let schema { try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
        try await app.asyncShutdown()
        try? FileManager.default.removeItem(at: dir)
    }
}

import SQLKit
