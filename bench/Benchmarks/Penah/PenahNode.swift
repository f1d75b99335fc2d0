import Foundation

/// One `penah serve` (the release executable, as shipped) on a fresh database of its own: a data
/// directory for SQLite, or a fresh PostgreSQL database when a URL is given. Set-up goes through the
/// operations commands of the contract (`seed-demo`, `user create`), as an operator's would.
final class PenahNode: @unchecked Sendable {
    let label: String
    let url: String
    let environment: [String: String]
    private let process: Process
    private let dataDirectory: URL
    private let postgres: (admin: String, database: String)?

    /// The executable to measure: `PENAH_BINARY`, else the root package's release build.
    static var binary: String {
        ProcessInfo.processInfo.environment["PENAH_BINARY"] ?? "../.build/release/penah"
    }

    init(label: String, postgresURL: String?, cases: Int, desks: Int) async throws {
        self.label = label
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("penah-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LOG_LEVEL": "error",
                   "PENAH_DATA_DIR": dataDirectory.path,
                   "PENAH_MASTER_KEY": Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()]
        if let postgresURL {
            let database = "penah_bench_\(UInt32.random(in: 0...UInt32.max))"
            try Shell.run("psql", [postgresURL, "-qc", "CREATE DATABASE \(database)"])
            postgres = (postgresURL, database)
            env["DATABASE_URL"] = Self.replacingDatabase(in: postgresURL, with: database)
        } else {
            postgres = nil
        }
        environment = env
        try Shell.run(Self.binary, ["seed-demo"] + (cases > 0 ? ["--cases", String(cases)] : []), environment: env)
        try Self.setDesks(desks, environment: env)

        let port = try FreePort.pick()
        url = "http://127.0.0.1:\(port)"
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--port", String(port)]
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await waitUntilHealthy()
    }

    /// Polls `/health` until it answers 200; returns how long that took from now.
    @discardableResult
    func waitUntilHealthy() async throws -> Duration {
        let began = ContinuousClock.now
        for _ in 0..<400 {
            if (try? await HTTP.get(url + "/health").status.code) == 200 { return ContinuousClock.now - began }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw BenchFailure("\(label): penah serve did not answer /health")
    }

    /// A staff member of `role` at `unit`, signed in through the API; returns the bearer token.
    func signIn(_ username: String, role: String, unit: String) async throws -> String {
        let account = try createStaff(username, role: role, unit: unit)
        return try await HTTP.token(url, username: account.username, password: account.password, otpURI: account.otpURI)
    }

    struct Staff { let username, password, otpURI: String }

    /// `penah user create`, with the TOTP provisioning URI it printed.
    func createStaff(_ username: String, role: String, unit: String) throws -> Staff {
        let password = "benchmark password \(UUID().uuidString)"
        let printed = try Shell.run(Self.binary, ["user", "create", "--username", username, "--role", role, "--unit", unit, "--password-stdin"],
                                    environment: environment, input: password + "\n")
        guard let uri = printed.split(separator: "\n").first(where: { $0.hasPrefix("otpauth://") }) else {
            throw BenchFailure("user create printed no provisioning URI")
        }
        return Staff(username: username, password: password, otpURI: String(uri))
    }

    /// The server's resident memory now, in bytes (VmRSS of /proc/PID/status).
    func residentMemory() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }

    func stop() throws {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: dataDirectory)
        if let postgres { try Shell.run("psql", [postgres.admin, "-qc", "DROP DATABASE IF EXISTS \(postgres.database) WITH (FORCE)"]) }
    }

    /// Benchmark set-up only: the demo centre gets `count` desks. The admin page that does this is a
    /// form behind CSRF and TOTP; the database is changed directly instead, before the server starts.
    private static func setDesks(_ count: Int, environment env: [String: String]) throws {
        let statement = "UPDATE units SET desk_count = \(count) WHERE code = 'BAKU-1'"
        if let database = env["DATABASE_URL"] {
            try Shell.run("psql", [database, "-qc", statement])
        } else {
            let file = env["PENAH_DATA_DIR"]! + "/penah.sqlite"
            try Shell.run("python3", ["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", file, statement])
        }
    }

    private static func replacingDatabase(in url: String, with database: String) -> String {
        guard var parts = URLComponents(string: url) else { return url }
        parts.path = "/" + database
        return parts.string ?? url
    }
}

/// A benchmark that cannot go on: its set-up or its own data is not what it expected.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
