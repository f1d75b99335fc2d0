import Foundation

/// The seeded starting point every node of a run copies: a data directory (and, on PostgreSQL, a
/// template database) made by `penah seed-demo --cases N` once, kept under the system's temporary
/// directory and named by the case count, the desk count and the executable's modification time, so
/// a rebuilt `penah` gets a fresh seed.
struct Seed {
    let directory: URL
    let database: String?
    let environment: [String: String]

    static func prepare(postgresURL: String?, cases: Int, desks: Int) throws -> Seed {
        let built = (try? FileManager.default.attributesOfItem(atPath: PenahNode.binary)[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let name = "penah_bench_seed_\(postgresURL == nil ? "sqlite" : "pg")_\(cases)_\(desks)_\(Int(built))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        let database = postgresURL == nil ? nil : name
        let keyFile = directory.appendingPathComponent("bench-master-key")
        if let key = try? String(contentsOf: keyFile, encoding: .utf8) {
            return Seed(directory: directory, database: database, environment: environment(key: key, directory: directory, postgresURL: postgresURL, database: database))
        }
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        if let postgresURL, let database {
            try Shell.run("psql", [postgresURL, "-qc", "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"])
            try Shell.run("psql", [postgresURL, "-qc", "CREATE DATABASE \(database)"])
        }
        let env = environment(key: key, directory: directory, postgresURL: postgresURL, database: database)
        try Shell.run(PenahNode.binary, ["seed-demo"] + (cases > 0 ? ["--cases", String(cases)] : []), environment: env)
        try setDesks(desks, environment: env)
        // Written last: a seed whose set-up failed half way is made again next time.
        try key.write(to: keyFile, atomically: true, encoding: .utf8)
        return Seed(directory: directory, database: database, environment: env)
    }

    private static func environment(key: String, directory: URL, postgresURL: String?, database: String?) -> [String: String] {
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LOG_LEVEL": "error",
                   "PENAH_DATA_DIR": directory.path, "PENAH_MASTER_KEY": key]
        if let postgresURL, let database { env["DATABASE_URL"] = replacingDatabase(in: postgresURL, with: database) }
        return env
    }

    /// Benchmark set-up only: the demo centre gets `count` desks. The admin page that does this is a
    /// form behind CSRF and TOTP; the database is changed directly instead, before any server starts.
    private static func setDesks(_ count: Int, environment env: [String: String]) throws {
        let statement = "UPDATE units SET desk_count = \(count) WHERE code = 'BAKU-1'"
        if let database = env["DATABASE_URL"] {
            try Shell.run("psql", [database, "-qc", statement])
        } else {
            let file = env["PENAH_DATA_DIR"]! + "/penah.sqlite"
            try Shell.run("python3", ["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", file, statement])
        }
    }

    static func replacingDatabase(in url: String, with database: String) -> String {
        guard var parts = URLComponents(string: url) else { return url }
        parts.path = "/" + database
        return parts.string ?? url
    }
}
