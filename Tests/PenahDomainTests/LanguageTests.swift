import Testing
@testable import PenahDomain

@Suite("Languages and catalogues")
struct LanguageTests {
    @Test("every key exists in every language", arguments: Language.allCases)
    func noMissingKeys(language: Language) {
        #expect(Catalogue.shared.missingKeys(in: language).sorted() == [])
    }

    @Test("no translation is empty or identical to its key")
    func noEmptyTranslations() {
        for (language, messages) in Catalogue.shared.messages {
            for (key, text) in messages {
                #expect(!text.trimmingCharacters(in: .whitespaces).isEmpty, "\(language) \(key) is empty")
                #expect(text != key, "\(language) \(key) is untranslated")
            }
        }
    }

    @Test("placeholders are the same in every language")
    func placeholders() {
        func names(_ text: String) -> Set<String> {
            Set(text.components(separatedBy: "{").dropFirst().compactMap { $0.components(separatedBy: "}").first })
        }
        for key in Catalogue.shared.allKeys {
            let az = names(Catalogue.shared.text(key, .az))
            #expect(names(Catalogue.shared.text(key, .ru)) == az, "ru \(key)")
            #expect(names(Catalogue.shared.text(key, .en)) == az, "en \(key)")
        }
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
