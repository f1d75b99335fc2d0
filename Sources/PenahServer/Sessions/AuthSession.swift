import Fluent
import Foundation

/// A signed-in browser session or an API token. Only the SHA-256 of the secret is stored, so a
/// database read does not hand out live credentials.
final class AuthSession: Model, @unchecked Sendable {
    static let schema = "auth_sessions"

    enum Kind: String, Codable { case web, api }

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "kind") var kind: Kind
    @Parent(key: "user_id") var user: StaffUser
    @OptionalField(key: "csrf_token") var csrfToken: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?

    init() {}

}

/// Failed sign-in counts per key (account, address, or the pair), for throttling.
final class LoginThrottleEntry: Model, @unchecked Sendable {
    static let schema = "login_throttle"
    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "failures") var failures: Int
    @Field(key: "last_failure_ms") var lastFailureMs: Int64
    init() {}
}
