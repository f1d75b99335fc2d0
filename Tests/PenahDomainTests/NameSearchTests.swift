import Testing
@testable import PenahDomain

@Suite("Name search that forgives the keyboard")
struct NameSearchTests {
    /// Whether typing `typed` finds the name word `name`.
    func finds(_ typed: String, _ name: String) -> Bool {
        guard let key = NameSearch.queryKey(typed) else { return false }
        return NameSearch.indexKeys(name).contains(key)
    }

    @Test("a plain keyboard, a Russian spelling or the start of the word reaches the Azerbaijani name", arguments: [
        ("Hasanova", "Həsənova"), ("Hesenova", "Həsənova"), ("hasan", "Həsənova"), ("Həsə", "Həsənova"), ("Гасанова", "Həsənova"),
        ("Sukurova", "Şükürova"), ("Шукюрова", "Şükürova"), ("Alieva", "Əliyeva"), ("Алиева", "Əliyeva"), ("Aliyeva", "Əliyeva"),
        ("Guliyeva", "Quliyeva"), ("Гулиева", "Quliyeva"), ("Гусейнова", "Hüseynova"), ("Huseynova", "Hüseynova"),
        ("Ismayilova", "İsmayılova"), ("ISMAYILOVA", "İsmayılova"), ("Исмаилова", "İsmayılova"), ("Cavadova", "Cavadova"),
        ("Çingiz", "Çingiz"), ("Cingiz", "Çingiz"), ("Чингиз", "Çingiz"), ("Ogtay", "Oqtay"), ("Mamadova", "Məmmədova"),
        ("Агаева", "Ağayeva"), ("Agayeva", "Ağayeva"), ("Gulnara", "Gülnarə"), ("Гюльнара", "Gülnarə"),
    ])
    func finds(typed: String, name: String) {
        #expect(finds(typed, name), "\(typed) → \(name)")
    }

    @Test("other names, the middle of a word and words too short to narrow anything are not found", arguments: [
        ("Hasanli", "Həsənova"), ("senova", "Həsənova"), ("Ha", "Həsənova"), ("Quliyev", "Əliyeva"), ("Leyla", "Lalə"),
        ("Həsənovalar", "Həsənova"),
    ])
    func misses(typed: String, name: String) {
        #expect(!finds(typed, name), "\(typed) ↛ \(name)")
    }

    @Test("prefixes run from three letters to twenty, for each loose form")
    func prefixes() {
        let keys = NameSearch.indexKeys("Həsənova")
        #expect(keys.contains("gas") && keys.contains("gasanova") && keys.contains("ges") && keys.contains("gesenova"))
        #expect(!keys.contains("ga") && keys.allSatisfy { $0.count >= 3 })
        let long = NameSearch.indexKeys(String(repeating: "ab", count: 30))
        #expect(long.map(\.count).max() == NameSearch.maximumPrefix)
        #expect(NameSearch.indexKeys("Ə").isEmpty && NameSearch.queryKey("'><") == nil)
    }
}
