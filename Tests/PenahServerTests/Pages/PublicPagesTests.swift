import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Public pages")
struct PublicPagesTests {
    static let pages = ["/", "/safety"]

    @Test("no public page's heading or title names the violence, in any language, and every page loads the exit guard first")
    func neutralHeadings() async throws {
        try await withPenah { app in
            for language in ["az", "ru", "en"] {
                for path in ["/", "/safety", "/login", "/enrol"] {
                    let html = try await app.send(.GET, "\(path)?lang=\(language)").body.string
                    // Every <h1>…<h6> and the <title>, tags and all: none may name the violence.
                    var headings: [String] = []
                    var rest = html[...]
                    while let found = rest.range(of: "<(h[1-6]|title)[ >].*?</(h[1-6]|title)>", options: .regularExpression) {
                        headings.append(String(rest[found]))
                        rest = rest[found.upperBound...]
                    }
                    #expect(!headings.isEmpty)
                    for heading in headings {
                        for word in ["zorak", "насил", "violence"] {
                            #expect(!heading.lowercased().contains(word), "\(path) [\(language)]: \(heading)")
                        }
                    }
                    let guardAt = html.range(of: "/js/exit-guard.js")?.lowerBound
                    #expect(guardAt != nil && guardAt! < html.range(of: "<body")!.lowerBound, "\(path): the exit guard must run before the page is drawn")
                }
            }
        }
    }

    @Test("the raw-key check sees a key the catalogue lacks, and not ordinary text")
    func rawKeyCheck() {
        #expect(rawKeys(in: "<p>case.status.nope</p><span title=\"layout.missing\">x</span>") == ["case.status.nope", "layout.missing"])
        #expect(rawKeys(in: "<p>Bakı, 1.2 km</p><a href=\"/css/app.css\">e-sosial.az</a><p>Sizi gözləyirik.</p>").isEmpty)
    }

    @Test("public pages render in every language with no raw keys", arguments: Language.allCases)
    func rendersInEveryLanguage(language: Language) async throws {
        try await withPenah { app in
            for path in Self.pages {
                let response = try await app.send(.GET, path + "?lang=" + language.rawValue)
                #expect(response.status == .ok)
                let html = response.body.string
                #expect(html.contains("<html lang=\"\(language.rawValue)\">"))
                #expect(html.contains(Catalogue.shared.text("layout.quickExit", language)))
                #expect(rawKeys(in: html).isEmpty, "raw keys \(rawKeys(in: html)) on \(path)")
                #expect(!html.contains("#t("), "unrendered tag on \(path)")
            }
        }
    }

    @Test("the home page carries the card's facts")
    func cardFacts() async throws {
        try await withPenah { app in
            let html = try await app.send(.GET, "/?lang=en").body.string
            for fact in ["09-03-00-00", "142", "free of charge", "60 minutes", "1 day", "1 hour", "no legal basis",
                         "permanent residence", "act confirming"] {
                #expect(html.contains(fact), "missing \(fact)")
            }
        }
    }

    @Test("public titles are neutral: nothing about violence in the title")
    func neutralTitle() async throws {
        try await withPenah { app in
            for language in Language.allCases {
                let html = try await app.send(.GET, "/?lang=\(language.rawValue)").body.string
                let title = html.components(separatedBy: "<title>")[1].components(separatedBy: "</title>")[0]
                #expect(title == Catalogue.shared.text("layout.publicTitle", language))
                for word in ["zorak", "насил", "violence", "sığınacaq", "убежищ", "shelter"] {
                    #expect(!title.lowercased().contains(word))
                }
            }
        }
    }

    @Test("the quick exit link is the first focusable element")
    func quickExitFirst() async throws {
        try await withPenah { app in
            let html = try await app.send(.GET, "/").body.string
            let body = html.components(separatedBy: "<body>")[1]
            let firstLink = body.range(of: "<a ")!.lowerBound
            #expect(body[firstLink...].hasPrefix("<a id=\"quick-exit\""))
            #expect(html.contains("<script src=\"/js/quick-exit.js\" defer></script>"))
        }
    }

    @Test("quick exit clears cookies and site data and leaves for the neutral site")
    func quickExit() async throws {
        try await withPenah(environment: ["PENAH_QUICK_EXIT_URL": "https://example.org/weather"]) { app in
            let response = try await app.send(.GET, "/exit", headers: ["Cookie": "penah_lang=ru"])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "https://example.org/weather")
            #expect(response.headers.first(name: "Clear-Site-Data") == "\"cache\", \"cookies\", \"storage\"")
            #expect(response.headers.first(name: "Referrer-Policy") == "no-referrer")
            let setCookie = response.headers[.setCookie].joined()
            #expect(setCookie.contains("penah_lang=") && setCookie.contains("Max-Age=0"))
        }
    }

    @Test("the language is chosen by query, then cookie, then Accept-Language")
    func languageChoice() async throws {
        try await withPenah { app in
            #expect(try await app.send(.GET, "/").body.string.contains("<html lang=\"az\">"))
            #expect(try await app.send(.GET, "/", headers: ["Accept-Language": "ru-RU,ru;q=0.9"]).body.string.contains("<html lang=\"ru\">"))
            #expect(try await app.send(.GET, "/", headers: ["Cookie": "penah_lang=en", "Accept-Language": "ru"]).body.string.contains("<html lang=\"en\">"))
            let switched = try await app.send(.GET, "/?lang=en", headers: ["Accept-Language": "ru"])
            #expect(switched.body.string.contains("<html lang=\"en\">"))
            let cookie = switched.headers[.setCookie].joined()
            #expect(cookie.contains("penah_lang=en") && cookie.contains("HttpOnly"))
        }
    }

    @Test("a hostile language code is escaped and explained", arguments: [
        "%3Cscript%3Ealert(1)%3C/script%3E", "%22%3E%3Cimg%20src=x%3E", "xx", "../../etc/passwd",
    ])
    func hostileLanguage(code: String) async throws {
        try await withPenah { app in
            let response = try await app.send(.GET, "/safety?lang=" + code)
            #expect(response.status == .ok)
            let html = response.body.string
            #expect(!html.contains("<script>alert"))
            #expect(!html.contains("<img"))
            #expect(html.contains("class=\"notice\""))
            #expect(html.contains("<html lang=\"az\">"))
            #expect(response.headers[.setCookie].isEmpty)
        }
    }

    @Test("unknown routes get a localised 404 page that reveals nothing internal", arguments: Language.allCases)
    func notFound(language: Language) async throws {
        try await withPenah { app in
            let response = try await app.send(.GET, "/no/such/page/../../etc/passwd?lang=\(language.rawValue)")
            #expect(response.status == .notFound)
            let html = response.body.string
            #expect(html.contains(Catalogue.shared.text("error.notFound.heading", language)))
            #expect(!html.lowercased().contains("vapor") && !html.contains("Abort"))
        }
    }

    @Test("static assets are served and cannot escape their folder")
    func staticFiles() async throws {
        try await withPenah { app in
            let css = try await app.send(.GET, "/css/penah.css")
            #expect(css.status == .ok)
            #expect(css.headers.first(name: .cacheControl) == "public, max-age=3600")
            for path in ["/css/../Views/layout.leaf", "/css/%2e%2e/Views/layout.leaf", "/js/../../Package.swift"] {
                let response = try await app.send(.GET, path)
                #expect(response.status == .notFound, "\(path)")
                #expect(!response.body.string.contains("#extend"))
            }
        }
    }
}
