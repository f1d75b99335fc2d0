import Foundation

/// Azerbaijani text rules. Foundation's `folding(options:locale:)` maps İ to ı, which breaks
/// search for every name with a dotted capital (İlqar, İsmayıllı), so search keys are built with
/// `lowercased(with:)` under the `az` locale after NFC normalisation instead.
public enum AzText {
    public static let locale = Locale(identifier: "az")

    /// The key under which a word is indexed and searched: NFC, trimmed, Azerbaijani lower case,
    /// inner whitespace collapsed to one space.
    public static func searchKey(_ text: String) -> String {
        let composed = text.precomposedStringWithCanonicalMapping
        let lower = composed.lowercased(with: locale)
        return lower.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Whole words of a name, each as a search key (for blind-index tokens).
    public static func wordKeys(_ text: String) -> [String] {
        searchKey(text).split(separator: " ").map(String.init)
    }

    public static func uppercased(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.uppercased(with: locale)
    }

    /// Orders strings by the Azerbaijani alphabet (C Ç … Ə … G Ğ H X I İ … K Q … O Ö … S Ş … U Ü).
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.compare(rhs, options: [.caseInsensitive], range: nil, locale: locale) == .orderedAscending
    }

    public static func sorted(_ items: [String]) -> [String] {
        items.sorted(by: precedes)
    }

    public static func sorted<T>(_ items: [T], by key: (T) -> String) -> [T] {
        items.sorted { precedes(key($0), key($1)) }
    }
}
