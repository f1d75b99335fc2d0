import PenahDomain
import Vapor

/// The language of a request: `?lang=` first (the switcher), then the `penah_lang` cookie, then
/// `Accept-Language`, then Azerbaijani.
extension Request {
    static let languageCookie = "penah_lang"

    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// A page rendered in another language than the reader's: a printable in the victim's language.
    func render(in language: Language) { storage[LanguageKey.self] = language }

    var language: Language {
        if let cached = storage[LanguageKey.self] { return cached }
        let chosen = Language(code: requestedLanguageCode ?? "")
            ?? cookies[Request.languageCookie].flatMap { Language(code: $0.string) }
            ?? Language.negotiate(acceptLanguage: headers.first(name: .acceptLanguage))
            ?? .fallback
        storage[LanguageKey.self] = chosen
        return chosen
    }

    /// The `?lang=` value as sent, if any (possibly unsupported or hostile; render it escaped only).
    var requestedLanguageCode: String? {
        guard let raw = url.query, raw.contains("lang=") else { return nil }
        return try? query.get(String.self, at: "lang")
    }

    /// Set when `?lang=` named a language Penah does not have, so the page can say so.
    var unsupportedLanguageCode: String? {
        guard let code = requestedLanguageCode, Language(code: code) == nil else { return nil }
        return String(code.prefix(40))
    }

    func text(_ key: String) -> String { Catalogue.shared.text(key, language) }
}

/// Remembers a language chosen with the switcher in a cookie for a year.
struct LanguageCookieMiddleware: AsyncMiddleware {
    let secureCookies: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if let code = request.requestedLanguageCode, let language = Language(code: code) {
            response.cookies[Request.languageCookie] = HTTPCookies.Value(
                string: language.rawValue, maxAge: 365 * 24 * 3600, path: "/",
                isSecure: secureCookies, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}
