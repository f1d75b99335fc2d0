/// An Azerbaijani phone number (+994 and nine national digits). Accepts the forms people write:
/// `+994 50 123 45 67`, `994501234567`, `050-123-45-67`, `(012) 555 12 34`.
public struct PhoneNumber: Hashable, Sendable {
    /// The nine digits after the country code, e.g. `501234567`.
    public let nationalDigits: String

    public init?(_ text: String) {
        guard text.count <= 40 else { return nil }
        let allowed = Set("0123456789+-() .")
        guard text.allSatisfy(allowed.contains) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // A plus sign only at the very start, and then only for +994.
        let hasPlus = trimmed.hasPrefix("+")
        if trimmed.dropFirst(hasPlus ? 1 : 0).contains("+") { return nil }
        var digits = trimmed.filter(\.isNumber)
        if digits.hasPrefix("994") { digits.removeFirst(3) }
        else if hasPlus { return nil }
        else if digits.hasPrefix("0") { digits.removeFirst() }
        guard digits.count == 9, digits.first != "0" else { return nil }
        nationalDigits = digits
    }

    /// `+994501234567` — the form stored and used for exact lookups.
    public var e164: String { "+994" + nationalDigits }

    /// `050 123 45 67` — the national form shown to staff.
    public var national: String {
        let d = Array(nationalDigits)
        return "0\(String(d[0..<2])) \(String(d[2..<5])) \(String(d[5..<7])) \(String(d[7..<9]))"
    }

    /// `+994 50 123 45 67`.
    public var international: String {
        let d = Array(nationalDigits)
        return "+994 \(String(d[0..<2])) \(String(d[2..<5])) \(String(d[5..<7])) \(String(d[7..<9]))"
    }
}

import Foundation
