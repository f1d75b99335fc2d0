/// Checks the usual shape of an Azerbaijani ID card number. Old and foreign documents differ, so a
/// mismatch is a warning for the operator to double-check, never a hard stop.
public enum IdentityDocumentNumber {
    public enum Shape: Equatable, Sendable { case idCardNew, idCardOld, unrecognised }

    /// `AZE` + 8 digits (cards since 2013) or `AA` + 7 digits (older cards).
    public static func shape(of text: String) -> Shape {
        let compact = text.uppercased().filter { !$0.isWhitespace }
        if compact.hasPrefix("AZE"), compact.count == 11, compact.dropFirst(3).allSatisfy(\.isASCIIDigit) { return .idCardNew }
        if compact.hasPrefix("AA"), compact.count == 9, compact.dropFirst(2).allSatisfy(\.isASCIIDigit) { return .idCardOld }
        return .unrecognised
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
