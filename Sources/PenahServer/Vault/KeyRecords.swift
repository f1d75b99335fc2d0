import Fluent
import Foundation
import SQLKit
import Vapor

/// Facts about keys that every node must agree on, one row each: `master` — the id of the master
/// key everything in this database is sealed under; `vault.data`, `vault.index` — the vault's
/// current data key per purpose. The first writer of a row wins (its primary key settles a race
/// between nodes), and every node then reads the same answer.
struct KeyRecords {
    let db: any Database
    private var sql: any SQLDatabase { db as! any SQLDatabase }

    static let table = "key_records"
    static let master = "master"
    static func vault(_ purpose: String) -> String { "vault.\(purpose)" }

    func value(_ name: String) async throws -> String? {
        try await sql.select().column("value").from(Self.table).where("name", .equal, name).first()?
            .decode(column: "value", as: String.self)
    }

    /// Stores `value` under `name` unless a value is there already; returns the one that stands.
    func claim(_ name: String, value: String) async throws -> String {
        try await sql.insert(into: Self.table).columns("name", "value").values(SQLBind(name), SQLBind(value))
            .ignoringConflicts(with: "name").run()
        guard let standing = try await self.value(name) else { throw KeyRecordMissing(name: name) }
        return standing
    }

    func replace(_ name: String, value: String) async throws {
        try await sql.update(Self.table).set("value", to: value).where("name", .equal, name).run()
    }

    struct KeyRecordMissing: Error { let name: String }
}

/// At start: the master key given must be the one the database is sealed under (or, during a
/// rotation, the previous key given beside it). Otherwise the server would say "ok" and then
/// fail every sign-in and case read.
enum MasterKeyCheck {
    static func verify(_ app: Application) async throws {
        let keyring = app.keyring
        let stored = try await KeyRecords(db: app.db).claim(KeyRecords.master, value: keyring.current.id)
        guard keyring.ids.contains(stored) else {
            throw SettingsError(variable: "PENAH_MASTER_KEY",
                                problem: "is not the key this database is sealed under (the database names key \(stored), this key is \(keyring.current.id)); "
                                    + "give the right key, or during a rotation the old one as PENAH_PREVIOUS_MASTER_KEY")
        }
    }
}

/// Every key a node needs, made at start if this database has none yet: the vault's data and
/// index keys and the audit chain key. `serve`, every command and the tests' applications call it
/// after migrating.
public enum KeyPreparation {
    public static func run(_ app: Application) async throws {
        try await MasterKeyCheck.verify(app)
        try await app.vault().prepareKeys()
        try await app.db.auditChainKey?.prepare(on: app.db)
    }
}
