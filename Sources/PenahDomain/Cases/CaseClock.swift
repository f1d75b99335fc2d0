import Foundation

/// One of DESIGN.md's time standards as it runs on a case: started, maybe stopped, against a limit.
public struct CaseClock: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable { case `operator`, frontOffice, backOffice, total }
    public enum State: Equatable, Sendable {
        case running(secondsLeft: Int), overdue(secondsOver: Int), metOnTime(seconds: Int), metLate(secondsOver: Int)
    }

    public let kind: Kind
    public let startedAt: Date
    public let stoppedAt: Date?
    public let limitSeconds: Int

    public init(kind: Kind, startedAt: Date, stoppedAt: Date?, limitMinutes: Int) {
        self.kind = kind
        self.startedAt = startedAt
        self.stoppedAt = stoppedAt
        self.limitSeconds = limitMinutes * 60
    }

    public var dueAt: Date { startedAt.addingTimeInterval(TimeInterval(limitSeconds)) }

    public func state(at now: Date) -> State {
        let elapsed = Int((stoppedAt ?? now).timeIntervalSince(startedAt))
        if stoppedAt != nil { return elapsed <= limitSeconds ? .metOnTime(seconds: elapsed) : .metLate(secondsOver: elapsed - limitSeconds) }
        return elapsed <= limitSeconds ? .running(secondsLeft: limitSeconds - elapsed) : .overdue(secondsOver: elapsed - limitSeconds)
    }

    public func isOverdue(at now: Date) -> Bool {
        switch state(at: now) { case .overdue, .metLate: true; default: false }
    }

    public var messageKey: String { "clock.\(kind.rawValue)" }
}

/// "1 h 05 min" style durations are built by the view from minutes; this keeps the arithmetic here.
public enum DurationParts {
    public static func hoursAndMinutes(_ seconds: Int) -> (hours: Int, minutes: Int) {
        let minutes = max(0, seconds) / 60
        return (minutes / 60, minutes % 60)
    }
}
