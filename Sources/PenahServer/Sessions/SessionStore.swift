import Crypto
import Fluent
import Foundation
import Vapor

/// Creates, finds and ends sessions and tokens.
struct SessionStore {
    let db: any Database

    static let idleTimeout: TimeInterval = 30 * 60
    static let absoluteTimeout: TimeInterval = 12 * 3600
    /// An enrolled kiosk's session.
    static let deviceLifetime: TimeInterval = 180 * 86_400
    static let serviceTokenLifetime: TimeInterval = 365 * 24 * 3600
    /// `last_seen_at` is written at most this often, so reading a page is not always a write.
    static let touchInterval: TimeInterval = 60

    static func randomToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    /// Returns the new session and its secret (which only the client keeps).
    func create(for user: StaffUser, kind: AuthSession.Kind, now: Date = Date()) async throws -> (AuthSession, String) {
        let token = Self.randomToken()
        let session = AuthSession()
        session.tokenHash = Self.hash(token)
        session.kind = kind
        session.$user.id = try user.requireID()
        session.csrfToken = kind == .web ? Self.randomToken() : nil
        session.createdAt = now
        session.lastSeenAt = now
        session.expiresAt = now.addingTimeInterval(user.isService ? Self.serviceTokenLifetime
                                                   : user.role.isDeviceRole ? Self.deviceLifetime : Self.absoluteTimeout)
        try await session.create(on: db)
        return (session, token)
    }

    /// The live session for a secret, with its user, or nil when unknown, ended, expired or idle.
    /// `touching: false` for a request the person did not make (the page's live notifications), so
    /// an open page alone never keeps a session from its idle timeout.
    func find(token: String, kind: AuthSession.Kind, touching: Bool = true, now: Date = Date()) async throws -> AuthSession? {
        guard !token.isEmpty, token.count <= 128 else { return nil }
        guard let session = try await AuthSession.query(on: db).filter(\.$tokenHash == Self.hash(token))
            .filter(\.$kind == kind).filter(\.$endedAt == nil)
            .with(\.$user, { $0.with(\.$unit) }).first() else { return nil }
        // A device (the kiosk) stands unattended by design: no idle timeout, a long life, revoked by disabling it.
        let idle = kind == .web && !session.user.role.isDeviceRole && now.timeIntervalSince(session.lastSeenAt) > Self.idleTimeout
        guard session.expiresAt > now, !idle, session.user.active else { return nil }
        if touching, now.timeIntervalSince(session.lastSeenAt) > Self.touchInterval {
            session.lastSeenAt = now
            try await session.update(on: db)
        }
        return session
    }

    /// A browser session that ran out (idle, or past its lifetime) within the last twelve hours and
    /// was not signed out of, of an active member of staff: whose unsent form may be kept
    /// (`ParkedFormPages`). Never a device's or a service's.
    func findLapsed(token: String, now: Date = Date()) async throws -> AuthSession? {
        guard !token.isEmpty, token.count <= 128 else { return nil }
        guard let session = try await AuthSession.query(on: db).filter(\.$tokenHash == Self.hash(token))
            .filter(\.$kind == .web).filter(\.$endedAt == nil)
            .with(\.$user, { $0.with(\.$unit) }).first() else { return nil }
        let user = session.user
        let lapsed = session.expiresAt <= now || now.timeIntervalSince(session.lastSeenAt) > Self.idleTimeout
        guard lapsed, now.timeIntervalSince(session.lastSeenAt) < Self.absoluteTimeout, user.active, !user.isService,
              !user.role.isDeviceRole else { return nil }
        return session
    }

    func end(_ session: AuthSession, now: Date = Date()) async throws {
        session.endedAt = now
        try await session.update(on: db)
    }

    /// Ends every live session and token of a user (logout everywhere, disabling, role change).
    func endAll(userID: UUID, now: Date = Date()) async throws {
        try await AuthSession.query(on: db).filter(\.$user.$id == userID).filter(\.$endedAt == nil)
            .set(\.$endedAt, to: now).update()
    }
}
