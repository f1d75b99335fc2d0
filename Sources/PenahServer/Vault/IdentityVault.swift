import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import PenahDomain
import Vapor

/// Seals identity (names, FIN, document numbers, addresses, phones, uploaded files) with AES-GCM
/// under data keys, and computes blind indexes (HMAC-SHA-256 of the normalised value) for exact
/// look-ups. Without the master key the database holds only ciphertext and HMACs.
///
/// Sealed form: `v1.<data key id>.<base64(nonce ‖ ciphertext ‖ tag)>`; the field name is bound as
/// associated data, so a sealed FIN cannot be passed off as a sealed name.
struct IdentityVault: Sendable {
    let db: any Database
    let keyring: MasterKeyring
    let cache: VaultKeyCache

    enum VaultError: Error { case malformed, unknownKey, cannotUnwrap }

    func seal(_ plaintext: Data, field: String) async throws -> String {
        let (id, key) = try await currentKey(purpose: "data")
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(field.utf8))
        return "v1.\(id.uuidString).\(box.combined!.base64EncodedString())"
    }

    func seal(_ text: String, field: String) async throws -> String {
        try await seal(Data(text.precomposedStringWithCanonicalMapping.utf8), field: field)
    }

    func open(_ sealed: String, field: String) async throws -> Data {
        let parts = sealed.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "v1", let id = UUID(uuidString: String(parts[1])),
              let combined = Data(base64Encoded: String(parts[2])) else { throw VaultError.malformed }
        let key = try await dataKey(id: id)
        return try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key, authenticating: Data(field.utf8))
    }

    func openText(_ sealed: String, field: String) async throws -> String {
        String(decoding: try await open(sealed, field: field), as: UTF8.self)
    }

    /// The blind index of a value already normalised by the caller (FIN upper-case, phone E.164,
    /// name words as `AzText.searchKey`). Keyed per field: equal FIN and phone strings do not collide.
    func blindIndex(_ normalised: String, field: String) async throws -> String {
        let (_, key) = try await currentKey(purpose: "index")
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(field)\u{1F}\(normalised)".utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    // MARK: keys

    private func currentKey(purpose: String) async throws -> (UUID, SymmetricKey) {
        if let cached = cache.current(purpose) { return cached }
        let row: VaultKey
        if let existing = try await VaultKey.query(on: db).filter(\.$purpose == purpose).sort(\.$createdAt, .descending).first() {
            row = existing
        } else {
            row = VaultKey()
            row.id = UUID()
            row.purpose = purpose
            let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            row.wrapped = try keyring.wrap(fresh)
            row.masterKeyID = keyring.current.id
            row.createdAt = Date()
            try await row.create(on: db)
        }
        let bytes = try keyring.unwrap(row.wrapped, masterKeyID: row.masterKeyID)
        cache.store(row.id!, bytes: bytes, currentFor: purpose)
        return (row.id!, SymmetricKey(data: bytes))
    }

    private func dataKey(id: UUID) async throws -> SymmetricKey {
        if let cached = cache.key(id) { return cached }
        guard let row = try await VaultKey.find(id, on: db) else { throw VaultError.unknownKey }
        let bytes = try keyring.unwrap(row.wrapped, masterKeyID: row.masterKeyID)
        cache.store(id, bytes: bytes, currentFor: nil)
        return SymmetricKey(data: bytes)
    }

}

/// The current master key and, during a rotation, the previous one.
struct MasterKeyring: Sendable {
    let current: MasterKey
    let previous: MasterKey?

    func wrap(_ key: Data) throws -> String {
        try AES.GCM.seal(key, using: current.key, authenticating: Data("vault-key".utf8)).combined!.base64EncodedString()
    }

    func unwrap(_ wrapped: String, masterKeyID: String) throws -> Data {
        guard let master = [current, previous].compactMap({ $0 }).first(where: { $0.id == masterKeyID }) else {
            throw IdentityVault.VaultError.cannotUnwrap
        }
        guard let combined = Data(base64Encoded: wrapped) else { throw IdentityVault.VaultError.malformed }
        return try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: master.key, authenticating: Data("vault-key".utf8))
    }
}

/// Unwrapped data keys, kept in memory so sealing costs no database read or unwrap. A lock rather
/// than an actor: the critical sections are dictionary reads, and sealing is on every request path.
final class VaultKeyCache: Sendable {
    private struct State { var keys: [UUID: Data] = [:]; var currentIDs: [String: UUID] = [:] }
    private let state = NIOLockedValueBox(State())

    func current(_ purpose: String) -> (UUID, SymmetricKey)? {
        state.withLockedValue { state -> (UUID, Data)? in
            guard let id = state.currentIDs[purpose], let bytes = state.keys[id] else { return nil }
            return (id, bytes)
        }.map { ($0.0, SymmetricKey(data: $0.1)) }
    }

    func key(_ id: UUID) -> SymmetricKey? {
        state.withLockedValue { $0.keys[id] }.map { SymmetricKey(data: $0) }
    }

    func store(_ id: UUID, bytes: Data, currentFor purpose: String?) {
        state.withLockedValue { state in
            state.keys[id] = bytes
            if let purpose { state.currentIDs[purpose] = id }
        }
    }

    func clear() { state.withLockedValue { $0 = State() } }
}

struct VaultCacheKey: StorageKey { typealias Value = VaultKeyCache }
struct KeyringKey: StorageKey { typealias Value = MasterKeyring }

extension Application {
    var keyring: MasterKeyring { storage[KeyringKey.self]! }
    func vault(on db: (any Database)? = nil) -> IdentityVault {
        IdentityVault(db: db ?? self.db, keyring: keyring, cache: storage[VaultCacheKey.self]!)
    }
}

extension Request {
    var vault: IdentityVault { application.vault(on: db) }
}
