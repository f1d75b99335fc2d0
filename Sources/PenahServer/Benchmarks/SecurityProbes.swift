import Fluent
import Foundation
import NIOConcurrencyHelpers
import PenahDomain
import SQLKit
import Vapor

/// Measurements behind `penah-bench security` (issue 3). They live in the server module because
/// they drive internal services directly; nothing in the server calls them. On the embedded
/// database and, when `PENAH_BENCH_POSTGRES_URL` is set, on PostgreSQL:
/// - audit append with 8 concurrent writers, events on their own and riding on other writes;
/// - `verify-audit` throughput over the trail just written plus bulk-appended events;
/// - sealing and blind-indexing one person (name, FIN, document, address, phone; 5 seals, 5 indexes);
/// - sign-in latency beside a bare bcrypt verification at the same cost, and beside one durable commit.
public enum SecurityProbes {
    /// `auditOnly`: the audit append and verification figures alone (`penah-bench audit`).
    public static func run(auditOnly: Bool = false,
                           makeApp: (String?) async throws -> (Application, () async throws -> Void)) async throws {
        print("Penah security benchmark")
        try await backend("SQLite", postgresURL: nil, auditOnly: auditOnly, makeApp: makeApp)
        if let url = ProcessInfo.processInfo.environment["PENAH_BENCH_POSTGRES_URL"] {
            try await backend("PostgreSQL", postgresURL: url, auditOnly: auditOnly, makeApp: makeApp)
        } else {
            print("(set PENAH_BENCH_POSTGRES_URL to measure PostgreSQL as well)")
        }
    }

    static func backend(_ name: String, postgresURL: String?, auditOnly: Bool,
                        makeApp: (String?) async throws -> (Application, () async throws -> Void)) async throws {
        let (app, dispose) = try await makeApp(postgresURL)
        try await auditAppend(app, name)
        try await verify(app, name)
        if postgresURL == nil, !auditOnly {
            try await sealing(app)
            try await signIn(app)
        }
        try await dispose()
    }

    /// Three ways, 8 writers each:
    /// - events on their own, each in its own transaction, as every read of personal data is
    ///   audited (`AuditLog.record`): the audit append figure;
    /// - writes that each update a row and append an event, in a savepoint each, as every write
    ///   that cannot be rerun;
    /// - the same writes without their event: what the audit adds to a write is the difference.
    static func auditAppend(_ app: Application, _ name: String) async throws {
        // Raw: a scratch table of the benchmark's own, one row per writer, with no model; fixed statements.
        try await app.sql.raw("CREATE TABLE bench_rows (writer INTEGER PRIMARY KEY, writes INTEGER NOT NULL)").run()
        try await app.sql.raw("INSERT INTO bench_rows (writer, writes) VALUES (0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0)").run()
        enum Kind: CaseIterable { case eventsAlone, writesWithEvents, writesWithoutEvents }
        for kind in Kind.allCases {
            let writers = 8, perWriter = 500
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        let actor = AuditActor(userID: UUID(), role: "reception", unitCode: "BAKU-\(writer % 4 + 1)",
                                               requestID: "bench", address: "127.0.0.1")
                        for i in 0..<perWriter {
                            if kind == .eventsAlone {
                                try await AuditLog.record(on: app.db, actor: actor, action: "bench.read", recordType: "thing", recordID: "\(i)")
                                continue
                            }
                            try await app.db.writeTransaction { db in
                                // Raw: the scratch table has no model; the value is bound.
                                try await (db as! any SQLDatabase).raw("UPDATE bench_rows SET writes = writes + 1 WHERE writer = \(bind: writer)").run()
                                guard kind == .writesWithEvents else { return }
                                try await AuditLog.append(on: db, actor: actor, action: "bench.write", recordType: "thing", recordID: "\(i)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let rate = Double(writers * perWriter) / (milliseconds(ContinuousClock.now - start) / 1000)
            switch kind {
            case .eventsAlone:
                print(String(format: "[%@] audit append, %d writers: %.0f events/s (%d events, each in its own transaction, as reads are audited)",
                             name, writers, rate, writers * perWriter))
            case .writesWithEvents:
                print(String(format: "[%@] writes that update a row and append an event, %d writers, a savepoint each: %.0f events/s",
                             name, writers, rate))
            case .writesWithoutEvents:
                print(String(format: "[%@] the same writes without their event: %.0f writes/s", name, rate))
            }
        }
    }

    static func verify(_ app: Application, _ name: String) async throws {
        // Grow the trail to 100,000 events in large transactions, then time one full verification.
        let target = 100_000
        let existing = try await AuditEvent.query(on: app.db).count()
        var added = existing
        while added < target {
            let batch = min(5_000, target - added)
            try await app.db.writeTransaction { db in
                for i in 0..<batch {
                    try await AuditLog.append(on: db, actor: .system("bench"), action: "bench.bulk", recordType: "thing", recordID: "\(i)")
                }
            }
            added += batch
        }
        // Three verifications, as `penah verify-audit` runs them; this machine is shared, so the
        // median and the best are both printed, as for sealing.
        var rates: [Double] = []
        var events = 0
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let result = try await AuditLog.verify(on: app.db, readingWith: app.databasesOnEveryLoop)
            let seconds = milliseconds(ContinuousClock.now - start) / 1000
            guard result.ok else { throw BenchFailure("the benchmark's own audit trail did not verify") }
            events = result.events
            rates.append(Double(events) / seconds)
        }
        rates.sort()
        print(String(format: "[%@] verify-audit: median %.0f events/s, best %.0f events/s (3 runs over %d events)",
                     name, rates[1], rates[2], events))
    }

    public static func sealing(_ app: Application) async throws {
        let vault = app.vault()
        let person = ["name": "Məmmədova Aygün İlqar qızı", "fin": "5ABCD7K", "document": "AZE12345678",
                      "address": "Bakı şəhəri, Nəsimi rayonu, Azadlıq prospekti 12, mənzil 34", "phone": "+994501234567"]
        _ = try await vault.seal("warm", field: "x")
        _ = try await vault.blindIndex("warm", field: "x")
        // Five runs of 2,000 people: this machine is shared, so the median and the best run are
        // both printed (the best is the cost of the code, the median what a busy host gives).
        var runs: [Double] = []
        for _ in 0..<5 {
            let people = 2_000
            let start = ContinuousClock.now
            for _ in 0..<people {
                for (field, value) in person { _ = try await vault.seal(value, field: field) }
                _ = try await vault.blindIndex("5ABCD7K", field: "fin")
                _ = try await vault.blindIndex("+994501234567", field: "phone")
                for word in AzText.wordKeys(person["name"]!).prefix(3) { _ = try await vault.blindIndex(word, field: "nameWord") }
            }
            runs.append(milliseconds(ContinuousClock.now - start) * 1000 / Double(people))
        }
        runs.sort()
        print(String(format: "sealing + blind-indexing one person: median %.1f µs, best %.1f µs (5 runs of 2,000)", runs[2], runs[0]))
    }

    /// Times the bcrypt verification inside each sign-in, so the rest of the sign-in is measured
    /// on the same attempt rather than beside a separate bcrypt run.
    final class TimingHasher: PasswordHashing, Sendable {
        let inner: any PasswordHashing
        let last = NIOLockedValueBox<Double>(0)
        init(_ inner: any PasswordHashing) { self.inner = inner }
        var dummyHash: String { inner.dummyHash }
        func hash(_ password: String) async throws -> String { try await inner.hash(password) }
        func verify(_ password: String, created hash: String) async throws -> Bool {
            let start = ContinuousClock.now
            defer { last.withLockedValue { $0 = milliseconds(ContinuousClock.now - start) } }
            return try await inner.verify(password, created: hash)
        }
    }

    static func signIn(_ app: Application) async throws {
        _ = try await DemoSeeder(db: app.db).seedUnits()
        let created = try await StaffService(db: app.db, keyring: app.keyring).createStaff(
            username: "bench.user", displayName: nil, role: .reception, unitCode: "BAKU-1",
            password: "benchmark pass phrase", hasher: app.bcrypt, actor: .system("bench"))
        let hash = created.user.passwordHash!
        let hasher = TimingHasher(app.bcrypt)
        var login: [Double] = [], bcrypt: [Double] = [], rest: [Double] = [], commit: [Double] = []
        for i in 0..<100 {
            // A wrong code with the right password: the full path (throttle check, bcrypt, TOTP, audit),
            // from a different address each time so throttling stays out of the way.
            let facts = RequestFacts(requestID: "bench", address: "10.9.\(i / 200).\(i % 200)")
            let signIn = SignIn(db: app.db, keyring: app.keyring, hasher: hasher)
            var start = ContinuousClock.now
            _ = try await signIn.attempt(username: "bench.user", password: "benchmark pass phrase", otp: "000000", request: facts)
            let total = milliseconds(ContinuousClock.now - start)
            login.append(total)
            rest.append(total - hasher.last.withLockedValue { $0 })
            start = ContinuousClock.now
            _ = try await app.bcrypt.verify("benchmark pass phrase", created: hash)
            bcrypt.append(milliseconds(ContinuousClock.now - start))
            // The one durable commit a sign-in waits for, on its own: what the disk costs.
            start = ContinuousClock.now
            try await AuditLog.record(on: app.db, actor: .system("bench"), action: "bench.commit", recordType: "thing", recordID: nil)
            commit.append(milliseconds(ContinuousClock.now - start))
        }
        login.sort(); bcrypt.sort(); rest.sort(); commit.sort()
        // 100 samples: p95 is the fifth slowest, so one disk stall on this shared machine moves it less.
        print(String(format: "sign-in p50 %.1f ms, p95 %.1f ms; bcrypt verify alone p50 %.1f ms, p95 %.1f ms (cost 12)",
                     percentile(login, 0.5), percentile(login, 0.95), percentile(bcrypt, 0.5), percentile(bcrypt, 0.95)))
        print(String(format: "sign-in without its own bcrypt: p50 %.2f ms, p95 %.2f ms, max %.1f ms",
                     percentile(rest, 0.5), percentile(rest, 0.95), rest.last ?? .nan))
        print(String(format: "one audited write alone (its durable commit): p50 %.2f ms, p95 %.2f ms, max %.1f ms",
                     percentile(commit, 0.5), percentile(commit, 0.95), commit.last ?? .nan))
    }
}

private func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

private func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
}
