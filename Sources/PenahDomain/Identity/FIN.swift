/// The personal identification number (FİN) printed on Azerbaijani ID cards: seven characters of
/// digits and Latin capitals without I and O (they read like 1 and 0). There is no checksum.
public struct FIN: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    static let alphabet = Set("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    /// Accepts lower case and surrounding spaces; stores upper-case ASCII. Returns nil when invalid.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Upper-case with ASCII rules: a FIN is Latin, and the Azerbaijani `i`→`İ` mapping would
        // turn a typed `i` into a non-ASCII letter instead of rejecting it.
        let upper = String(trimmed.unicodeScalars.map { scalar -> Character in
            ("a"..."z").contains(scalar) ? Character(UnicodeScalar(scalar.value - 32)!) : Character(scalar)
        })
        guard upper.count == 7, upper.allSatisfy(FIN.alphabet.contains) else { return nil }
        value = upper
    }

    public var description: String { value }
}

import Foundation
