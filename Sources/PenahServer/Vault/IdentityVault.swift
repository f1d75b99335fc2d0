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

    enum VaultError: Error { case malformed, unknownKey }

    func seal(_ plaintext: Data, field: String) async throws -> String {
        let key = try await currentKey(purpose: "data")
        let box = try AES.GCM.seal(plaintext, using: key.key, authenticating: Data(field.utf8))
        return key.sealedPrefix + box.combined!.base64EncodedString()
    }

    func seal(_ text: String, field: String) async throws -> String {
        try await seal(Data(AzText.nfc(text).utf8), field: field)
    }

    func open(_ sealed: String, field: String) async throws -> Data {
        let parts = sealed.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "v1", let id = UUID(uuidString: String(parts[1])),
              let combined = Data(base64Encoded: String(parts[2])) else { throw VaultError.malformed }
        let key = try await dataKey(id: id)
        return try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key.key, authenticating: Data(field.utf8))
    }

    func openText(_ sealed: String, field: String) async throws -> String {
        String(decoding: try await open(sealed, field: field), as: UTF8.self)
    }

    /// The blind index of a value already normalised by the caller (FIN upper-case, phone E.164,
    /// name words as `AzText.searchKey`). Keyed per field: equal FIN and phone strings do not collide.
    func blindIndex(_ normalised: String, field: String) async throws -> String {
        var mac = try await currentKey(purpose: "index").hmac
        mac.update(data: Data(field.utf8))
        mac.update(data: [0x1F])
        mac.update(data: Data(normalised.utf8))
        return Data(mac.finalize()).base64EncodedString()
    }

    // MARK: keys

    /// Reads go through the enclosing transaction's connection when there is one: on SQLite each
    /// event loop's pool holds one connection, and asking the pool for a second one from inside a
    /// transaction on it waits for ever.
    private var reader: any Database { WriteCombiner.currentBatch?.connection ?? db }

    /// Makes sure both current keys exist, so no key is ever created inside someone's transaction
    /// (a key created there and rolled back would leave values sealed under a key that is gone).
    /// `serve` and every command call this at start.
    func prepareKeys() async throws {
        for purpose in ["data", "index"] { _ = try await currentKey(purpose: purpose) }
    }

    private func currentKey(purpose: String) async throws -> VaultKeyCache.Ready {
        if let cached = cache.current(purpose) { return cached }
        let records = KeyRecords(db: reader), name = KeyRecords.vault(purpose)
        let row: VaultKey
        if let id = try await records.value(name).flatMap(UUID.init(uuidString:)), let found = try await VaultKey.find(id, on: reader) {
            row = found
        } else {
            let fresh = VaultKey()
            fresh.id = UUID()
            fresh.purpose = purpose
            fresh.wrapped = try keyring.wrap(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
            fresh.masterKeyID = keyring.current.id
            fresh.createdAt = Date()
            try await fresh.create(on: reader)
            // Two nodes creating the first key at once: the key record decides, the loser's key goes.
            let standing = try await records.claim(name, value: fresh.id!.uuidString)
            if standing == fresh.id!.uuidString {
                row = fresh
            } else {
                try await fresh.delete(on: reader)
                guard let winnerID = UUID(uuidString: standing), let winner = try await VaultKey.find(winnerID, on: reader)
                else { throw VaultError.unknownKey }
                row = winner
            }
        }
        let bytes = try keyring.unwrap(row.wrapped, masterKeyID: row.masterKeyID)
        return cache.store(row.id!, bytes: bytes, currentFor: purpose)
    }

    private func dataKey(id: UUID) async throws -> VaultKeyCache.Ready {
        if let cached = cache.key(id) { return cached }
        guard let row = try await VaultKey.find(id, on: reader) else { throw VaultError.unknownKey }
        let bytes = try keyring.unwrap(row.wrapped, masterKeyID: row.masterKeyID)
        return cache.store(id, bytes: bytes, currentFor: nil)
    }

}

/// Unwrapped data keys, kept in memory so sealing costs no database read or unwrap. A lock rather
/// than an actor: the critical sections are dictionary reads, and sealing is on every request path.
final class VaultKeyCache: Sendable {
    /// A key as sealing and indexing use it, prepared once: building the key, the sealed form's
    /// prefix and the HMAC's padded key states cost more than sealing a name.
    struct Ready: @unchecked Sendable {
        // Unchecked: `SymmetricKey` and `HMAC` are immutable value types here (the HMAC is only
        // ever copied, then updated), but this swift-crypto does not mark them `Sendable`.
        let id: UUID
        let key: SymmetricKey
        /// `v1.<key id>.` — see `IdentityVault`.
        let sealedPrefix: String
        /// Keyed and ready; copy it, then add the message.
        let hmac: HMAC<SHA256>

        init(id: UUID, bytes: Data) {
            self.id = id
            key = SymmetricKey(data: bytes)
            sealedPrefix = "v1.\(id.uuidString)."
            hmac = HMAC<SHA256>(key: key)
        }
    }

    private struct State { var keys: [UUID: Ready] = [:]; var currentIDs: [String: UUID] = [:] }
    private let state = NIOLockedValueBox(State())

    func current(_ purpose: String) -> Ready? {
        state.withLockedValue { state in state.currentIDs[purpose].flatMap { state.keys[$0] } }
    }

    func key(_ id: UUID) -> Ready? { state.withLockedValue { $0.keys[id] } }

    func store(_ id: UUID, bytes: Data, currentFor purpose: String?) -> Ready {
        let ready = Ready(id: id, bytes: bytes)
        state.withLockedValue { state in
            state.keys[id] = ready
            if let purpose { state.currentIDs[purpose] = id }
        }
        return ready
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

