import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import PenahServer

/// One keyring for everything sealed under the master key, checked at start.
@Suite("Master keyring")
struct KeyringTests {
    static func freshKey() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString() }

    /// Another node (or the same node restarted) on the first one's database, with other keys.
    func restarted(_ app: Application, key: String, previous: String?, _ body: (Application) async throws -> Void) async throws {
        var settings = app.settings
        settings.masterKeyBase64 = key
        settings.previousMasterKeyBase64 = previous
        let schema = app.storage[PostgresConnectionKey.self]?.schema
        let node = try await Application.make(.testing)
        do {
            try await configure(node, settings: settings, databaseSearchPath: schema.map { [$0] })
            try await Startup.prepareDatabase(node)
            try await body(node)
        } catch {
            try? await node.asyncShutdown()
            throw error
        }
        try await node.asyncShutdown()
    }

    func signIn(_ node: Application, _ staff: TestStaff, step: Int64) async throws -> Bool {
        let outcome = try await SignIn(db: node.db, keyring: node.keyring, hasher: node.bcrypt).attempt(
            username: staff.username, password: staff.password, otp: staff.currentCode(offsetSteps: step),
            request: RequestFacts(requestID: "t", address: "10.9.9.\(step + 2)"))
        if case .success = outcome { return true }
        return false
    }

    @Test("rotate the master key; restart with the new and previous key and sign in; drop the previous key and sign in again; the old key alone is refused at start")
    func rotationKeepsStaffSignedIn() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let sealedName = try await app.vault().seal("Aygün", field: "name")
            let oldKey = try #require(app.settings.masterKeyBase64)
            let newKey = Self.freshKey()
            let outcome = try await KeyRotation.rotate(app: app, to: MasterKey(data: Data(base64Encoded: newKey)!, createdFile: false))
            #expect(outcome.secrets >= 1 && outcome.dataKeys == 2)

            try await restarted(app, key: newKey, previous: oldKey) { (node: Application) async throws in
                // Steps 0 then +1: each stays inside the ±1 window even if a step boundary passes during bcrypt.
                #expect(try await signIn(node, staff, step: 0))
                #expect(try await node.vault().openText(sealedName, field: "name") == "Aygün")
            }
            try await restarted(app, key: newKey, previous: nil) { (node: Application) async throws in
                #expect(try await signIn(node, staff, step: 1), "every secret was re-sealed: the previous key is not needed")
            }
            await #expect(throws: SettingsError.self, "the key from before the rotation no longer matches the database") {
                try await restarted(app, key: oldKey, previous: nil) { _ in }
            }
        }
    }

    @Test("a wrong master key stops start-up naming PENAH_MASTER_KEY; a TOTP secret under an unknown key is a 503, not 'wrong credentials'")
    func wrongKey() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            do {
                try await restarted(app, key: Self.freshKey(), previous: nil) { _ in }
                Issue.record("a node with another key started")
            } catch let error as SettingsError {
                #expect(error.variable == "PENAH_MASTER_KEY")
            }
            // A secret sealed under a key this node lacks (a rotation half done): the operator's fault.
            let foreign = MasterKeyring(current: MasterKey(data: Data(base64Encoded: Self.freshKey())!, createdFile: false), previous: nil)
            staff.user.totpSecretSealed = try foreign.seal(staff.totpSecret, purpose: "totp")
            try await staff.user.update(on: app.db)
            let response = try await app.send(.POST, "/api/v1/auth/token", headers: jsonHeaders, body: jsonBody(
                ["username": staff.username, "password": staff.password, "otp": staff.currentCode()]))
            #expect(response.status == .serviceUnavailable, "\(response.status) \(response.body.string)")
            #expect(response.headers.first(name: "Retry-After") != nil)
        }
    }

    @Test("nodes creating the vault's first keys at once agree on them")
    func firstKeysRace() async throws {
        try await withPenah { app in
            // Start again from a database with no vault keys.
            try await VaultKey.query(on: app.db).delete()
            try await (app.db as! any SQLDatabase).delete(from: KeyRecords.table).where("name", .notEqual, KeyRecords.master).run()
            let indexes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        // A vault with a cache of its own is a node of its own.
                        let vault = IdentityVault(db: app.db, keyring: app.keyring, cache: VaultKeyCache())
                        return try await vault.blindIndex("5ZK8M2P", field: "fin")
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(indexes.count == 1, "every node computes the same blind index")
            #expect(try await VaultKey.query(on: app.db).filter(\.$purpose == "index").count() == 1)
        }
    }
}
