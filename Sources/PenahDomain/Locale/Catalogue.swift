import Foundation

/// Every interface string, by key, in all three languages. The texts are data, one file per
/// language in `Resources/Catalogue/<code>.json`: a key maps to a text, or — where a count is shown —
/// to its plural forms (`{"one": …, "few": …, "many": …, "other": …}`, the forms `PluralRule` names
/// for the language). Start-up refuses a catalogue that fails `problems()`, and a test checks every
/// key the code builds at run time.
public struct Catalogue: Sendable {
    public enum Entry: Sendable, Equatable, Decodable {
        case text(String)
        case plural([PluralForm: String])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .text(text); return }
            let forms = try container.decode([String: String].self)
            var plural: [PluralForm: String] = [:]
            for (name, text) in forms {
                guard let form = PluralForm(rawValue: name) else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown plural form \(name)")
                }
                plural[form] = text
            }
            self = .plural(plural)
        }

        /// Every text of the entry: one, or one per plural form.
        public var texts: [String] {
            switch self {
            case .text(let text): [text]
            case .plural(let forms): PluralForm.allCases.compactMap { forms[$0] }
            }
        }
    }

    public let entries: [Language: [String: Entry]]

    public init(entries: [Language: [String: Entry]]) { self.entries = entries }

    /// The catalogue as built into the program, or why it could not be read.
    public static let bundled: Result<Catalogue, any Error> = Result { try load(from: bundledDirectory) }

    /// The built-in catalogue; empty (every text shows its key) if it could not be read, which
    /// start-up refuses before any page is served (`Catalogue.checkBundled`).
    public static let shared: Catalogue = (try? bundled.get()) ?? Catalogue(entries: [:])

    static var bundledDirectory: URL { Bundle.module.url(forResource: "Catalogue", withExtension: nil)! }

    public static func load(from directory: URL) throws -> Catalogue {
        var entries: [Language: [String: Entry]] = [:]
        for language in Language.allCases {
            let file = directory.appendingPathComponent("\(language.rawValue).json")
            do {
                entries[language] = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: file))
            } catch {
                throw CatalogueProblem(description: "\(file.lastPathComponent) cannot be read: \(error)")
            }
        }
        return Catalogue(entries: entries)
    }

    /// Throws, naming every problem, when the built-in catalogue is unreadable or inconsistent.
    public static func checkBundled() throws {
        let problems = try bundled.get().problems()
        if !problems.isEmpty { throw CatalogueProblem(description: problems.joined(separator: "; ")) }
    }

    /// The text, or the key itself so that a missing entry is visible (and caught by tests) rather
    /// than blank. A plural entry asked for without a count gives its `other` form.
    public func text(_ key: String, _ language: Language) -> String {
        switch entry(key, language) {
        case .text(let text): text
        case .plural(let forms): forms[.other] ?? forms.values.first ?? key
        case nil: key
        }
    }

    /// Fills `{name}` placeholders.
    public func text(_ key: String, _ language: Language, _ arguments: [String: String]) -> String {
        Self.fill(text(key, language), arguments)
    }

    /// The form for `count` in the language's plural rule, with `{count}` and the other placeholders filled.
    public func text(_ key: String, _ language: Language, count: Int, _ arguments: [String: String] = [:]) -> String {
        var template = text(key, language)
        if case .plural(let forms) = entry(key, language) {
            template = forms[PluralRule.form(for: count, in: language)] ?? forms[.other] ?? template
        }
        return Self.fill(template, arguments.merging(["count": String(count)]) { first, _ in first })
    }

    private func entry(_ key: String, _ language: Language) -> Entry? {
        entries[language]?[key] ?? entries[.fallback]?[key]
    }

    private static func fill(_ template: String, _ arguments: [String: String]) -> String {
        arguments.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    public var allKeys: Set<String> {
        entries.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
    }

    /// Keys present in some language but missing from `language`.
    public func missingKeys(in language: Language) -> Set<String> {
        allKeys.subtracting(entries[language]?.keys.map { $0 } ?? [])
    }

    /// Everything that would show a visitor a wrong text: a key missing in a language, an empty or
    /// untranslated text, placeholders that differ between languages, a plural entry without the
    /// forms its language needs.
    public func problems() -> [String] {
        var problems: [String] = []
        for language in Language.allCases {
            problems += missingKeys(in: language).sorted().map { "\(language.rawValue): \($0) is missing" }
        }
        for key in allKeys.sorted() {
            let reference = Self.placeholders(text(key, .fallback))
            for language in Language.allCases {
                guard let entry = entries[language]?[key] else { continue }
                for text in entry.texts {
                    if text.trimmingCharacters(in: .whitespaces).isEmpty || text == key {
                        problems.append("\(language.rawValue): \(key) is empty or untranslated")
                    }
                    if Self.placeholders(text).subtracting(["count"]) != reference.subtracting(["count"]) {
                        problems.append("\(language.rawValue): \(key) has other placeholders than \(Language.fallback.rawValue)")
                    }
                }
                if case .plural(let forms) = entry, !PluralRule.forms(of: language).isSubset(of: Set(forms.keys)) {
                    problems.append("\(language.rawValue): \(key) lacks a plural form")
                }
            }
        }
        return problems
    }

    static func placeholders(_ text: String) -> Set<String> {
        Set(text.components(separatedBy: "{").dropFirst().compactMap { $0.components(separatedBy: "}").first })
    }
}

public struct CatalogueProblem: Error, CustomStringConvertible {
    public let description: String
}
