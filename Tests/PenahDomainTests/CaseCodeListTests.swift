import Testing
@testable import PenahDomain

@Suite("Stored code lists")
struct CaseCodeListTests {
    @Test("a stored list reads back in full, and the empty list is empty")
    func roundTrip() throws {
        let factors: [RiskFactor] = [.strangulation, .stalking]
        #expect(try RiskFactor.list(RiskFactor.store(factors)) == factors)
        #expect(try RiskFactor.list("") == [])
    }

    @Test("a value the enum lacks throws, naming the list and not the value, instead of vanishing")
    func unknownThrows() {
        #expect(throws: UnknownStoredCode(list: RiskFactor.listName)) { try RiskFactor.list("strangulation,bogus") }
    }
}
