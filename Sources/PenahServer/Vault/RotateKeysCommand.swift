import Fluent
import Foundation
import Vapor

/// `penah keys rotate --new-key-stdin`: moves everything sealed under the master key to a new one,
/// in one transaction (see `KeyRotation`). Running servers keep working: set
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
        let outcome = try await KeyRotation.rotate(app: context.application, to: MasterKey(data: bytes, createdFile: false))
        context.console.print("Re-wrapped \(outcome.dataKeys) data key(s) and re-sealed \(outcome.secrets) TOTP secret(s). Now set PENAH_MASTER_KEY to the new key and PENAH_PREVIOUS_MASTER_KEY to the old one until every node has restarted.")
    }
}

/// Moves everything sealed under the master key to a new one, in one transaction: the vault's
/// data keys are re-wrapped, every TOTP secret is re-sealed, and the key record names the new key.
/// Values sealed by data keys are untouched.
enum KeyRotation {
    struct Outcome: Sendable { let dataKeys: Int; let secrets: Int }

    static func rotate(app: Application, to newKey: MasterKey) async throws -> Outcome {
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
            let users = try await StaffUser.query(on: db).filter(\.$totpSecretSealed != nil).all()
            for user in users {
                guard let sealed = user.totpSecretSealed else { continue }
                user.totpSecretSealed = try rotated.seal(try keyring.open(sealed, purpose: "totp"), purpose: "totp")
                try await user.update(on: db)
            }
            try await AuditChainKey.reseal(on: db, from: keyring, to: rotated)
            let records = KeyRecords(db: db)
            _ = try await records.claim(KeyRecords.master, value: newKey.id)
            try await records.replace(KeyRecords.master, value: newKey.id)
            try await AuditLog.append(on: db, actor: .system("cli:keys-rotate"), action: "vault.rotate",
                                      recordType: "vaultKey", recordID: nil)
            return Outcome(dataKeys: rows.count, secrets: users.count)
        }
    }
}
