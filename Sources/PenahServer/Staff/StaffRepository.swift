import Fluent
import Foundation
import SQLKit

/// The staff tables' conditional updates: each consumes a second factor at most once, however many
/// sign-ins race for it, because the database checks and writes in one statement.
struct StaffRepository {
    let db: any Database
    private var sql: any SQLDatabase { db as! any SQLDatabase }

    /// Records `step` as the user's last TOTP step if it is later than the one stored; false when
    /// another sign-in used this step (or a later one) first. Raw for `UPDATE … RETURNING`.
    func consumeTOTPStep(_ step: Int64, userID: UUID) async throws -> Bool {
        try await sql.raw("""
            UPDATE staff_users SET totp_last_step = \(bind: step) WHERE id = \(bind: userID) AND totp_last_step < \(bind: step) RETURNING id
            """).all().count == 1
    }

    /// Marks the user's unused recovery code with this hash used; false when there is none.
    func consumeRecoveryCode(hash: String, userID: UUID, at date: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE staff_recovery_codes SET used_at = \(bind: date) WHERE user_id = \(bind: userID) AND code_hash = \(bind: hash) AND used_at IS NULL RETURNING id
            """).all().count == 1
    }
}
