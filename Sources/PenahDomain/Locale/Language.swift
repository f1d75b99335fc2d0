/// The three interface languages. Azerbaijani is the default.
public enum Language: String, CaseIterable, Sendable, Codable {
    case az, ru, en

    public static let fallback: Language = .az

    /// Accepts `az`, `AZ`, `az-Latn-AZ`, `ru-RU` …; anything else is nil.
    public init?(code: String) {
        let primary = code.trimmingCharacters(in: .whitespaces)
            .split(separator: "-").first.map { $0.lowercased() } ?? ""
        guard let language = Language(rawValue: primary) else { return nil }
        self = language
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    public static func negotiate(acceptLanguage header: String?) -> Language? {
        guard let header, !header.isEmpty, header.count <= 512 else { return nil }
        var best: (language: Language, q: Double)?
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = fields.first, let language = Language(code: tag) else { continue }
            var q = 1.0
            for field in fields.dropFirst() where field.hasPrefix("q=") {
                q = Double(field.dropFirst(2)) ?? 0
            }
            if q > 0, q > (best?.q ?? 0) { best = (language, q) }
        }
        return best?.language
    }

    /// The language's own name, for the switcher.
    public var endonym: String {
        switch self {
        case .az: "Azərbaycanca"
        case .ru: "Русский"
        case .en: "English"
        }
    }
}

import Foundation
