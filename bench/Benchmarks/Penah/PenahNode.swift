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
        // ordo-one runs every benchmark in a process of its own: the seeded database is made once per
        // case count and executable, and each process's node starts on a copy of it.
        let seed = try Seed.prepare(postgresURL: postgresURL, cases: cases, desks: desks)
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("penah-bench-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: seed.directory, to: dataDirectory)
        var env = seed.environment
        env["PENAH_DATA_DIR"] = dataDirectory.path
        // `PENAH_GROUP_COMMIT=off swift package benchmark` measures the same paths without group commit.
        env["PENAH_GROUP_COMMIT"] = ProcessInfo.processInfo.environment["PENAH_GROUP_COMMIT"]
        if let postgresURL, let template = seed.database {
            let database = "penah_bench_\(UInt32.random(in: 0...UInt32.max))"
            try Shell.run("psql", [postgresURL, "-qc", "CREATE DATABASE \(database) TEMPLATE \(template)"])
            postgres = (postgresURL, database)
            env["DATABASE_URL"] = Seed.replacingDatabase(in: postgresURL, with: database)
        } else {
            postgres = nil
        }
        environment = env

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

    /// A staff member of `role` at `unit`, signed in through the login form; returns the session cookie.
    func webSignIn(_ username: String, role: String, unit: String) async throws -> String {
        let account = try createStaff(username, role: role, unit: unit)
        return try await HTTP.webSession(url, username: account.username, password: account.password, otpURI: account.otpURI)
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
}

/// A benchmark that cannot go on: its set-up or its own data is not what it expected.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
