import Fluent
import Foundation
import PenahDomain
import Vapor

/// Kiosks are device accounts: an administrator creates one for a unit (`penah device create`),
/// which gives a one-time code; typed once at `/device/enrol` on the kiosk itself, it gives that
/// browser a device session that can issue the unit's tickets and nothing else. Disabling the
/// account (`penah device revoke`, or the admin's user page) ends it.
struct DeviceEnrolment {
    let db: any Database

    /// Consumes the code and opens the device's session; nil for a wrong, used or expired code.
    func enrol(code raw: String, actor: AuditActor, now: Date = Date()) async throws -> (StaffUser, String)? {
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard !code.isEmpty, code.count <= 64 else { return nil }
        return try await db.writeTransaction { db in
            guard let device = try await StaffUser.query(on: db).filter(\.$enrolmentCodeHash == SessionStore.hash(code)).with(\.$unit).first(),
                  device.role.isDeviceRole, device.active, let expires = device.enrolmentExpiresAt, expires > now
            else { return nil }
            try await RowLock.hold(StaffUser.schema, id: try device.requireID(), on: db)
            let store = SessionStore(db: db)
            // One browser per device: enrolling again ends the session of the one before.
            try await store.endAll(userID: device.requireID())
            device.enrolmentCodeHash = nil
            device.enrolmentExpiresAt = nil
            device.enrolledAt = now
            try await device.update(on: db)
            let (_, token) = try await store.create(for: device, kind: .web, now: now)
            try await AuditLog.append(on: db, actor: actor, action: "device.enrol", recordType: "staffUser", recordID: device.id?.uuidString)
            return (device, token)
        }
    }
}

/// `/device/enrol`: the form the kiosk's browser is enrolled through.
struct DeviceEnrolmentPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.deviceEnrol, use: form).access(.public)
        routes.post(.deviceEnrol, use: submit).access(.public)
    }

    struct Context: Encodable {
        var page: PageFrame
        var errorKey: String?
    }

    @Sendable func form(_ req: Request) async throws -> Response {
        try await render(req, errorKey: nil, status: .ok)
    }

    @Sendable func submit(_ req: Request) async throws -> Response {
        let address = req.remoteAddress?.ipAddress ?? "unknown"
        // Guessing codes is slowed like signing in.
        if let wait = try await LoginThrottle(db: req.db).admit(username: "device-enrolment", address: address) {
            let response = try await render(req, errorKey: "error.throttled", status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(wait))
            return response
        }
        guard let (device, token) = try await DeviceEnrolment(db: req.db).enrol(code: req.formValue("code", limit: 65) ?? "", actor: req.auditActor) else {
            return try await render(req, errorKey: "device.enrol.invalid", status: .unprocessableEntity)
        }
        let response = req.redirect(to: SitePath.kiosk(device.unit.code), redirectType: .normal)
        response.cookies[Authenticator.sessionCookie] = HTTPCookies.Value(
            string: token, expires: Date().addingTimeInterval(SessionStore.deviceLifetime), path: "/",
            isSecure: req.application.secureCookies, isHTTPOnly: true, sameSite: .strict)
        response.cookies[CSRF.preSessionCookie] = .cleared
        return response
    }

    private func render(_ req: Request, errorKey: String?, status: HTTPStatus) async throws -> Response {
        var page = PageFrame(req, titleKey: "device.enrol.title", isPublic: false)
        page.isDevice = true
        let csrf = CSRF.token(for: req)
        page.csrfToken = csrf.token
        let response = try await req.view.render("device-enrol", Context(page: page, errorKey: errorKey)).encodeResponse(status: status, for: req)
        if let cookie = csrf.cookie { response.cookies[CSRF.preSessionCookie] = cookie }
        return response
    }
}
