import Foundation

/// `DV-<unit>-<year>-<seq>`: the case number staff and other systems quote.
public enum CaseNumber {
    public static func make(unitCode: String, year: Int, sequence: Int) -> String {
        "DV-\(unitCode)-\(year)-" + String(format: "%05d", sequence)
    }

    /// Whether a search text has the shape of a case number (then it is matched exactly).
    public static func looksLikeOne(_ text: String) -> Bool {
        let upper = text.uppercased()
        return upper.hasPrefix("DV-") && upper.count <= 48 && upper.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

/// The pseudonym later steps use instead of the name: seven random characters from an alphabet
/// without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B) and a Luhn mod-N check character, written
/// `XXXX-XXXX`. A single mistyped character or a swap of neighbours is caught.
public enum Pseudonym {
    public static let alphabet = Array("ACDEFGHJKMNPQRTUVWXY34679")

    public static func generate<R: RandomNumberGenerator>(using random: inout R) -> String {
        let body = (0..<7).map { _ in alphabet.randomElement(using: &random)! }
        return format(body + [checkCharacter(for: body)])
    }

    public static func generate() -> String {
        var random = SystemRandomNumberGenerator()
        return generate(using: &random)
    }

    /// The canonical form of typed text (upper case, hyphen restored), or nil when it is not a valid pseudonym.
    public static func normalise(_ text: String) -> String? {
        let characters = Array(text.uppercased().filter { $0 != "-" && $0 != " " })
        guard characters.count == 8, characters.allSatisfy(alphabet.contains) else { return nil }
        guard checkCharacter(for: Array(characters.prefix(7))) == characters[7] else { return nil }
        return format(characters)
    }

    static func checkCharacter(for body: [Character]) -> Character {
        let n = alphabet.count
        var factor = 2, sum = 0
        for character in body.reversed() {
            var addend = factor * alphabet.firstIndex(of: character)!
            factor = factor == 2 ? 1 : 2
            addend = addend / n + addend % n
            sum += addend
        }
        return alphabet[(n - sum % n) % n]
    }

    private static func format(_ characters: [Character]) -> String {
        String(characters.prefix(4)) + "-" + String(characters.dropFirst(4))
    }
}
