import Foundation

/// Azerbaijani text rules. Foundation's `folding(options:locale:)` maps İ to ı, which breaks
/// search for every name with a dotted capital (İlqar, İsmayıllı), so search keys are built with
/// `lowercased(with:)` under the `az` locale after NFC normalisation instead.
public enum AzText {
    public static let locale = Locale(identifier: "az")

    /// The key under which a word is indexed and searched: NFC, trimmed, Azerbaijani lower case,
    /// inner whitespace collapsed to one space.
    public static func searchKey(_ text: String) -> String {
        let lower = nfc(text).lowercased(with: locale)
        // Split on scalars, not Characters: grapheme breaking costs several times the rest of
        // the key, and a whitespace scalar is never part of a letter.
        return lower.unicodeScalars.split(whereSeparator: isWhitespace).map(String.UnicodeScalarView.init)
            .map(String.init).joined(separator: " ")
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
    }

    /// The text in Unicode normal form C (so "ə" typed as e + combining mark and "ə" as one
    /// letter seal, index and compare alike). Most text already is, which the standard library
    /// checks in a fraction of what Foundation's normalisation costs.
    public static func nfc(_ text: String) -> String {
        var span = text.utf8Span
        return span.checkForNFC(quickCheck: true) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// Whole words of a name, each as a search key (for blind-index tokens).
    public static func wordKeys(_ text: String) -> [String] {
        searchKey(text).split(separator: " ").map(String.init)
    }

    public static func uppercased(_ text: String) -> String {
        nfc(text).uppercased(with: locale)
    }

    /// The Azerbaijani alphabet in order (lower case): … g ğ h x ı i j k q l … o ö … s ş … u ü …
    static let alphabet = Array("abcçdeəfgğhxıijkqlmnoöprsştuüvyz")
    private static let rank: [Character: Int] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })

    /// A collation key: digits, then the letters in alphabet order, then anything else by code
    /// point. Foundation's `compare(_:options:range:locale:)` with `az` is not a consistent order on
    /// Linux ("Ğ" and "Gülnar" each compare greater than the other), which makes `sorted` unstable,
    /// so the order is defined here and tested.
    public static func collationKey(_ text: String) -> [Int] {
        searchKey(text).map { character in
            if let letter = rank[character] { return 100 + letter }
            if let digit = character.wholeNumberValue, character.isASCII { return 10 + digit }
            if character == " " { return 0 }
            return 1000 + Int(character.unicodeScalars.first!.value)
        }
    }

    /// Orders strings by the Azerbaijani alphabet (C Ç … Ə … G Ğ H X I İ … K Q … O Ö … S Ş … U Ü),
    /// case-insensitively; exact ties fall back to code points so the order is total.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        let (a, b) = (collationKey(lhs), collationKey(rhs))
        return a == b ? lhs < rhs : a.lexicographicallyPrecedes(b)
    }

    public static func sorted(_ items: [String]) -> [String] {
        items.sorted(by: precedes)
    }

    public static func sorted<T>(_ items: [T], by key: (T) -> String) -> [T] {
        items.map { (item: $0, text: key($0), key: collationKey(key($0))) }
            .sorted { $0.key == $1.key ? $0.text < $1.text : $0.key.lexicographicallyPrecedes($1.key) }
            .map(\.item)
    }
}
