import Crypto
import Fluent
import Foundation

/// A fresh TOTP secret (sealed with the master key) and ten single-use recovery codes (stored as
/// SHA-256). Made in memory first, then stored inside the caller's transaction.
struct SecondFactor {
    let secret: Data
    let recoveryCodes: [String]

    static func generate() -> SecondFactor {
        SecondFactor(secret: SymmetricKey(size: .init(bitCount: 160)).withUnsafeBytes { Data($0) },
                     recoveryCodes: (0..<10).map { _ in recoveryCode() })
    }

    /// `xxxxx-xxxxx` from an alphabet without look-alikes.
    static func recoveryCode() -> String {
        let alphabet = Array("23456789abcdefghjkmnpqrstuvwxyz")
        let chars = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] }
        return String(chars[0..<5]) + "-" + String(chars[5..<10])
    }

    func sealedSecret(_ keyring: MasterKeyring) throws -> String {
        try keyring.seal(secret, purpose: "totp")
    }

    func provisioningURI(username: String) -> String {
        TOTP.provisioningURI(secret: secret, username: username)
    }

    /// Replaces the user's recovery codes with these. Call inside the transaction that saves the user.
    func storeRecoveryCodes(for userID: UUID, on db: any Database) async throws {
        try await RecoveryCode.query(on: db).filter(\.$user.$id == userID).delete()
        for code in recoveryCodes {
            let row = RecoveryCode()
            row.$user.id = userID
            row.codeHash = SessionStore.hash(code)
            try await row.create(on: db)
        }
    }
}
