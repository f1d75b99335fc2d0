import Fluent
import Foundation
import PenahDomain
import Vapor

/// A form a member of staff sent (or was typing) when the session ran out, kept so that half an
/// interview is not lost to the idle timeout. Only the same person gets it back, after signing in
/// again, within `ParkedForms.lifetime`; the fields are sealed with the identity vault (they are
/// interview notes and names), and the row is gone once sent or discarded.
final class ParkedForm: Model, @unchecked Sendable {
    static let schema = "parked_forms"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    /// The page path the form was sent to, e.g. `/cases/<id>/assessment`.
    @Field(key: "action") var action: String
    /// The fields (name, value) in their order, as JSON, sealed.
    @Field(key: "fields_sealed") var fieldsSealed: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// Keeps and gives back parked forms.
struct ParkedForms {
    let db: any Database
    let vault: IdentityVault

    static let lifetime: TimeInterval = 30 * 60
    /// A person rarely has more than one form open; more than this is not a lost interview.
    static let maxPerUser = 5
    static let maxBodyBytes = 256 * 1024
    private static let sealField = "session.parkedForm"

    struct Fields: Codable { let pairs: [[String]] }

    /// Keeps the fields (the CSRF token is dropped: it belonged to the session that ended).
    func park(userID: UUID, action: String, pairs: [(String, String)], actor: AuditActor, now: Date = Date()) async throws {
        let kept = pairs.filter { $0.0 != CSRF.field }.map { [$0.0, $0.1] }
        let sealed = try await vault.seal(try JSONEncoder().encode(Fields(pairs: kept)), field: Self.sealField)
        try await db.writeTransaction { db in
            try await ParkedForm.query(on: db).filter(\.$expiresAt < now).delete()
            let existing = try await ParkedForm.query(on: db).filter(\.$userID == userID).sort(\.$createdAt).all()
            for old in existing.dropLast(Self.maxPerUser - 1) { try await old.delete(on: db) }
            let form = ParkedForm()
            form.userID = userID
            form.action = action
            form.fieldsSealed = sealed
            form.createdAt = now
            form.expiresAt = now.addingTimeInterval(Self.lifetime)
            try await form.create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "session.formParked", recordType: "staffUser",
                                      recordID: userID.uuidString)
        }
    }

    /// This person's forms still within their lifetime, oldest first.
    func pending(userID: UUID, now: Date = Date()) async throws -> [ParkedForm] {
        try await ParkedForm.query(on: db).filter(\.$userID == userID).filter(\.$expiresAt > now).sort(\.$createdAt).all()
    }

    /// One of this person's forms with its fields opened, or nil (someone else's, expired, gone).
    func open(_ id: UUID?, userID: UUID, now: Date = Date()) async throws -> (ParkedForm, [(String, String)])? {
        guard let id, let form = try await ParkedForm.find(id, on: db), form.userID == userID, form.expiresAt > now else { return nil }
        let data = try await vault.open(form.fieldsSealed, field: Self.sealField)
        let fields = try JSONDecoder().decode(Fields.self, from: data).pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
        return (form, fields)
    }

    /// Removes a form once it has been sent again or discarded; true when this call removed it.
    func remove(_ form: ParkedForm, actor: AuditActor, outcome: String) async throws -> Bool {
        try await db.writeTransaction { db in
            guard let id = form.id, try await ParkedForm.find(id, on: db) != nil else { return false }
            try await ParkedForm.query(on: db).filter(\.$id == id).delete()
            try await AuditLog.append(on: db, actor: actor, action: "session.formResumed", recordType: "staffUser",
                                      recordID: form.userID.uuidString, outcome: outcome)
            return true
        }
    }

    /// Whether a path may be kept and sent again: one of Penah's own staff page forms, never the
    /// API, a sign-in or session route, or a path from somewhere else.
    static func isResumable(_ action: String) -> Bool {
        guard action.hasPrefix("/"), !action.hasPrefix("//"), action.count <= 200, !action.contains(".."),
              !action.contains("?"), !action.contains("#"), !action.contains("\\") else { return false }
        return !["/api/", "/session/", "/login", "/logout", "/device/", "/enrol"].contains { action.hasPrefix($0) }
    }
}

/// The fields of an `application/x-www-form-urlencoded` body in their order, repeats kept
/// (checkbox groups send one name many times).
enum FormFields {
    static func pairs(_ body: ByteBuffer) -> [(String, String)] {
        String(buffer: body).split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let name = parts.first, !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? parts[1] : "")
        }
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        // ASCII only: `CharacterSet.alphanumerics` would let "ə" through unescaped.
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        func escape(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }
}
