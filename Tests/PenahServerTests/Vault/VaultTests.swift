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

    @Test("after registration, an interview and an upload, no table, row or file holds her name, FIN, phone, address, notes or document")
    func noPlaintextAtRest() async throws {
        try await withPenah { app in
            let secrets = ["Aygünnisə", "Məmmədzadə", "7QWXR4M", "+994509876543", "050 987 65 43", "Zərifəliyev", "Heç kimə demədim", "akt-kontenti-9931"]
            let reception = try await app.caller(.reception)
            var body = sampleApplication(firstName: secrets[0], lastName: secrets[1], fin: secrets[2], phone: secrets[4])
            var victim = body["victim"] as! [String: Any]
            victim["address"] = "Bakı, \(secrets[5]) küç. 4"
            body["victim"] = victim
            let id = try await reception.register(body)
            let lawyer = try await app.caller(.lawyer)
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/assessments", Application.section("legal", notes: secrets[6])).status == .ok)
            let document = Data("%PDF-1.7\n\(secrets[7])\n%%EOF\n".utf8)
            #expect(try await CaseDocumentTests.upload(reception, id, kind: "policeProtocol", file: document).status == .created)
            let number = try #require(try await CaseRecord.find(id, on: app.db)).number

            // Every row of every table, as the database gives it.
            var dump = ""
            if TestDatabase.isPostgres {
                let tables = try await app.sql.raw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").all()
                for table in try tables.map({ try $0.decode(column: "table_name", as: String.self) }) {
                    for row in try await app.sql.raw("SELECT row_to_json(t)::text AS j FROM \(ident: table) t").all() {
                        dump += try row.decode(column: "j", as: String.self) + "\n"
                    }
                }
            } else {
                let tables = try await app.sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all()
                for table in try tables.map({ try $0.decode(column: "name", as: String.self) }) {
                    let columns = try await app.sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all().map { try $0.decode(column: "name", as: String.self) }
                    for column in columns {
                        for row in try await app.sql.raw("SELECT CAST(\(ident: column) AS TEXT) AS v FROM \(ident: table)").all() {
                            dump += (try row.decode(column: "v", as: String?.self) ?? "") + "\n"
                        }
                    }
                }
            }
            #expect(dump.contains(number), "the dump is real: it holds the case number")
            for secret in secrets { #expect(!dump.contains(secret), "\(secret) in a table") }

            // Every file under the data directory (the SQLite file and its journal included), byte for byte.
            var files: [Data] = []
            let root = app.settings.dataDirectory
            for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])! {
                guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
                files.append(try Data(contentsOf: url))
            }
            if !TestDatabase.isPostgres { #expect(files.contains { $0.range(of: Data(number.utf8)) != nil }, "the files are real: one holds the case number") }
            for secret in secrets { #expect(!files.contains { $0.range(of: Data(secret.utf8)) != nil }, "\(secret) in a file") }
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
