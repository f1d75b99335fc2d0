import Testing
@testable import PenahDomain

@Suite("Languages and catalogues")
struct LanguageTests {
    @Test("every key exists in every language", arguments: Language.allCases)
    func noMissingKeys(language: Language) {
        #expect(Catalogue.shared.missingKeys(in: language).sorted() == [])
    }

    @Test("a missing key shows itself rather than a blank")
    func missingKeyVisible() {
        #expect(Catalogue.shared.text("no.such.key", .ru) == "no.such.key")
    }

    @Test("Accept-Language negotiation honours q-values", arguments: [
        ("ru-RU,ru;q=0.9,en;q=0.8", Language.ru), ("de-DE,en;q=0.5,az;q=0.7", .az), ("en-GB", .en),
        ("az-Latn-AZ", .az), ("fr, de", nil), ("", nil), ("ru;q=0, en;q=0.1", .en),
    ])
    func negotiate(header: String, expected: Language?) {
        #expect(Language.negotiate(acceptLanguage: header) == expected)
    }

    @Test("language codes")
    func codes() {
        #expect(Language(code: "RU") == .ru)
        #expect(Language(code: "<script>") == nil)
        #expect(Language(code: "") == nil)
    }
}

import Foundation
