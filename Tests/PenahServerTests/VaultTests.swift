import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import PenahDomain
@testable import PenahServer

@Suite("Identity vault")
struct VaultTests {
    let name = "Məmmədova Aygün İlqar qızı"
    let fin = "5ABCD7K"

    @Test("seal and open round-trip; the field is bound, tampering is detected")
    func roundTrip() async throws {
        try await withPenah { app in
            let vault = app.vault()
            let sealed = try await vault.seal(name, field: "victim.name")
            #expect(sealed.hasPrefix("v1."))
            #expect(!sealed.contains("Aygün") && !sealed.contains("Aygu"))
            #expect(try await vault.openText(sealed, field: "victim.name") == name)
            await #expect(throws: (any Error).self) { _ = try await vault.open(sealed, field: "victim.fin") }
            var bytes = Array(sealed.utf8)
            bytes[bytes.count - 5] = bytes[bytes.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            await #expect(throws: (any Error).self) { _ = try await vault.open(String(decoding: bytes, as: UTF8.self), field: "victim.name") }
            await #expect(throws: (any Error).self) { _ = try await vault.open("v1.garbage", field: "victim.name") }
            let twice = try await vault.seal(name, field: "victim.name")
            #expect(twice != sealed, "a fresh nonce every time")
        }
    }

    @Test("blind indexes match normalised equals, differ across fields, hide the value")
    func blindIndex() async throws {
        try await withPenah { app in
            let vault = app.vault()
            let a = try await vault.blindIndex(FIN("5abcd7k")!.value, field: "fin")
            let b = try await vault.blindIndex(FIN(" 5ABCD7K ")!.value, field: "fin")
            let other = try await vault.blindIndex("5ABCD7K", field: "phone")
            #expect(a == b && a != other && !a.contains(fin))
            let word1 = try await vault.blindIndex(AzText.searchKey("İLQAR"), field: "nameWord")
            let word2 = try await vault.blindIndex(AzText.searchKey("ilqar"), field: "nameWord")
            #expect(word1 == word2)
        }
    }

    @Test("a blind index is HMAC-SHA-256 of field, 0x1F and value under the index key, however often it is computed")
    func blindIndexFormat() async throws {
        try await withPenah { app in
            let vault = app.vault()
            let first = try await vault.blindIndex("5ABCD7K", field: "fin")
            // The prepared HMAC is copied for each index: a shared state would change the next one.
            for _ in 0..<3 { #expect(try await vault.blindIndex("5ABCD7K", field: "fin") == first) }
            let row = try #require(try await VaultKey.query(on: app.db).filter(\.$purpose == "index").first())
            let key = SymmetricKey(data: try app.keyring.unwrap(row.wrapped, masterKeyID: row.masterKeyID))
            let expected = HMAC<SHA256>.authenticationCode(for: Data("fin\u{1F}5ABCD7K".utf8), using: key)
            #expect(first == Data(expected).base64EncodedString())
        }
    }

    @Test("the database and the data dir hold no plaintext of a sealed value")
    func noPlaintextAtRest() async throws {
        try await withPenah { app in
            let vault = app.vault()
            try await app.sql.raw("CREATE TABLE vault_probe (v TEXT, idx TEXT)").run()
            let sealed = try await vault.seal(name, field: "victim.name")
            let index = try await vault.blindIndex(fin, field: "fin")
            let sealedFIN = try await vault.seal(fin, field: "victim.fin")
            try await app.sql.raw("INSERT INTO vault_probe (v, idx) VALUES (\(bind: sealed), \(bind: index)), (\(bind: sealedFIN), \(bind: index))").run()
            let rows = try await app.sql.raw("SELECT v, idx FROM vault_probe").all()
            for row in rows {
                let text = try row.decode(column: "v", as: String.self) + (try row.decode(column: "idx", as: String.self))
                #expect(!text.contains(fin) && !text.contains("Aygün"))
            }
            if case .sqlite = app.settings.database {
                let dir = app.settings.dataDirectory
                for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
                    let data = try Data(contentsOf: dir.appendingPathComponent(file))
                    #expect(data.range(of: Data(fin.utf8)) == nil, "\(file)")
                    #expect(data.range(of: Data("Aygün".utf8)) == nil, "\(file)")
                }
                // The probe is real: the raw file does hold the ciphertext we wrote.
                let all = try FileManager.default.contentsOfDirectory(atPath: dir.path)
                    .map { try Data(contentsOf: dir.appendingPathComponent($0)) }
                #expect(all.contains { $0.range(of: Data(sealed.prefix(40).utf8)) != nil })
            }
            let wrapped = try await VaultKey.query(on: app.db).all()
            #expect(wrapped.count == 2)
        }
    }

    @Test("rotating the master key keeps every value readable, and the old key alone no longer opens them")
    func rotation() async throws {
        try await withPenah { app in
            let vault = app.vault()
            let values = [name, fin, "+994501234567"]
            var sealed: [String] = []
            for value in values { sealed.append(try await vault.seal(value, field: "x")) }
            let indexBefore = try await vault.blindIndex(fin, field: "fin")
            let oldKeyring = app.keyring
            let newKey = MasterKey(data: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }, createdFile: false)
            #expect(try await KeyRotation.rotate(app: app, to: newKey).dataKeys == 2)

            let rotated = IdentityVault(db: app.db, keyring: MasterKeyring(current: newKey, previous: nil), cache: VaultKeyCache())
            for (value, box) in zip(values, sealed) { #expect(try await rotated.openText(box, field: "x") == value) }
            #expect(try await rotated.blindIndex(fin, field: "fin") == indexBefore)

            let stale = IdentityVault(db: app.db, keyring: oldKeyring, cache: VaultKeyCache())
            await #expect(throws: (any Error).self) { _ = try await stale.open(sealed[0], field: "x") }
            let events = try await AuditEvent.query(on: app.db).filter(\.$action == "vault.rotate").count()
            #expect(events == 1)
        }
    }
}
