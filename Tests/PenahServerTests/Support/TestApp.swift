import Crypto
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahServer

/// Which database the suite runs against: `PENAH_TEST_DATABASE=sqlite` (default) or `postgres`, the
/// latter with `PENAH_TEST_POSTGRES_URL`. `scripts/test` runs the suite once for each.
enum TestDatabase {
    // Read once: thousands of concurrent reads of the process environment gain nothing, and a CI
    // run once saw a garbled DATABASE_URL under that load.
    static let isPostgres: Bool = ProcessInfo.processInfo.environment["PENAH_TEST_DATABASE"] == "postgres"

    static let postgresURL: String = {
        guard let url = ProcessInfo.processInfo.environment["PENAH_TEST_POSTGRES_URL"] else {
            // Fail loudly: a suite asked to run on PostgreSQL must not quietly use SQLite.
            fatalError("PENAH_TEST_DATABASE=postgres needs PENAH_TEST_POSTGRES_URL")
        }
        return url
    }()
}

/// A configured application on a database of its own (a temporary SQLite file, or a fresh
/// PostgreSQL schema), migrated, torn down afterwards.
func withPenah<T>(
    environment extra: [String: String] = [:],
    _ body: (Application) async throws -> T
) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("penah-test-\(UUID().uuidString)")
    // Many tests run at once, each with its own pool: keep PostgreSQL under its connection limit,
    // and let a request wait longer for one of its two connections on a loaded CI machine (a 10 s
    // wait once failed the concurrent audit writers there).
    var env = ["PENAH_DATA_DIR": directory.path, "PENAH_DATABASE_POOL_SIZE": "2", "PENAH_DATABASE_POOL_WAIT_SECONDS": "60",
               "PENAH_MASTER_KEY": SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()]
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    if TestDatabase.isPostgres { env["DATABASE_URL"] = TestDatabase.postgresURL }
    env.merge(extra) { $1 }

    let settings = try Settings.load(environment: env, isProduction: false)
    await TestSlots.shared.acquire()
    let app = try await Application.make(.testing)
    var configured = false
    do {
        try await configure(app, settings: settings, databaseSearchPath: TestDatabase.isPostgres ? [String(schema)] : nil)
        configured = true
        if TestDatabase.isPostgres { try await app.sql.raw("CREATE SCHEMA \(unsafeRaw: String(schema))").run() }
        try await app.autoMigrate()
        try await KeyPreparation.run(app)
        let result = try await body(app)
        try await cleanUp(app, schema: String(schema), directory: directory)
        try await app.asyncShutdown()
        await TestSlots.shared.release()
        return result
    } catch {
        // PSQLError hides its detail from `description`; a failing test should show it.
        Issue.record("\(String(reflecting: error))")
        // Without a configured database, `app.sql` would trap and take the whole suite down.
        if configured { try? await cleanUp(app, schema: String(schema), directory: directory) }
        try? await app.asyncShutdown()
        await TestSlots.shared.release()
        throw error
    }
}

private func cleanUp(_ app: Application, schema: String, directory: URL) async throws {
    if TestDatabase.isPostgres {
        try await app.sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run()
    }
    try? FileManager.default.removeItem(at: directory)
}

extension Application {
    /// Sends a request through the whole middleware stack, in memory.
    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse?
        try await testing().test(method, path, headers: headers, body: body) { response in
            result = response
        }
        return result!
    }
}

import SQLKit

/// Swift Testing runs every test at once; each application holds its own connections. This caps
/// how many applications exist together so PostgreSQL stays under `max_connections` (100).
actor TestSlots {
    static let shared = TestSlots(limit: 12)
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

extension Application {
    /// Starts the HTTP server on a port the system picks (port 0), never one that may be taken, and
    /// returns it.
    func startServerOnFreePort() async throws -> Int {
        try await server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = http.server.shared.localAddress?.port else { throw Abort(.internalServerError, reason: "no local port") }
        return port
    }
}

extension Route {
    /// A live feed that never ends (a signed-in page's notifications): route walks that read each
    /// answer whole skip it; `NotificationTests.live` opens it over HTTP instead.
    var streamsForever: Bool {
        [SitePath.notificationEvents, .deskEvents].contains { path.map(\.description) == $0.components.map(\.description) }
    }
}
