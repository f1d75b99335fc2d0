import Foundation
import PenahDomain

/// DESIGN.md's clocks as they run on one case. The back-office clock runs from a placement
/// request's submission to SXA's decision, when there is one.
enum CaseClocks {
    static func of(_ record: CaseRecord, standards: TimeStandards, placement: PlacementRequest? = nil) -> [CaseClock] {
        var clocks: [CaseClock] = []
        if let called = record.calledAt {
            clocks.append(CaseClock(kind: .operator, startedAt: called, stoppedAt: record.registeredAt, limitMinutes: standards.operatorMinutes))
        }
        // A refusal also ends the front office's work on the case.
        let frontStop = record.decidedAt ?? (record.status == .refused ? record.concludedAt : nil)
        clocks.append(CaseClock(kind: .frontOffice, startedAt: record.calledAt ?? record.registeredAt, stoppedAt: frontStop,
                                limitMinutes: standards.frontOfficeMinutes))
        if let placement {
            clocks.append(CaseClock(kind: .backOffice, startedAt: placement.submittedAt, stoppedAt: placement.decidedAt, limitMinutes: standards.backOfficeMinutes))
        }
        clocks.append(CaseClock(kind: .total, startedAt: record.registeredAt, stoppedAt: record.concludedAt, limitMinutes: standards.totalMinutes))
        return clocks
    }

    struct View: Codable, Sendable {
        let kind: String
        let startedAt: Date
        let dueAt: Date
        let stoppedAt: Date?
        let overdue: Bool
        let secondsLeft: Int?
        let secondsOver: Int?
    }

    static func views(_ record: CaseRecord, standards: TimeStandards, placement: PlacementRequest? = nil, now: Date = Date()) -> [View] {
        views(of(record, standards: standards, placement: placement), now: now)
    }

    static func views(_ clocks: [CaseClock], now: Date = Date()) -> [View] {
        clocks.map { clock in
            var left: Int?, over: Int?
            switch clock.state(at: now) {
            case .running(let seconds): left = seconds
            case .overdue(let seconds), .metLate(let seconds): over = seconds
            case .metOnTime: break
            }
            return View(kind: clock.kind.rawValue, startedAt: clock.startedAt, dueAt: clock.dueAt, stoppedAt: clock.stoppedAt,
                        overdue: clock.isOverdue(at: now), secondsLeft: left, secondsOver: over)
        }
    }
}
