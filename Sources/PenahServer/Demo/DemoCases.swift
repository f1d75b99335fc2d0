import Fluent
import Foundation
import PenahDomain

/// Synthetic cases for `penah seed-demo --cases N` and the case benchmark: invented people with
/// common Azerbaijani names, districts and dates, registered through the real registration service
/// (sealed identity, blind indexes, numbering, audit) so the data has production's shape.
/// A fixed seed makes two runs produce the same people.
struct DemoCases {
    static let firstNames = ["Aynur", "Gülnarə", "Səbinə", "Nərmin", "Günel", "Ülviyyə", "Leyla", "Xədicə", "Şəbnəm", "Aygün",
                             "Könül", "Röya", "İradə", "Zəhra", "Çiçək", "Məleykə", "Fidan", "Nigar", "Lalə", "Səadət"]
    static let surnames = ["Məmmədova", "Əliyeva", "Hüseynova", "Həsənova", "Quliyeva", "İsmayılova", "Rzayeva", "Kərimova",
                           "Səfərova", "Nəsirova", "Abbasova", "Cəfərova", "Qasımova", "Bayramova", "Şükürova", "Orucova"]
    static let fathers = ["Rəşid", "Əli", "Vaqif", "Elçin", "Tofiq", "İlqar", "Namiq", "Şahin", "Fuad", "Ramil", "Zaur", "Mübariz"]
    static let districts = ["Nəsimi", "Yasamal", "Xətai", "Nərimanov", "Binəqədi", "Sabunçu", "Suraxanı", "Qaradağ", "Xəzər",
                            "Abşeron", "Sumqayıt", "Bərdə", "Ağdam", "Tərtər", "Ağcabədi", "İsmayıllı", "Şəki", "Gəncə"]
    static let units = ["BAKU-1", "BAKU-2", "BAKU-3", "BAKU-4", "BAKU-5", "ABSHERON", "KARABAKH", "KARABAKH-AGDAM", "KARABAKH-TARTAR"]
    static let finAlphabet = Array("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    /// SplitMix64: small, fast, and the same sequence on every machine.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The `n`-th invented application and when it was registered (within the year before `now`).
    static func application(_ n: Int, now: Date = Date()) -> (input: RegistrationInput, unitCode: String, registeredAt: Date) {
        var rng = Generator(state: UInt64(n) &* 7_919 &+ 17)
        func pick<T>(_ list: [T]) -> T { list[Int(rng.next() % UInt64(list.count))] }
        let year = 1965 + Int(rng.next() % 40)
        let birth = String(format: "%04d-%02d-%02d", year, 1 + Int(rng.next() % 12), 1 + Int(rng.next() % 28))
        var victim = RegistrationInput.Victim(firstName: pick(firstNames), lastName: pick(surnames), birthDate: birth, sex: .female,
                                              residence: rng.next() % 50 == 0 ? .foreignerPermanent : .citizen, documentType: .idCard,
                                              documentNumber: "AZE" + String(format: "%08d", Int(rng.next() % 100_000_000)))
        victim.patronymic = pick(fathers) + " qızı"
        victim.fin = String((0..<7).map { _ in pick(finAlphabet) })
        victim.phone = "+994" + pick(["50", "51", "55", "70", "77", "99"]) + String(format: "%07d", Int(rng.next() % 10_000_000))
        victim.address = "\(pick(districts)) r-nu, \(1 + rng.next() % 200) saylı ev"
        victim.preferredLanguage = rng.next() % 10 == 0 ? "ru" : "az"
        var consent = RegistrationInput.Consent(services: true, capturedAs: .signature)
        consent.referral = rng.next() % 3 != 0
        let input = RegistrationInput(channel: rng.next() % 8 == 0 ? .callCentre : .inPerson, applicant: .init(kind: .victim),
                                      victim: victim, consent: consent)
        let registeredAt = now.addingTimeInterval(-Double(rng.next() % (365 * 86_400)))
        return (input, pick(units), registeredAt)
    }

    let db: any Database
    let vault: IdentityVault

    /// Registers cases `from ..< from + count` with `workers` writers at once; returns how many.
    @discardableResult
    func seed(count: Int, from: Int = 0, workers: Int = 4, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Int {
        guard count > 0 else { return 0 }
        let registrar = try await StaffUser.query(on: db).filter(\.$role == .reception).first()
        let registrarID = registrar?.id ?? UUID()
        let registration = CaseRegistration(db: db, vault: vault)
        let now = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    for n in stride(from: from + worker, to: from + count, by: workers) {
                        let (input, unitCode, at) = Self.application(n, now: now)
                        let staff = StaffContext(userID: registrarID, username: "seed-demo", displayName: "seed-demo", role: .reception,
                                                 unitCode: unitCode, unitName: unitCode, session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil))
                        _ = try await registration.register(input, staff: staff, actor: .system("seed-demo"), now: at)
                        if n % 1_000 == 0 { progress?(n) }
                    }
                }
            }
            try await group.waitForAll()
        }
        return count
    }
}
