import Foundation
import SQLKit
import Testing
@testable import PenahServer

/// The `penah` executable itself: bad configuration stops it at once with exit code 78 (EX_CONFIG)
/// and one line naming the variable — no stack trace, no crash loop.
@Suite("The penah executable")
struct ExecutableTests {
    static var binary: URL {
        // Tests/PenahServerTests/Commands/ExecutableTests.swift → the package root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/penah")
    }

    func run(_ arguments: [String], environment: [String: String]) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func scratch() -> String { NSTemporaryDirectory() + "penah-exe-\(UUID().uuidString)" }

    @Test("the binary is built beside the tests")
    func built() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "run `swift build --build-tests` first")
    }

    @Test("bad configuration exits 78 naming the variable", arguments: [
        (["migrate"], ["DATABASE_URL": "mysql://root@db/penah"], "DATABASE_URL"),
        (["migrate"], ["PENAH_MASTER_KEY": "too-short"], "PENAH_MASTER_KEY"),
        (["serve", "--env", "production"], [:], "DATABASE_URL"),
        (["serve", "--env", "production"], ["DATABASE_URL": "postgres://u:p@127.0.0.1:1/x"], "PENAH_MASTER_KEY"),
    ])
    func badConfiguration(arguments: [String], environment: [String: String], variable: String) throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try run(arguments, environment: environment.merging(["PENAH_DATA_DIR": dir]) { a, _ in a })
        #expect(result.code == 78)
        #expect(result.output.contains("Configuration error: \(variable)"))
        #expect(!result.output.contains("Fatal error"))
    }

    @Test("a corrupted key file is named; a good data dir migrates and reports the audit trail intact")
    func keyFile() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ok = try run(["verify-audit"], environment: ["PENAH_DATA_DIR": dir])
        #expect(ok.code == 0 && ok.output.contains("Audit trail intact"))
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: dir + "/master.key"))
        let broken = try run(["migrate"], environment: ["PENAH_DATA_DIR": dir])
        #expect(broken.code == 78 && broken.output.contains("master.key"))
    }

    @Test("a wrong PENAH_MASTER_KEY stops start-up with 78 naming it; the database and key file are 0600 in a data dir that already existed")
    func wrongKeyAndModes() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        #expect(try run(["verify-audit"], environment: ["PENAH_DATA_DIR": dir]).code == 0)
        for file in ["penah.sqlite", "master.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) is \(String(mode ?? 0, radix: 8))")
        }
        let other = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let wrong = try run(["verify-audit"], environment: ["PENAH_DATA_DIR": dir, "PENAH_MASTER_KEY": other])
        #expect(wrong.code == 78 && wrong.output.contains("Configuration error: PENAH_MASTER_KEY"), "\(wrong.output)")
    }
}

/// Production on PostgreSQL exactly as the README says, through the real executable.
@Suite("The penah executable on PostgreSQL", .enabled(if: TestDatabase.isPostgres))
struct ProductionDeploymentTests {
    /// A new, empty database beside the test one, dropped afterwards.
    func withEmptyDatabase(_ body: (String) throws -> Void) async throws {
        let name = "penah_exe_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await withPenah { app in
            try await app.sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
            var url = URLComponents(string: TestDatabase.postgresURL)!
            url.path = "/" + name
            do { try body(url.string!) } catch {
                try? await app.sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                throw error
            }
            try await app.sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
        }
    }

    @Test("from an empty database: a production node refuses the old schema, `penah migrate --env production` migrates, then the node starts")
    func migrateInProduction() async throws {
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try await withEmptyDatabase { url in
            let env = ["DATABASE_URL": url, "PENAH_MASTER_KEY": key, "PENAH_DATA_DIR": ExecutableTests().scratch()]
            let refused = try ExecutableTests().run(["verify-audit", "--env", "production"], environment: env)
            #expect(refused.code == 78 && refused.output.contains("pending migrations"), "\(refused.output)")
            let migrated = try ExecutableTests().run(["migrate", "--env", "production"], environment: env)
            #expect(migrated.code == 0 && migrated.output.contains("Applied"), "\(migrated.output)")
            let again = try ExecutableTests().run(["migrate", "--env", "production"], environment: env)
            #expect(again.code == 0 && again.output.contains("up to date"), "\(again.output)")
            let started = try ExecutableTests().run(["verify-audit", "--env", "production"], environment: env)
            #expect(started.code == 0 && started.output.contains("Audit trail intact"), "\(started.output)")
        }
    }

    @Test("DATABASE_URL with a wrong password, a closed port or an unknown database exits 78 naming the variable and the cause, never the password")
    func badDatabaseURL() throws {
        var url = URLComponents(string: TestDatabase.postgresURL)!
        let key = Data(repeating: 3, count: 32).base64EncodedString()
        var wrongPassword = url
        wrongPassword.password = "not-the-password-x9"
        var closedPort = url
        closedPort.port = 1
        url.path = "/no_such_database_x9"
        for (candidate, cause) in [(wrongPassword, "password"), (closedPort, "cannot be reached"), (url, "does not exist")] {
            let result = try ExecutableTests().run(["migrate"], environment: ["DATABASE_URL": candidate.string!, "PENAH_MASTER_KEY": key,
                                                                          "PENAH_DATA_DIR": ExecutableTests().scratch()])
            #expect(result.code == 78 && result.output.contains("Configuration error: DATABASE_URL") && result.output.contains(cause), "\(result.output)")
            #expect(!result.output.contains("not-the-password-x9") && !result.output.contains(":penah@"))
        }
    }
}

