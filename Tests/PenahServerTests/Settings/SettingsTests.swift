import Foundation
import Testing
@testable import PenahServer

@Suite("Settings")
struct SettingsTests {
    let key = Data(repeating: 7, count: 32).base64EncodedString()

    @Test("nothing set: embedded SQLite in ./penah-data")
    func defaults() throws {
        let settings = try Settings.load(environment: [:], isProduction: false)
        #expect(settings.dataDirectory.lastPathComponent == "penah-data")
        guard case .sqlite(let path) = settings.database else { Issue.record("expected SQLite"); return }
        #expect(path.hasSuffix("penah-data/penah.sqlite"))
        #expect(settings.masterKeyBase64 == nil)
        #expect(settings.standards == TimeStandards())
        #expect(settings.groupCommit)
        #expect(settings.databasePoolWaitSeconds == 10)
        #expect(try Settings.load(environment: ["PENAH_DATABASE_POOL_WAIT_SECONDS": "60"], isProduction: false).databasePoolWaitSeconds == 60)
        #expect(try !Settings.load(environment: ["PENAH_GROUP_COMMIT": "OFF"], isProduction: false).groupCommit)
    }

    @Test("DATABASE_URL switches to PostgreSQL, and then needs PENAH_MASTER_KEY: nodes must not each make a key file")
    func postgres() throws {
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        let settings = try Settings.load(environment: ["DATABASE_URL": "postgres://u:p@db:5432/penah", "PENAH_MASTER_KEY": key], isProduction: false)
        #expect(settings.database == .postgres(url: "postgres://u:p@db:5432/penah"))
        #expect(throws: SettingsError.self) { try Settings.load(environment: ["DATABASE_URL": "postgres://u:p@db:5432/penah"], isProduction: false) }
        do {
            _ = try Settings.load(environment: ["DATABASE_URL": "postgres://u:p@db:5432/penah"], isProduction: false)
        } catch let error as SettingsError {
            #expect(error.variable == "PENAH_MASTER_KEY")
        }
    }

    @Test("a bad value names its variable", arguments: [
        (["DATABASE_URL": "mysql://x@y/z"], "DATABASE_URL"),
        (["DATABASE_URL": "postgres://"], "DATABASE_URL"),
        (["DATABASE_URL": "not a url at all ::"], "DATABASE_URL"),
        (["PENAH_MASTER_KEY": "c2hvcnQ="], "PENAH_MASTER_KEY"),
        (["PENAH_MASTER_KEY": "%%%not-base64"], "PENAH_MASTER_KEY"),
        (["PENAH_POLICE_GATEWAY_URL": "ftp://police"], "PENAH_POLICE_GATEWAY_URL"),
        (["PENAH_POLICE_GATEWAY_URL": "https://police.example", "PENAH_POLICE_GATEWAY_SECRET": "short"], "PENAH_POLICE_GATEWAY_SECRET"),
        (["PENAH_QUICK_EXIT_URL": "javascript:alert(1)"], "PENAH_QUICK_EXIT_URL"),
        (["PENAH_STANDARD_OPERATOR_MINUTES": "0"], "PENAH_STANDARD_OPERATOR_MINUTES"),
        (["PENAH_STANDARD_TOTAL_MINUTES": "a day"], "PENAH_STANDARD_TOTAL_MINUTES"),
        (["PENAH_GROUP_COMMIT": "maybe"], "PENAH_GROUP_COMMIT"),
        (["PENAH_DATABASE_POOL_WAIT_SECONDS": "0"], "PENAH_DATABASE_POOL_WAIT_SECONDS"),
        (["PENAH_DATABASE_POOL_WAIT_SECONDS": "ten"], "PENAH_DATABASE_POOL_WAIT_SECONDS"),
    ])
    func badValues(environment: [String: String], variable: String) {
        #expect {
            try Settings.load(environment: environment, isProduction: false)
        } throws: { error in
            (error as? SettingsError)?.variable == variable
        }
    }

    @Test("production refuses to run without DATABASE_URL and PENAH_MASTER_KEY")
    func production() throws {
        #expect { try Settings.load(environment: ["PENAH_MASTER_KEY": key], isProduction: true) }
            throws: { ($0 as? SettingsError)?.variable == "DATABASE_URL" }
        #expect { try Settings.load(environment: ["DATABASE_URL": "postgres://u:p@db/penah"], isProduction: true) }
            throws: { ($0 as? SettingsError)?.variable == "PENAH_MASTER_KEY" }
        let settings = try Settings.load(environment: ["DATABASE_URL": "postgres://u:p@db/penah", "PENAH_MASTER_KEY": key],
                                         isProduction: true)
        #expect(settings.isProduction)
    }

    @Test("time standards are settings")
    func standards() throws {
        let settings = try Settings.load(environment: ["PENAH_STANDARD_OPERATOR_MINUTES": "45"], isProduction: false)
        #expect(settings.standards.operatorMinutes == 45)
        #expect(settings.standards.backOfficeMinutes == 1440)
    }
}

@Suite("Data directory and key file")
struct KeyFileTests {
    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("penah-key-\(UUID().uuidString)")
    }

    @Test("first run creates the data dir (0700) and a key file (0600); the second run reuses it")
    func createsKeyFile() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let settings = try Settings.load(environment: ["PENAH_DATA_DIR": dir.path], isProduction: false)
        try DataDirectory.prepare(settings.dataDirectory)
        let first = try MasterKey.load(settings)
        #expect(first.createdFile)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("master.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: dir.path)
        #expect((dirAttributes[.posixPermissions] as? Int) == 0o700)
        let second = try MasterKey.load(settings)
        #expect(!second.createdFile)
        #expect(second.id == first.id)
    }

    @Test("a corrupted key file stops start-up with a message naming it")
    func corruptedKeyFile() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("garbage\n".utf8).write(to: dir.appendingPathComponent("master.key"))
        let settings = try Settings.load(environment: ["PENAH_DATA_DIR": dir.path], isProduction: false)
        #expect { try MasterKey.load(settings) } throws: { error in
            (error as? SettingsError)?.description.contains("master.key") == true
        }
    }

    @Test("a data dir that is a file is refused")
    func dataDirIsFile() throws {
        let file = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: file) }
        try Data().write(to: file)
        #expect { try DataDirectory.prepare(file) } throws: { ($0 as? SettingsError)?.variable == "PENAH_DATA_DIR" }
    }
}
