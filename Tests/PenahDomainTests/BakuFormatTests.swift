import Foundation
import Testing
@testable import PenahDomain

@Suite("Dates and numbers")
struct BakuFormatTests {
    // 2024-03-31T21:30:00Z is already 1 April, 01:30 in Baku (UTC+4).
    let lateEvening = Date(timeIntervalSince1970: 1_711_920_600)

    @Test("dates are dd.MM.yyyy in Asia/Baku")
    func dates() {
        #expect(BakuFormat.date(lateEvening) == "01.04.2024")
        #expect(BakuFormat.time(lateEvening) == "01:30")
        #expect(BakuFormat.dateTime(lateEvening) == "01.04.2024 01:30")
        #expect(BakuFormat.dayKey(lateEvening) == "2024-04-01")
    }

    @Test("parsing a Baku day round-trips and refuses impossible dates")
    func parse() throws {
        let date = try #require(BakuFormat.parseDate("29.02.2024"))
        #expect(BakuFormat.date(date) == "29.02.2024")
        #expect(BakuFormat.parseDate("31.02.2024") == nil)
        #expect(BakuFormat.parseDate("2024-02-01") == nil)
        #expect(BakuFormat.parseDate("1.2.2024") == nil)
        #expect(BakuFormat.parseDate("") == nil)
    }

    @Test("numbers use a dot for thousands and a comma for decimals", arguments: [
        (1234.5, 1, "1.234,5"), (1234567, 0, "1.234.567"), (12, 0, "12"), (-9876.54, 2, "-9.876,54"), (0.5, 1, "0,5"),
    ])
    func numbers(value: Double, digits: Int, expected: String) {
        #expect(BakuFormat.number(value, fractionDigits: digits) == expected)
    }
}
