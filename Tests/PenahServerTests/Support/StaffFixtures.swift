import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

/// A member of staff made for a test, with what is needed to sign in.
struct TestStaff {
    let user: StaffUser
    let username: String
    let password: String
    let totpSecret: Data
    let recoveryCodes: [String]

    func currentCode(offsetSteps: Int64 = 0) -> String {
        TOTP.code(secret: totpSecret, step: TOTP.step(at: Date()) + offsetSteps)
    }
}

extension Application {
    /// The demo organisation (HQ, centres, SXA, shelters) for tests that need units.
    func seedUnits() async throws {
        _ = try await DemoSeeder(db: db).seedUnits()
    }

    func makeStaff(_ role: Role, unit: String? = nil, username: String? = nil) async throws -> TestStaff {
        let unitCode = unit ?? Self.defaultUnit(for: role)
        if try await UnitService(db: db).find(code: unitCode) == nil { try await seedUnits() }
        let name = username ?? "\(role.rawValue.lowercased()).\(UUID().uuidString.prefix(6).lowercased())"
        let password = "tea kettle \(UUID().uuidString)"
        let enrolment = try await StaffService(db: db, keyring: keyring).createStaff(
            username: name, displayName: "Test \(role.rawValue)", role: role, unitCode: unitCode,
            password: password, hasher: bcrypt, actor: .system("test"))
        let secret = URLComponents(string: enrolment.provisioningURI)!.queryItems!.first { $0.name == "secret" }!.value!
        return TestStaff(user: enrolment.user, username: name, password: password,
                         totpSecret: Base32.decode(secret)!, recoveryCodes: enrolment.recoveryCodes)
    }

    static func defaultUnit(for role: Role) -> String {
        switch role {
        case .sxaOfficer: "SXA"
        case .shelterStaff: "SHELTER-SXA-1"
        case .auditor, .admin, .lawEnforcementGateway: "HQ"
        default: "BAKU-1"
        }
    }

    /// An API token for the user, made directly (no sign-in round trip).
    func token(for staff: TestStaff) async throws -> String {
        try await SessionStore(db: db).create(for: staff.user, kind: .api).1
    }

    /// A browser session for the user: the cookie value and its CSRF token.
    func webSession(for staff: TestStaff) async throws -> (cookie: String, csrf: String) {
        let (session, token) = try await SessionStore(db: db).create(for: staff.user, kind: .web)
        return (token, session.csrfToken!)
    }
}

extension Application {
    /// Loads the sign-in form and returns the pre-session cookie and its CSRF token.
    func openSignInForm(headers: HTTPHeaders = [:]) async throws -> (cookie: String, csrf: String) {
        let form = try await send(.GET, "/login", headers: headers)
        #expect(form.status == .ok)
        let html = form.body.string
        let csrf = html.components(separatedBy: "name=\"csrf\" value=\"")[1].components(separatedBy: "\"")[0]
        return (form.cookie("penah_pre") ?? "", csrf)
    }

    func signIn(_ staff: TestStaff, extraCookie: String = "") async throws -> TestingHTTPResponse {
        let (pre, csrf) = try await openSignInForm()
        var headers = formHeaders
        headers.add(name: .cookie, value: "penah_pre=\(pre)\(extraCookie)")
        headers.add(name: "Sec-Fetch-Site", value: "same-origin")
        return try await send(.POST, "/login", headers: headers, body: formBody([
            ("csrf", csrf), ("username", staff.username), ("password", staff.password), ("otp", staff.currentCode()),
        ]))
    }
}

/// A signed-in browser for form posts: the staff member, headers carrying the session cookie and a
/// form content type, and the session's CSRF token.
struct TestBrowser {
    let staff: TestStaff
    let headers: HTTPHeaders
    let csrf: String
}

extension Application {
    func browser(_ role: Role, unit: String? = nil) async throws -> TestBrowser {
        let staff = try await makeStaff(role, unit: unit)
        let session = try await webSession(for: staff)
        var headers = formHeaders
        headers.add(name: .cookie, value: "penah_session=\(session.cookie)")
        return TestBrowser(staff: staff, headers: headers, csrf: session.csrf)
    }
}

extension HTTPHeaders {
    static func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }
    static func session(_ cookie: String) -> HTTPHeaders { ["Cookie": "penah_session=\(cookie)"] }
}

extension TestingHTTPResponse {
    /// The value a `Set-Cookie` header gives a cookie, if any.
    func cookie(_ name: String) -> String? {
        for header in headers[.setCookie] {
            let first = header.split(separator: ";").first ?? ""
            let parts = first.split(separator: "=", maxSplits: 1)
            if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }
}

func jsonBody(_ object: [String: String]) -> ByteBuffer {
    ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
}

func formBody(_ fields: [(String, String)]) -> ByteBuffer {
    let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
    let text = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
    return ByteBuffer(string: text)
}

let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]
let formHeaders: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
