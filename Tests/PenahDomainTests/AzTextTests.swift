import Foundation
import Testing
@testable import PenahDomain

@Suite("Azerbaijani text")
struct AzTextTests {
    @Test("search keys use Azerbaijani casing, not folding", arguments: [
        ("İSMAYILLI", "ismayıllı"),
        ("İlqar", "ilqar"),
        ("QIZI", "qızı"),
        ("  Əliyeva   Günay  ", "əliyeva günay"),
        ("ŞƏKİ", "şəki"),
    ])
    func searchKey(input: String, expected: String) {
        #expect(AzText.searchKey(input) == expected)
    }

    @Test("search keys are NFC: a decomposed letter matches its composed form")
    func searchKeyNFC() {
        let decomposed = "Gu\u{0308}nay"   // u + combining diaeresis
        #expect(AzText.searchKey(decomposed) == AzText.searchKey("Günay"))
        #expect(AzText.searchKey(decomposed) == "günay")
    }

    @Test("nfc composes what is decomposed and leaves composed text as it is", arguments: [
        ("I\u{0307}lqar", "İlqar"),            // I + combining dot above
        ("e\u{0301}", "é"),
        ("\u{212B}", "Å"),                      // the angstrom sign is not in NFC
        ("Məmmədova Aygün İlqar qızı", "Məmmədova Aygün İlqar qızı"),
        ("Иванова Мария", "Иванова Мария"),
    ])
    func nfc(input: String, expected: String) {
        let result = AzText.nfc(input)
        #expect(Array(result.unicodeScalars) == Array(expected.unicodeScalars))
        #expect(Array(result.unicodeScalars) == Array(input.precomposedStringWithCanonicalMapping.unicodeScalars))
    }

    @Test("search keys split on every kind of whitespace, not only spaces")
    func searchKeyWhitespace() {
        #expect(AzText.searchKey("Əliyeva\tGünay\nİlqar\u{00A0}qızı\u{2003}x") == "əliyeva günay ilqar qızı x")
        #expect(AzText.searchKey(" \t\n ").isEmpty)
    }

    @Test("folding would have broken İ; the toolkit does not")
    func foldingTrap() {
        let folded = "İlqar".folding(options: [.caseInsensitive, .diacriticInsensitive], locale: AzText.locale)
        #expect(folded != AzText.searchKey("İlqar") || folded == "ilqar")
        #expect(AzText.searchKey("İlqar") == "ilqar")
    }

    @Test("upper case maps i to İ and ı to I")
    func upper() {
        #expect(AzText.uppercased("ilqar") == "İLQAR")
        #expect(AzText.uppercased("qızı") == "QIZI")
    }

    @Test("word keys split a full name")
    func words() {
        #expect(AzText.wordKeys("Məmmədova  Aygün İlqar qızı") == ["məmmədova", "aygün", "ilqar", "qızı"])
    }

    @Test("sorting follows the Azerbaijani alphabet")
    func sorting() {
        let shuffled = ["Üzeyir", "Xədicə", "Həsən", "Çingiz", "Cəmilə", "Şəhla", "Səbinə", "Ömər", "Oqtay",
                        "Qasım", "Kamran", "İlqar", "Işıq", "Ğ", "Gülnar", "Əli", "Elçin", "Ulduz"]
        let expected = ["Cəmilə", "Çingiz", "Elçin", "Əli", "Gülnar", "Ğ", "Həsən", "Xədicə", "Işıq", "İlqar",
                        "Kamran", "Qasım", "Oqtay", "Ömər", "Səbinə", "Şəhla", "Ulduz", "Üzeyir"]
        #expect(AzText.sorted(shuffled) == expected)
    }
}

@Suite("Azerbaijani collation")
struct AzCollationTests {
    @Test("the order is total and antisymmetric, unlike Foundation's on Linux")
    func antisymmetric() {
        #expect(AzText.precedes("Gülnar", "Ğ"))
        #expect(!AzText.precedes("Ğ", "Gülnar"))
        #expect(AzText.precedes("Dağ", "Dah"))
        #expect(AzText.precedes("dağ", "Dağa"))
    }

    @Test("case does not change the place; digits come first")
    func caseAndDigits() {
        #expect(AzText.sorted(["ilqar", "İSMAYIL", "Işıq", "ıldırım"]) == ["ıldırım", "Işıq", "ilqar", "İSMAYIL"])
        #expect(AzText.sorted(["Bakı 2", "Bakı 10", "1 saylı"]) == ["1 saylı", "Bakı 10", "Bakı 2"])
    }
}
