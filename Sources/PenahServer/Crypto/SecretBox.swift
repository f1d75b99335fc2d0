import Crypto
import Foundation

/// Seals small secrets (a TOTP secret) with AES-GCM under a key derived from the master key for that
/// purpose. Output: `<key id>:<base64 nonce+ciphertext+tag>`, so a rotated master key can be told apart.
struct SecretBox {
    let masterKey: MasterKey
    let purpose: String

    private var key: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey.key, info: Data("penah:\(purpose)".utf8), outputByteCount: 32)
    }

    func seal(_ plaintext: Data) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(purpose.utf8))
        return masterKey.id + ":" + box.combined!.base64EncodedString()
    }

    func open(_ sealed: String) throws -> Data {
        let parts = sealed.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let combined = Data(base64Encoded: String(parts[1])) else { throw SecretBoxError.malformed }
        return try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key, authenticating: Data(purpose.utf8))
    }

    enum SecretBoxError: Error { case malformed }
}
