/// Every interface string, by key, in all three languages. The catalogues live in
/// `Messages+az.swift`, `Messages+ru.swift` and `Messages+en.swift`; a test fails when a key is
/// missing from any of them.
public struct Catalogue: Sendable {
    public let messages: [Language: [String: String]]

    public static let shared = Catalogue(messages: [
        .az: Messages.az.merging(Messages.casesAz) { $1 }.merging(Messages.noticesAz) { $1 }
            .merging(Messages.placementAz) { $1 },
        .ru: Messages.ru.merging(Messages.casesRu) { $1 }.merging(Messages.noticesRu) { $1 }
            .merging(Messages.placementRu) { $1 },
        .en: Messages.en.merging(Messages.casesEn) { $1 }.merging(Messages.noticesEn) { $1 }
            .merging(Messages.placementEn) { $1 },
    ])

    /// The translation, or the key itself so that a missing entry is visible (and caught by tests)
    /// rather than silently blank.
    public func text(_ key: String, _ language: Language) -> String {
        messages[language]?[key] ?? messages[.az]?[key] ?? key
    }

    /// Fills `{name}` placeholders.
    public func text(_ key: String, _ language: Language, _ arguments: [String: String]) -> String {
        arguments.reduce(text(key, language)) { result, pair in
            result.replacingOccurrences(of: "{\(pair.key)}", with: pair.value)
        }
    }

    public var allKeys: Set<String> {
        messages.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
    }

    /// Keys present in some language but missing from `language`.
    public func missingKeys(in language: Language) -> Set<String> {
        allKeys.subtracting(messages[language]?.keys.map { $0 } ?? [])
    }
}

/// Namespace for the per-language catalogues.
public enum Messages {}

import Foundation
