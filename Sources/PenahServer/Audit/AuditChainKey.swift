import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The key of the audit chain's HMACs. Without it nobody can recompute a chain, so editing an
/// event and rehashing everything after it, or rolling the head back, is detected. It is random,
/// stored only sealed by the master keyring (key record `audit.key`), and re-sealed by a rotation.
///
/// Carried by the database configuration (as the write combiner is), so `AuditLog`, which sees
/// only a `Database`, finds it. It is created at start (`prepare`), never inside a transaction that
/// could roll it back, and read on first use by a node that did not create it.
final class AuditChainKey: Sendable {
    static let record = "audit.key"
    static let purpose = "audit-chain"

    private let keyring = NIOLockedValueBox<MasterKeyring?>(nil)
    private let bytes = NIOLockedValueBox<Data?>(nil)

    struct NotPrepared: Error {}

    func use(_ ring: MasterKeyring) { keyring.withLockedValue { $0 = ring } }

    /// Creates the key if this database has none yet (the first writer of the record wins).
    func prepare(on db: any Database) async throws {
        guard let ring = keyring.withLockedValue({ $0 }) else { throw NotPrepared() }
        let fresh = try ring.seal(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }, purpose: Self.purpose)
        let standing = try await KeyRecords(db: db).claim(Self.record, value: fresh)
        bytes.withLockedValue { $0 = nil }
        _ = try open(standing, ring)
    }

    func key(on db: any Database) async throws -> SymmetricKey {
        if let known = bytes.withLockedValue({ $0 }) { return SymmetricKey(data: known) }
        guard let ring = keyring.withLockedValue({ $0 }),
              let sealed = try await KeyRecords(db: db).value(Self.record) else { throw NotPrepared() }
        return SymmetricKey(data: try open(sealed, ring))
    }

    private func open(_ sealed: String, _ ring: MasterKeyring) throws -> Data {
        let data = try ring.open(sealed, purpose: Self.purpose)
        bytes.withLockedValue { $0 = data }
        return data
    }

    /// A rotation re-seals the key under the new master key, in the rotation's transaction.
    static func reseal(on db: any Database, from old: MasterKeyring, to new: MasterKeyring) async throws {
        let records = KeyRecords(db: db)
        guard let sealed = try await records.value(record) else { return }
        try await records.replace(record, value: try new.seal(try old.open(sealed, purpose: purpose), purpose: purpose))
    }
}

extension Database {
    /// The audit chain key of this database (see `AuditChainKey`).
    var auditChainKey: AuditChainKey? { (context.configuration as? CombinedWrites)?.auditKey }
}
