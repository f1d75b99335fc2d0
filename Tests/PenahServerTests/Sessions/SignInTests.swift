import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Sign-in and tokens")
struct SignInTests {
    func tokenRequest(_ app: Application, _ username: String, _ password: String, _ otp: String,
                      address: String? = nil) async throws -> TestingHTTPResponse {
        var headers = jsonHeaders
        headers.add(name: "Accept-Language", value: "en")
        return try await app.send(.POST, "/api/v1/auth/token", headers: headers,
                                  body: jsonBody(["username": username, "password": password, "otp": otp]))
    }

    @Test("a correct password and code give a token that works, and DELETE revokes it")
    func issueAndRevoke() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let response = try await tokenRequest(app, staff.username.uppercased(), staff.password, staff.currentCode())
            #expect(response.status == .ok)
            let issued = try response.content.decode(TokenAPI.Issued.self)
            #expect(issued.user.role == "reception" && issued.user.unitCode == "BAKU-1")
            #expect(issued.expiresAt <= Date().addingTimeInterval(12 * 3600 + 5))
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer(issued.token)).status == .ok)
            #expect(try await app.send(.DELETE, "/api/v1/auth/token", headers: .bearer(issued.token)).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer(issued.token)).status == .unauthorized)
            let stored = try await AuthSession.query(on: app.db).all()
            #expect(!stored.contains { $0.tokenHash == issued.token })
        }
    }

    @Test("wrong password, wrong code, replayed code and unknown user all get the same 401")
    func sameFailure() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.lawyer)
            let code = staff.currentCode()
            #expect(try await tokenRequest(app, staff.username, staff.password, code).status == .ok)
            let failures = [
                try await tokenRequest(app, staff.username, staff.password + "x", staff.currentCode(offsetSteps: 1)),
                try await tokenRequest(app, staff.username, staff.password, "000000"),
                try await tokenRequest(app, staff.username, staff.password, code),      // replayed
                try await tokenRequest(app, "nobody.here", staff.password, code),
                try await tokenRequest(app, "'><script>alert(1)</script>", "x' OR '1'='1", "1; DROP TABLE staff_users"),
            ]
            let bodies = Set(failures.map { $0.body.string })
            for response in failures { #expect(response.status == .unauthorized) }
            #expect(bodies.count == 1)
            #expect(try await StaffUser.query(on: app.db).count() == 1)
        }
    }

    @Test("a recovery code works once")
    func recoveryCode() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.psychologist)
            let code = staff.recoveryCodes[3]
            #expect(try await tokenRequest(app, staff.username, staff.password, code).status == .ok)
            #expect(try await tokenRequest(app, staff.username, staff.password, code).status == .unauthorized)
        }
    }

    @Test("after ten free failures, rapid attempts are throttled with 429 and Retry-After, the right password too")
    func throttled() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            for _ in 1...10 {
                #expect(try await tokenRequest(app, staff.username, "wrong password here", "123456").status == .unauthorized)
            }
            // The first wait after the free failures is one second and doubles with each failure; a slow
            // bcrypt (a loaded CI machine) can outlast the first waits, so keep failing until one is refused.
            var refusedAfter: Int?
            for extra in 1...8 where refusedAfter == nil {
                if try await tokenRequest(app, staff.username, "wrong password here", "123456").status == .tooManyRequests {
                    refusedAfter = extra
                }
            }
            #expect(refusedAfter != nil, "eighteen rapid failures were never throttled")
            let right = try await tokenRequest(app, staff.username, staff.password, staff.currentCode())
            #expect(right.status == .tooManyRequests, "while throttled, even the right credentials wait")
            #expect(Int(right.headers.first(name: .retryAfter) ?? "") ?? 0 > 0)
        }
    }

    @Test("forty attempts sent at once from one address: only the ten free ones are checked, the rest wait (429)")
    func concurrentAttempts() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let hasher = CountingHasher(app.bcrypt)
            let outcomes = try await withThrowingTaskGroup(of: SignIn.Outcome.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await SignIn(db: app.db, keyring: app.keyring, hasher: hasher).attempt(
                            username: staff.username, password: "wrong password here", otp: "123456",
                            request: RequestFacts(requestID: "t", address: "10.7.7.7"))
                    }
                }
                return try await group.reduce(into: [SignIn.Outcome]()) { $0.append($1) }
            }
            let throttled = outcomes.filter { if case .throttled = $0 { return true } else { return false } }.count
            #expect(throttled == 30, "\(throttled) of 40 throttled")
            #expect(hasher.verifications == 10, "a password was checked \(hasher.verifications) times")
            // The real user, from her own address, is not locked out by the attack.
            let ok = try await SignIn(db: app.db, keyring: app.keyring, hasher: hasher).attempt(
                username: staff.username, password: staff.password, otp: staff.currentCode(), request: RequestFacts(requestID: "t", address: "10.8.8.8"))
            if case .success = ok {} else { Issue.record("the owner was refused: \(ok)") }
        }
    }

    @Test("failures elsewhere cannot lock a user out: the account-wide delay is capped at a minute")
    func noLockout() async throws {
        try await withPenah { app in
            let throttle = LoginThrottle(db: app.db)
            for i in 0..<200 { try await throttle.recordFailure(username: "aysel", address: "10.0.\(i / 100).\(i % 100)") }
            let wait = try await throttle.retryAfter(username: "aysel", address: "192.168.1.5")
            #expect(wait != nil)
            #expect(wait! <= 60)
        }
    }

    @Test("every sign-in attempt is audited, without the password")
    func audited() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            _ = try await tokenRequest(app, staff.username, "not the password!", "111111")
            _ = try await tokenRequest(app, staff.username, staff.password, staff.currentCode())
            let events = try await AuditEvent.query(on: app.db).filter(\.$action == "auth.signIn").all()
            #expect(events.map(\.outcome).sorted() == ["denied", "ok"])
            #expect(events.allSatisfy { $0.recordID == staff.user.id?.uuidString })
            for event in events { #expect(!event.canonical.contains(staff.password)) }
        }
    }

    @Test("idle and absolute timeouts end sessions; disabled users lose theirs")
    func timeouts() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let store = SessionStore(db: app.db)
            let past = Date().addingTimeInterval(-31 * 60)
            let (_, idleToken) = try await store.create(for: staff.user, kind: .web, now: past)
            #expect(try await store.find(token: idleToken, kind: .web) == nil)
            let (_, oldToken) = try await store.create(for: staff.user, kind: .api, now: Date().addingTimeInterval(-13 * 3600))
            #expect(try await store.find(token: oldToken, kind: .api) == nil)
            let (_, liveToken) = try await store.create(for: staff.user, kind: .api)
            #expect(try await store.find(token: liveToken, kind: .api) != nil)
            #expect(try await store.find(token: liveToken, kind: .web) == nil, "an API token is not a cookie")
            staff.user.active = false
            try await staff.user.update(on: app.db)
            #expect(try await store.find(token: liveToken, kind: .api) == nil)
        }
    }

    @Test("a malformed body is 400, and a 50 MB body is 413")
    func badBodies() async throws {
        try await withPenah { app in
            let malformed = try await app.send(.POST, "/api/v1/auth/token", headers: jsonHeaders, body: ByteBuffer(string: "{nope"))
            #expect(malformed.status == .badRequest)
            let empty = try await app.send(.POST, "/api/v1/auth/token", headers: jsonHeaders, body: ByteBuffer(string: ""))
            #expect(empty.status == .badRequest)
            let missing = try await app.send(.POST, "/api/v1/auth/token", headers: jsonHeaders, body: jsonBody(["username": "a"]))
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.body.string.contains("\"field\":\"password\""))
            // Through a real socket, where the body limit applies while the body streams in.
            let huge = ByteBuffer(repeating: UInt8(ascii: "a"), count: 50 * 1024 * 1024)
            try await app.testing(method: .running(hostname: "127.0.0.1", port: 0))
                .test(.POST, "/api/v1/auth/token", headers: jsonHeaders, body: huge) { response in
                    #expect(response.status == .payloadTooLarge)
                }
        }
    }

    @Test("a throttled sign-in page says how long to wait in the language's plural form", arguments: [Language.en, .ru])
    func throttledPageWording(_ language: Language) async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            var refused: TestingHTTPResponse?
            for _ in 1...20 where refused == nil {
                let (pre, csrf) = try await app.openSignInForm()
                var headers = formHeaders
                headers.add(name: .cookie, value: "penah_pre=\(pre); penah_lang=\(language.rawValue)")
                headers.add(name: "Sec-Fetch-Site", value: "same-origin")
                let answer = try await app.send(.POST, "/login", headers: headers, body: formBody([
                    ("csrf", csrf), ("username", staff.username), ("password", "wrong password here"), ("otp", "123456")]))
                if answer.status == .tooManyRequests { refused = answer }
            }
            let page = try #require(refused, "twenty rapid failures were never throttled")
            let wait = try #require(Int(page.headers.first(name: .retryAfter) ?? ""))
            let expected = Catalogue.shared.text("auth.retryAfter", language, count: wait)
            #expect(page.body.string.contains(expected), "\(expected)")
            #expect(!page.body.string.contains("{count}"))
        }
    }
}

@Suite("TOTP")
struct TOTPTests {
    // RFC 6238 appendix B, SHA-1 secret, truncated to six digits.
    let secret = Data("12345678901234567890".utf8)

    @Test("RFC 6238 test vectors", arguments: [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")])
    func vectors(time: Int, expected: String) {
        #expect(TOTP.code(secret: secret, step: Int64(time) / 30) == expected)
    }

    @Test("one step of drift either way; a used step is refused")
    func window() {
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let step = TOTP.step(at: now)
        #expect(TOTP.verify(TOTP.code(secret: secret, step: step - 1), secret: secret, at: now, lastUsedStep: 0) == step - 1)
        #expect(TOTP.verify(TOTP.code(secret: secret, step: step + 1), secret: secret, at: now, lastUsedStep: 0) == step + 1)
        #expect(TOTP.verify(TOTP.code(secret: secret, step: step + 2), secret: secret, at: now, lastUsedStep: 0) == nil)
        #expect(TOTP.verify(TOTP.code(secret: secret, step: step), secret: secret, at: now, lastUsedStep: step) == nil)
        #expect(TOTP.verify("12345a", secret: secret, at: now, lastUsedStep: 0) == nil)
    }

    @Test("base32 round trip")
    func base32() {
        #expect(Base32.encode(Data("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("MZXW6YTBOI") == Data("foobar".utf8))
        #expect(Base32.decode("not base32!") == nil)
    }
}

/// Counts bcrypt verifications, to show every sign-in path costs exactly one.
final class CountingHasher: PasswordHashing, @unchecked Sendable {
    let inner: any PasswordHashing
    private let count = NIOLockedValueBox(0)
    var verifications: Int { count.withLockedValue { $0 } }
    init(_ inner: any PasswordHashing) { self.inner = inner }
    var dummyHash: String { inner.dummyHash }
    func hash(_ password: String) async throws -> String { try await inner.hash(password) }
    func verify(_ password: String, created hash: String) async throws -> Bool {
        count.withLockedValue { $0 += 1 }
        return try await inner.verify(password, created: hash)
    }
}

@Suite("Sign-in timing")
struct SignInTimingTests {
    @Test("known, unknown, disabled and service accounts each cost one bcrypt verification",
          arguments: ["known", "unknown", "disabled", "service", "pending"])
    func oneBcryptEach(kind: String) async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            switch kind {
            case "disabled": staff.user.active = false
            case "service": staff.user.isService = true
            case "pending": staff.user.enrolledAt = nil
            default: break
            }
            try await staff.user.update(on: app.db)
            let hasher = CountingHasher(app.bcrypt)
            let signIn = SignIn(db: app.db, keyring: app.keyring, hasher: hasher)
            let outcome = try await signIn.attempt(username: kind == "unknown" ? "no.such.user" : staff.username,
                                                   password: staff.password, otp: staff.currentCode(),
                                                   request: RequestFacts(requestID: "t", address: "10.1.1.1"))
            #expect(hasher.verifications == 1)
            if case .success = outcome { #expect(kind == "known") } else { #expect(kind != "known") }
        }
    }
}
