import Foundation

/// Queue figures for one unit and day: wait (issued → called), service (called → finished),
/// no-shows and tickets per hour — what DOST publishes per centre.
public struct QueueDayFigures: Sendable, Equatable {
    public var day: String
    public var issued: Int
    public var served: Int
    public var noShows: Int
    public var averageWaitSeconds: Int?
    public var averageServiceSeconds: Int?
    /// Tickets issued per hour of the Baku day, 0…23.
    public var perHour: [Int]
}

public struct TicketTimes: Sendable {
    public let issuedAt: Date
    public let calledAt: Date?
    public let finishedAt: Date?
    public let finishedNormally: Bool
    public let noShow: Bool

    public init(issuedAt: Date, calledAt: Date?, finishedAt: Date?, finishedNormally: Bool, noShow: Bool) {
        self.issuedAt = issuedAt
        self.calledAt = calledAt
        self.finishedAt = finishedAt
        self.finishedNormally = finishedNormally
        self.noShow = noShow
    }
}

public enum QueueStatistics {
    public static func figures(day: String, tickets: [TicketTimes]) -> QueueDayFigures {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = BakuFormat.timeZone
        var perHour = Array(repeating: 0, count: 24)
        for ticket in tickets { perHour[calendar.component(.hour, from: ticket.issuedAt)] += 1 }
        let waits = tickets.compactMap { t in t.calledAt.map { $0.timeIntervalSince(t.issuedAt) } }
        let services = tickets.filter(\.finishedNormally).compactMap { t -> Double? in
            guard let called = t.calledAt, let finished = t.finishedAt else { return nil }
            return finished.timeIntervalSince(called)
        }
        func average(_ values: [Double]) -> Int? { values.isEmpty ? nil : Int((values.reduce(0, +) / Double(values.count)).rounded()) }
        return QueueDayFigures(day: day, issued: tickets.count, served: services.count,
                               noShows: tickets.filter(\.noShow).count, averageWaitSeconds: average(waits),
                               averageServiceSeconds: average(services), perHour: perHour)
    }

    /// `2 min 57 s` style, for the page (localised units are passed in).
    public static func minutesSeconds(_ seconds: Int) -> (minutes: Int, seconds: Int) { (seconds / 60, seconds % 60) }
}
