import Fluent
import Foundation
import PenahDomain
import Vapor

/// The supervisor's queue figures (`/queue-stats/{unit}`): today, and the last 30 days as a
/// server-rendered SVG bar chart (drawn by the template from numbers; no script, no library)
/// with the same figures as a table.
struct QueueStatsPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.queueStats, use: page).access(.action(.viewQueueStats))
    }

    struct Figures: Encodable {
        let day: String
        let issued: Int
        let served: Int
        let noShows: Int
        let wait: String
        let service: String
        let busiestHour: String
    }

    struct Bar: Encodable { let x: Int; let y: Int; let height: Int; let label: String; let value: Int }

    struct Context: Encodable {
        let page: PageFrame
        let unitName: String
        let today: Figures
        let days: [Figures]
        let bars: [Bar]
        let chartMax: Int
    }

    static let chartHeight = 160

    @Sendable func page(_ req: Request) async throws -> View {
        let unit = try await QueueService.unit(code: req.parameters.get("unitCode") ?? "", for: req.requireStaff(), on: req.db)
        let now = Date()
        let days = (0..<30).reversed().map { BakuFormat.dayKey(now.addingTimeInterval(Double(-$0) * 86_400)) }
        let tickets = try await Ticket.query(on: req.db).filter(\.$unit.$id == unit.requireID())
            .filter(\.$day >= days[0]).all()
        let byDay = Dictionary(grouping: tickets, by: \.day)
        let figures = days.map { day in
            QueueStatistics.figures(day: day, tickets: (byDay[day] ?? []).map {
                TicketTimes(issuedAt: $0.issuedAt, calledAt: $0.calledAt, finishedAt: $0.finishedAt,
                            finishedNormally: $0.status == .finished, noShow: $0.status == .noShow)
            })
        }
        let language = req.language
        let shown = figures.map { Self.present($0, language) }
        let maxIssued = max(figures.map(\.issued).max() ?? 0, 1)
        let bars = figures.enumerated().map { index, day in
            let height = day.issued * Self.chartHeight / maxIssued
            return Bar(x: 40 + index * 18, y: 10 + Self.chartHeight - height, height: height,
                       label: String(day.day.suffix(5)), value: day.issued)
        }
        return try await req.view.render("queue-stats", Context(
            page: req.staffFrame(titleKey: "queue.stats.heading"), unitName: unit.name, today: shown.last!,
            days: shown.reversed(), bars: bars, chartMax: maxIssued))
    }

    static func present(_ f: QueueDayFigures, _ language: Language) -> Figures {
        func duration(_ seconds: Int?) -> String {
            guard let seconds else { return "—" }
            let (m, s) = QueueStatistics.minutesSeconds(seconds)
            return Catalogue.shared.text("queue.stats.duration", language, ["m": String(m), "s": String(s)])
        }
        let busiest = f.perHour.enumerated().max { $0.element < $1.element }
        let hour = (busiest?.element ?? 0) > 0 ? String(format: "%02d:00", busiest!.offset) : "—"
        let parts = f.day.split(separator: "-")
        return Figures(day: "\(parts[2]).\(parts[1]).\(parts[0])", issued: f.issued, served: f.served, noShows: f.noShows,
                       wait: duration(f.averageWaitSeconds), service: duration(f.averageServiceSeconds), busiestHour: hour)
    }
}
