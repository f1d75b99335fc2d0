import Fluent
import Foundation

/// A data key of the identity vault, stored only wrapped (AES-GCM) under a master key. `purpose` is
/// `data` (sealing values) or `index` (blind indexes). Values name the data key that sealed them, so
/// rotating the master key re-wraps these rows and never touches the values.
final class VaultKey: Model, @unchecked Sendable {
    static let schema = "vault_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "purpose") var purpose: String
    @Field(key: "wrapped") var wrapped: String
    @Field(key: "master_key_id") var masterKeyID: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
