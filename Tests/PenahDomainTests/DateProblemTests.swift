import Testing
@testable import PenahDomain

@Suite("Why a date was not read")
struct DateProblemTests {
    @Test("a date written right that names no day says so; anything else is not a date", arguments: [
        ("31.02.2030", "noSuchDay"), ("29.02.2027", "noSuchDay"), ("00.01.2020", "noSuchDay"), ("12.13.2020", "noSuchDay"),
        ("2030-02-31", "noSuchDay"), ("31/02/2030", "invalidDate"), ("1.2.2030", "invalidDate"), ("tomorrow", "invalidDate"),
        ("", "invalidDate"), ("'><script>", "invalidDate"), ("31.02.20301", "invalidDate"),
    ])
    func problem(text: String, code: String) {
        #expect(RegistrationRules.dateProblem(text) == code, "\(text)")
    }

    @Test("a real day is never called impossible")
    func realDays() {
        for text in ["29.02.2028", "31.12.1999", "2030-01-31"] {
            #expect(RegistrationRules.parseBirthDate(text) != nil, "\(text)")
        }
    }
}
