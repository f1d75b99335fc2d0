import Crypto
import Foundation

/// The one keyring for everything sealed under the master key: the vault's data keys (wrapped)
/// and small secrets such as TOTP seeds (sealed under a key derived for their purpose). Each sealed
/// value names the master key it was sealed under, and is opened by that id: the current key, or
/// during a rotation the previous one. A value under any other key is `KeyringError.unknownKey`,
/// never a quiet failure, so a missing previous key cannot pass for a wrong password.
struct MasterKeyring: Sendable {
    let current: MasterKey
    let previous: MasterKey?

    enum KeyringError: Error, CustomStringConvertible {
        case unknownKey(String)
        case malformed

        var description: String {
            switch self {
            case .unknownKey(let id): "sealed under master key \(id), which is neither PENAH_MASTER_KEY nor PENAH_PREVIOUS_MASTER_KEY"
            case .malformed: "sealed value is malformed"
            }
        }
    }

    var ids: Set<String> { Set([current.id] + (previous.map { [$0.id] } ?? [])) }

    func key(id: String) throws -> MasterKey {
        guard let key = [current, previous].compactMap({ $0 }).first(where: { $0.id == id }) else { throw KeyringError.unknownKey(id) }
        return key
    }

    // MARK: vault data keys

    func wrap(_ key: Data) throws -> String {
        try AES.GCM.seal(key, using: current.key, authenticating: Data("vault-key".utf8)).combined!.base64EncodedString()
    }

    func unwrap(_ wrapped: String, masterKeyID: String) throws -> Data {
        let master = try key(id: masterKeyID)
        guard let combined = Data(base64Encoded: wrapped) else { throw KeyringError.malformed }
        return try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: master.key, authenticating: Data("vault-key".utf8))
    }

    // MARK: small secrets

    /// `<master key id>:<base64 nonce ‖ ciphertext ‖ tag>`, under a key derived for `purpose`.
    func seal(_ plaintext: Data, purpose: String) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: Self.derived(current, purpose), authenticating: Data(purpose.utf8))
        return current.id + ":" + box.combined!.base64EncodedString()
    }

    func open(_ sealed: String, purpose: String) throws -> Data {
        let parts = sealed.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let combined = Data(base64Encoded: String(parts[1])) else { throw KeyringError.malformed }
        let master = try key(id: String(parts[0]))
        return try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: Self.derived(master, purpose), authenticating: Data(purpose.utf8))
    }

    /// The id a sealed secret names, without opening it.
    static func keyID(ofSealed sealed: String) -> String? {
        sealed.split(separator: ":", maxSplits: 1).first.map(String.init)
    }

    private static func derived(_ master: MasterKey, _ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master.key, info: Data("penah:\(purpose)".utf8), outputByteCount: 32)
    }
}
