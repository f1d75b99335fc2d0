import Fluent
import Foundation
import PenahDomain

/// A member of staff or a service account. Passwords are bcrypt hashes; the TOTP secret is sealed
/// with the master key. Service accounts have neither: they use API tokens only.
final class StaffUser: Model, @unchecked Sendable {
    static let schema = "staff_users"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "role") var role: Role
    @Parent(key: "unit_id") var unit: Unit
    @OptionalField(key: "password_hash") var passwordHash: String?
    @OptionalField(key: "totp_secret_sealed") var totpSecretSealed: String?
    /// The last TOTP time step accepted: a code is usable once.
    @Field(key: "totp_last_step") var totpLastStep: Int64
    @Field(key: "is_service") var isService: Bool
    @Field(key: "active") var active: Bool
    /// Set when the person has chosen a password and confirmed a TOTP code; nil while an admin-made
    /// account waits for its owner, or after an admin reset the second factor.
    @OptionalField(key: "enrolled_at") var enrolledAt: Date?
    /// SHA-256 of the one-time enrolment code an admin hands over in person.
    @OptionalField(key: "enrolment_code_hash") var enrolmentCodeHash: String?
    @OptionalField(key: "enrolment_expires_at") var enrolmentExpiresAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

}

/// Ten single-use recovery codes per user, stored as SHA-256 hashes.
final class RecoveryCode: Model, @unchecked Sendable {
    static let schema = "staff_recovery_codes"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: StaffUser
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?
    init() {}
}
