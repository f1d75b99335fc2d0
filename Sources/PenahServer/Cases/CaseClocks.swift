import Foundation
import PenahDomain

/// DESIGN.md's clocks as they run on one case. Back office arrives with placement requests.
enum CaseClocks {
    static func of(_ record: CaseRecord, standards: TimeStandards) -> [CaseClock] {
        var clocks: [CaseClock] = []
        if let called = record.calledAt {
            clocks.append(CaseClock(kind: .operator, startedAt: called, stoppedAt: record.registeredAt, limitMinutes: standards.operatorMinutes))
        }
        // A refusal also ends the front office's work on the case.
        let frontStop = record.decidedAt ?? (record.status == .refused ? record.concludedAt : nil)
        clocks.append(CaseClock(kind: .frontOffice, startedAt: record.calledAt ?? record.registeredAt, stoppedAt: frontStop,
                                limitMinutes: standards.frontOfficeMinutes))
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

    static func views(_ record: CaseRecord, standards: TimeStandards, now: Date = Date()) -> [View] {
        of(record, standards: standards).map { clock in
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
