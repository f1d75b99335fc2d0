/// Name search that forgives the keyboard. Staff type names as they can: without the Azerbaijani
/// letters ("Hasanova" for "Həsənova"), from a Russian spelling ("Гасанова", "Алиева"), or only the
/// start of a word ("Həsə"). Each name word is indexed under loose forms and their prefixes (still as
/// keyed blind indexes: no plain text is stored), and a typed word is looked up by its loose form.
///
/// The loose form: Cyrillic (Azerbaijani and Russian letters) transliterated to Azerbaijani Latin,
/// Azerbaijani lower case, then folded to what a plain keyboard and a Russian spelling give —
/// ı→i, ğ→g, ş→s, ç→c, ö→o, ü→u, h and q→g (Russian writes both as «г»), y→i, and a "y" between
/// vowels dropped — and doubled letters made single. "ə" is typed as "a" or as "e", so a word with "ə" has two loose forms.
/// The folding makes different names meet now and then ("Qasımova" and "Həsimova"); a search shows
/// candidates, staff choose.
public enum NameSearch {
    /// Shorter typed words are too common to narrow anything: they are searched exactly only.
    public static let minimumPrefix = 3
    /// Longer prefixes add index rows and narrow nothing further.
    public static let maximumPrefix = 20

    /// The keys a name word is indexed under: every prefix, from `minimumPrefix` to
    /// `maximumPrefix` letters, of each of its loose forms.
    public static func indexKeys(_ word: String) -> Set<String> {
        var keys: Set<String> = []
        for form in looseForms(word) {
            let letters = Array(form.prefix(maximumPrefix))
            guard letters.count >= minimumPrefix else { continue }
            for length in minimumPrefix...letters.count { keys.insert(String(letters[0..<length])) }
        }
        return keys
    }

    /// The key a typed word is looked up by, or nil when it is too short to look up loosely.
    /// A typed "ə" is taken as "a": the index holds that form too.
    public static func queryKey(_ word: String) -> String? {
        guard let form = looseForm(word, schwa: "a") else { return nil }
        let key = String(form.prefix(maximumPrefix))
        return key.count >= minimumPrefix ? key : nil
    }

    /// The word's loose forms: one with "ə" as "a", one with "ə" as "e" (the same when it has none).
    public static func looseForms(_ word: String) -> Set<String> {
        Set(["a", "e"].compactMap { looseForm(word, schwa: $0) })
    }

    static func looseForm(_ word: String, schwa: Character) -> String? {
        let latin = Array(AzText.searchKey(transliterate(AzText.searchKey(word))))
        var folded: [Character] = []
        for (index, letter) in latin.enumerated() {
            // A "y" between vowels is not written in Russian ("Ağayeva", "Агаева").
            if letter == "y", index > 0, index + 1 < latin.count, vowels.contains(latin[index - 1]), vowels.contains(latin[index + 1]) { continue }
            guard let plain = letter == "ə" ? schwa : (letter.isLetter || letter.isNumber ? (fold[letter] ?? letter) : nil) else { continue }
            // Doubled letters are written single in Russian ("Məmmədov", "Мамедов").
            if folded.last != plain { folded.append(plain) }
        }
        return folded.isEmpty ? nil : String(folded)
    }

    /// Cyrillic to Azerbaijani Latin. "ю" after a consonant is the "ü" of a Russian spelling
    /// ("Гюльнара", "Шукюр"), elsewhere "yu" ("Юсиф").
    private static func transliterate(_ text: String) -> String {
        let letters = Array(text)
        var latin = ""
        for (index, letter) in letters.enumerated() {
            if letter == "ю" {
                let afterConsonant = index > 0 && letters[index - 1].isLetter && !cyrillicVowels.contains(letters[index - 1])
                latin += afterConsonant ? "ü" : "yu"
            } else {
                latin += transliterated[letter] ?? String(letter)
            }
        }
        return latin
    }

    private static let vowels: Set<Character> = ["a", "e", "ə", "i", "ı", "o", "ö", "u", "ü"]
    private static let cyrillicVowels: Set<Character> = ["а", "е", "ё", "и", "о", "у", "ы", "э", "ю", "я", "ә", "ө", "ү"]

    private static let fold: [Character: Character] = [
        "ı": "i", "ğ": "g", "ş": "s", "ç": "c", "ö": "o", "ü": "u", "h": "g", "q": "g", "y": "i",
    ]

    /// Cyrillic letters, Azerbaijani and Russian, in Azerbaijani Latin (lower case).
    private static let transliterated: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "q", "ғ": "ğ", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
        "и": "i", "й": "y", "ј": "y", "к": "k", "ҝ": "g", "л": "l", "м": "m", "н": "n", "о": "o", "ө": "ö",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "ü", "ф": "f", "х": "x", "һ": "h", "ц": "ts",
        "ч": "ç", "ҹ": "c", "ш": "ş", "щ": "şç", "ъ": "", "ы": "ı", "ь": "", "э": "e", "ю": "yu", "я": "ya",
        "ә": "ə",
    ]
}
