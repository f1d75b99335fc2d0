import Foundation
import Testing
@testable import PenahDomain

@Suite("The catalogue files and plural forms")
struct CatalogueTests {
    @Test("the built-in catalogue has no problem: no empty or untranslated text, the same placeholders, every plural form")
    func noProblems() throws {
        try Catalogue.checkBundled()
        #expect(Catalogue.shared.allKeys.count > 600, "the catalogue files were read")
    }

    @Test("each kind of catalogue problem is found", arguments: [
        ("empty", ["az": ["a.b": .text("x")], "ru": ["a.b": .text(" ")], "en": ["a.b": .text("x")]] as [String: [String: Catalogue.Entry]]),
        ("untranslated", ["az": ["a.b": .text("x")], "ru": ["a.b": .text("a.b")], "en": ["a.b": .text("x")]]),
        ("placeholders", ["az": ["a.b": .text("{n} x")], "ru": ["a.b": .text("{m} x")], "en": ["a.b": .text("{n} x")]]),
        ("missing", ["az": ["a.b": .text("x")], "ru": [:], "en": ["a.b": .text("x")]]),
        ("plural", ["az": ["a.b": .plural([.one: "x", .other: "y"])], "ru": ["a.b": .plural([.one: "x", .many: "y"])],
                    "en": ["a.b": .plural([.one: "x", .other: "y"])]]),
    ])
    func problemsFound(_ kind: String, _ raw: [String: [String: Catalogue.Entry]]) {
        let entries = Dictionary(uniqueKeysWithValues: raw.map { (Language(rawValue: $0.key)!, $0.value) })
        #expect(Catalogue(entries: entries).problems().count == 1, "\(kind): \(Catalogue(entries: entries).problems())")
    }

    @Test("a catalogue file that is not JSON, or has an unknown plural form, is refused naming the file")
    func unreadableFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(#"{"a": "x"}"#.utf8).write(to: directory.appendingPathComponent("az.json"))
        try Data(#"{"a": {"several": "x"}}"#.utf8).write(to: directory.appendingPathComponent("ru.json"))
        try Data("not json".utf8).write(to: directory.appendingPathComponent("en.json"))
        #expect { _ = try Catalogue.load(from: directory) } throws: { "\($0)".contains("ru.json") }
        try Data(#"{"a": {"one": "x", "few": "y", "many": "z"}}"#.utf8).write(to: directory.appendingPathComponent("ru.json"))
        #expect { _ = try Catalogue.load(from: directory) } throws: { "\($0)".contains("en.json") }
    }

    @Test("Russian plural forms follow CLDR", arguments: [
        (1, PluralForm.one), (21, .one), (101, .one), (2, .few), (4, .few), (23, .few), (0, .many), (5, .many),
        (11, .many), (12, .many), (14, .many), (111, .many), (112, .many), (25, .many), (1000, .many),
    ])
    func russianPlural(_ count: Int, _ form: PluralForm) {
        #expect(PluralRule.form(for: count, in: .ru) == form)
    }

    @Test("Azerbaijani and English: one for 1 only", arguments: [Language.az, .en])
    func otherPlural(_ language: Language) {
        #expect(PluralRule.form(for: 1, in: language) == .one)
        for n in [0, 2, 5, 11, 21] { #expect(PluralRule.form(for: n, in: language) == .other) }
    }

    @Test("a counted text takes its language's form and fills {count}")
    func countedText() {
        let catalogue = Catalogue(entries: [
            .ru: ["n": .plural([.one: "{count} заявка", .few: "{count} заявки", .many: "{count} заявок"])],
            .en: ["n": .plural([.one: "{count} request", .other: "{count} requests"])], .az: [:]])
        #expect(catalogue.text("n", .ru, count: 1) == "1 заявка")
        #expect(catalogue.text("n", .ru, count: 3) == "3 заявки")
        #expect(catalogue.text("n", .ru, count: 11) == "11 заявок")
        #expect(catalogue.text("n", .en, count: 1) == "1 request")
        #expect(catalogue.text("n", .en, count: 7) == "7 requests")
    }
}
