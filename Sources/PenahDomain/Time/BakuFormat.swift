import Foundation

/// How dates, times and numbers are shown: `dd.MM.yyyy`, 24-hour time, in Asia/Baku, and numbers
/// as `1.234,5`. Stored values stay UTC; this is only presentation.
public enum BakuFormat {
    public static let timeZone = TimeZone(identifier: "Asia/Baku")!

    private static func formatter(_ pattern: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = pattern
        return formatter
    }

    // DateFormatter is thread-safe for formatting on Linux and Darwin since Swift 5; creating one
    // per call costs more than the whole page render, so they are shared.
    nonisolated(unsafe) private static let dateFormatter = formatter("dd.MM.yyyy")
    nonisolated(unsafe) private static let dateTimeFormatter = formatter("dd.MM.yyyy HH:mm")
    nonisolated(unsafe) private static let timeFormatter = formatter("HH:mm")

    public static func date(_ date: Date) -> String { dateFormatter.string(from: date) }
    public static func dateTime(_ date: Date) -> String { dateTimeFormatter.string(from: date) }
    public static func time(_ date: Date) -> String { timeFormatter.string(from: date) }

    /// Parses `dd.MM.yyyy` as a calendar day in Baku; nil for anything else (including 31.02.2024).
    public static func parseDate(_ text: String) -> Date? {
        let parts = text.split(separator: ".")
        guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == components else { return nil }
        return date
    }

    /// The calendar day in Baku, `yyyy-MM-dd`, for per-day counters such as ticket numbers.
    public static func dayKey(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }()

    /// `1.234,5` — dot for thousands, comma for decimals, as Azerbaijani and Russian readers expect.
    public static func number(_ value: Double, fractionDigits: Int = 0) -> String {
        let negative = value < 0
        let rounded = String(format: "%.\(fractionDigits)f", abs(value))
        let parts = rounded.split(separator: ".")
        var whole = String(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "." + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        grouped = whole + grouped
        if parts.count > 1 { grouped += "," + parts[1] }
        return (negative ? "-" : "") + grouped
    }
}
