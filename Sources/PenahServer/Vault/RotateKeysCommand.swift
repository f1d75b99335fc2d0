import Fluent
import Foundation
import Vapor

/// `penah keys rotate --new-key-stdin`: re-wraps every vault data key under a new master key, in
/// one transaction. Sealed values are untouched. Running servers keep working: set
/// `PENAH_PREVIOUS_MASTER_KEY` to the old key and `PENAH_MASTER_KEY` to the new one, restart nodes one
/// by one, then drop the previous key.
struct KeysCommand: AsyncCommandGroup {
    var help: String { "Manage the master key." }
    var commands: [String: any AnyAsyncCommand] { ["rotate": RotateKeysCommand()] }
}

struct RotateKeysCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "new-key-stdin", help: "Read the new master key (base64 of 32 bytes) from standard input") var stdin: Bool
    }

    var help: String { "Re-wrap the vault's data keys under a new master key." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.stdin, let line = readLine(strippingNewline: true),
              let bytes = Data(base64Encoded: line.trimmingCharacters(in: .whitespaces)), bytes.count == 32 else {
            throw CommandFailure("pass the new key on standard input with --new-key-stdin (base64 of 32 bytes)")
        }
        let count = try await KeyRotation.rotate(app: context.application, to: MasterKey(data: bytes, createdFile: false))
        context.console.print("Re-wrapped \(count) data key(s). Now set PENAH_MASTER_KEY to the new key and PENAH_PREVIOUS_MASTER_KEY to the old one until every node has restarted.")
    }
}

enum KeyRotation {
    static func rotate(app: Application, to newKey: MasterKey) async throws -> Int {
        let keyring = app.keyring
        let rotated = MasterKeyring(current: newKey, previous: nil)
        return try await app.db.writeTransaction { db in
            let rows = try await VaultKey.query(on: db).all()
            for row in rows {
                let plain = try keyring.unwrap(row.wrapped, masterKeyID: row.masterKeyID)
                row.wrapped = try rotated.wrap(plain)
                row.masterKeyID = newKey.id
                try await row.update(on: db)
            }
            try await AuditLog.append(on: db, actor: .system("cli:keys-rotate"), action: "vault.rotate",
                                      recordType: "vaultKey", recordID: nil)
            return rows.count
        }
    }
}
