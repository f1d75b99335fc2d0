import PenahDomain
import Vapor

/// What the layout needs on every page: language, title, the switcher, who is signed in.
struct PageFrame: Encodable {
    struct LanguageLink: Encodable {
        let code: String
        let name: String
        let isCurrent: Bool
        /// This page in that language: every query parameter kept (the desk, search filters),
        /// `lang` replaced.
        let href: String

        /// Kept as received (already percent-encoded); the template escapes it for the attribute.
        static func href(keeping query: String?, language: Language) -> String {
            let kept = (query ?? "").split(separator: "&").filter { $0.split(separator: "=", maxSplits: 1).first != "lang" }
            return "?" + (kept.map(String.init) + ["lang=" + language.rawValue]).joined(separator: "&")
        }
    }

    struct SignedIn: Encodable {
        let displayName: String
        let roleKey: String
        let unitName: String
    }

    struct Link: Encodable {
        let href: String
        let labelKey: String
        var isCurrent = false
    }

    let lang: String
    let titleKey: String
    let isPublic: Bool
    var languages: [LanguageLink]
    let unsupportedLanguage: String?
    var signedIn: SignedIn?
    var csrfToken: String?
    /// Set on signed-in pages: drives the warning before the idle timeout.
    var sessionIdleSeconds: Int?
    /// A page of wide tables (accounts, the audit trail): the main column takes the screen's width.
    var wide = false
    /// Unread notifications, shown in the header of a signed-in page and kept live there.
    var unreadNotifications: Int?
    /// The staff menu of a signed-in page: the pages the role may open (the public links are for public pages).
    var staffLinks: [Link] = []
    /// The banner saying what the form before this page did (see `DoneBanner`), and the one value
    /// it may name (the shelter a request was approved into), filled in by the page.
    var doneKey: String?
    var doneWhat: String?
    /// A device page (the kiosk): no staff header, no navigation, nothing to click away to.
    var isDevice = false

    init(_ request: Request, titleKey: String, isPublic: Bool, signedIn: SignedIn? = nil) {
        let current = request.language
        lang = current.rawValue
        self.titleKey = titleKey
        self.isPublic = isPublic
        let query = request.url.query
        languages = Language.allCases.map {
            LanguageLink(code: $0.rawValue, name: $0.endonym, isCurrent: $0 == current, href: LanguageLink.href(keeping: query, language: $0))
        }
        unsupportedLanguage = request.unsupportedLanguageCode
        self.signedIn = signedIn
        doneKey = DoneBanner.named(in: request)?.messageKey
    }
}

extension PageFrame {
    /// The same frame, for a page of wide tables.
    func widened() -> PageFrame {
        var frame = self
        frame.wide = true
        return frame
    }
}
