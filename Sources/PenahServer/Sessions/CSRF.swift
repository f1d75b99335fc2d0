import Vapor

/// CSRF defence for every unsafe form request: the browser must say the request comes from this
/// site (`Sec-Fetch-Site` / `Origin`), and the form must carry the token of this session — the
/// signed-in session's token, or before sign-in the token in the `penah_pre` cookie. Compared in
/// constant time. Failure is 403 and nothing runs.
enum CSRF {
    static let field = "csrf"
    static let preSessionCookie = "penah_pre"

    struct Failure: Error {}

    /// What the browser says about where the request comes from: nothing, or this site.
    static func comesFromThisSite(_ request: Request) -> Bool {
        if let site = request.headers.first(name: "Sec-Fetch-Site"), site != "same-origin", site != "none" {
            return false
        }
        if let origin = request.headers.first(name: .origin) {
            guard let host = request.headers.first(name: .host), let url = URL(string: origin),
                  let originHost = url.host else { return false }
            let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
            return originAuthority == host || originHost == host
        }
        return true
    }

    static func verify(_ request: Request) async throws {
        guard comesFromThisSite(request) else { throw Failure() }
        // A document upload streams in; its token is in the multipart body, so gather it first (the
        // upload route's own limit, 11 MB, bounds it).
        if request.body.data == nil, request.headers.contentType?.type == "multipart" {
            _ = try await request.body.collect(max: 11 * 1024 * 1024).get()
        }
        // Either secret this browser holds will do: the signed-in session's token, or the pre-session
        // cookie's (a sign-in form opened before an old session cookie was noticed).
        let expected = [request.staff?.session.csrfToken, request.cookies[preSessionCookie]?.string]
            .compactMap { $0 }.filter { $0.count >= 32 }
        guard let sent = try? request.content.get(String.self, at: field),
              expected.contains(where: { constantTimeEqual($0, sent) }) else { throw Failure() }
    }

    private struct MintedKey: StorageKey { typealias Value = String }

    /// The token a form on this response should carry, and the pre-session cookie to set when the
    /// browser has none yet. The same token for every call within one request.
    static func token(for request: Request) -> (token: String, cookie: HTTPCookies.Value?) {
        if let token = request.staff?.session.csrfToken { return (token, nil) }
        if let existing = request.cookies[preSessionCookie]?.string, existing.count >= 32 { return (existing, nil) }
        let token = request.storage[MintedKey.self] ?? SessionStore.randomToken()
        request.storage[MintedKey.self] = token
        return (token, HTTPCookies.Value(string: token, path: "/", isSecure: request.application.secureCookies,
                                         isHTTPOnly: true, sameSite: .strict))
    }
}

extension Application {
    /// `Secure` cookies everywhere but development, where Penah runs on plain http://localhost.
    var secureCookies: Bool { environment != .development }
}

import Foundation
