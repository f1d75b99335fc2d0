import Testing
@testable import PenahDomain

@Suite("Clocks in human units")
struct ClockSpanTests {
    @Test("minutes under an hour, hours and minutes under a day, then days and hours", arguments: [
        (0, "0 min"), (59, "0 min"), (12 * 60 + 30, "12 min"), (3_600, "1 h 0 min"), (3 * 3_600 + 20 * 60, "3 h 20 min"),
        (86_399, "23 h 59 min"), (86_400, "1 d 0 h"), (415_258 * 60, "288 d 8 h"), (-30, "0 min"),
    ])
    func english(seconds: Int, expected: String) {
        #expect(ClockSpan.text(seconds: seconds, .en) == expected)
    }

    @Test("each language has its own units")
    func languages() {
        let span = 4 * 86_400 + 7 * 3_600
        #expect(ClockSpan.text(seconds: span, .az) == "4 gün 7 saat")
        #expect(ClockSpan.text(seconds: span, .ru) == "4 д 7 ч")
        #expect(Catalogue.shared.text("clock.over", .en, ["span": ClockSpan.text(seconds: span, .en)]) == "overdue by 4 d 7 h")
    }
}
