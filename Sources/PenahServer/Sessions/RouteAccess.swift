import PenahDomain
import Vapor

/// What a route requires. Every route states it; the access middleware refuses routes that do not
/// (fail closed), and a test walks all routes to find any that forgot.
enum RouteAccess: Sendable, Equatable {
    case `public`
    case action(Action)
}

extension Route {
    static let accessKey = "penah.access"

    @discardableResult
    func access(_ access: RouteAccess) -> Route {
        userInfo[Route.accessKey] = access
        return self
    }

    var declaredAccess: RouteAccess? { userInfo[Route.accessKey] as? RouteAccess }
}

/// The signed-in member of staff on this request.
struct StaffContext: Sendable {
    let userID: UUID
    let username: String
    let displayName: String
    let role: Role
    let unitCode: String
    let unitName: String
    let session: AuthSessionRef

    var auditActor: (RequestFacts) -> AuditActor {
        { facts in AuditActor(userID: userID, role: role.rawValue, unitCode: unitCode,
                              requestID: facts.requestID, address: facts.address) }
    }
}

/// The fields of a session the request needs later (logout, CSRF).
struct AuthSessionRef: Sendable {
    let id: UUID
    let kind: AuthSession.Kind
    let csrfToken: String?
}

extension Request {
    private struct StaffKey: StorageKey { typealias Value = StaffContext }

    var staff: StaffContext? {
        get { storage[StaffKey.self] }
        set { storage[StaffKey.self] = newValue }
    }

    func requireStaff() throws -> StaffContext {
        guard let staff else { throw Abort(.unauthorized) }
        return staff
    }

    var auditActor: AuditActor {
        if let staff { return staff.auditActor(facts) }
        return AuditActor(userID: nil, role: "anonymous", unitCode: "-", requestID: safeID,
                          address: remoteAddress?.ipAddress ?? "unknown")
    }
}
