/// The plural forms of CLDR for whole numbers, as the three languages use them.
public enum PluralForm: String, CaseIterable, Sendable, Hashable {
    case one, few, many, other
}

public enum PluralRule {
    /// The forms a plural entry must give in the language.
    public static func forms(of language: Language) -> Set<PluralForm> {
        language == .ru ? [.one, .few, .many] : [.one, .other]
    }

    /// Russian: 1, 21, 101 take `one`; 2–4, 22–24 `few`; 0, 5–20, 25–30, 111–114 `many`.
    /// Azerbaijani and English: `one` for 1 only. (Azerbaijani keeps the noun singular after a
    /// numeral — "5 bilet" — so its two forms usually differ only where the number is not written.)
    public static func form(for count: Int, in language: Language) -> PluralForm {
        let n = abs(count)
        switch language {
        case .ru:
            let (tens, hundreds) = (n % 10, n % 100)
            if tens == 1 && hundreds != 11 { return .one }
            if (2...4).contains(tens) && !(12...14).contains(hundreds) { return .few }
            return .many
        case .az, .en:
            return n == 1 ? .one : .other
        }
    }
}
