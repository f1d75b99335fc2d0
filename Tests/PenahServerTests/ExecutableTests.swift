import Foundation
import Testing

/// The `penah` executable itself: bad configuration stops it at once with exit code 78 (EX_CONFIG)
/// and one line naming the variable — no stack trace, no crash loop.
@Suite("The penah executable")
struct ExecutableTests {
    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/penah")
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
}
