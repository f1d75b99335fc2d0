/// A queue ticket's life (card field 22, steps 1–2). Tickets carry a neutral series letter and a
/// number — never a name, never a word about violence.
public enum TicketStatus: String, CaseIterable, Sendable, Codable {
    case waiting, called, serving, finished, noShow
}

public enum TicketPriority: String, CaseIterable, Sendable, Codable {
    case standard, priority

    /// The order of calling: priority tickets first, then by issue time (the queue's SQL keeps
    /// the same order in `QueueRepository.rank`, which a test compares with this).
    public var rank: Int { self == .priority ? 0 : 1 }
}

/// What a desk can do to a ticket.
public enum TicketTransition: String, CaseIterable, Sendable {
    case call, recall, noShow, start, finish, transfer

    /// The status after the transition, or nil when the current status does not allow it.
    public func apply(to status: TicketStatus) -> TicketStatus? {
        switch (self, status) {
        case (.call, .waiting): .called
        case (.recall, .called): .called
        case (.noShow, .called): .noShow
        case (.start, .called): .serving
        case (.finish, .serving): .finished
        case (.transfer, .called), (.transfer, .serving): .called
        default: nil
        }
    }
}

/// What a desk may do.
public enum DeskRules {
    /// A ticket called to a desk, or served there, holds the desk: the desk finishes it, marks it a
    /// no-show or transfers it before it calls the next visitor — otherwise tickets pile up "called"
    /// at one desk and the people holding them are never seen. (The desk page keeps this; the API's
    /// call-next answers as the contract says, for desk devices that keep their own rule.)
    public static func holdsDesk(_ status: TicketStatus) -> Bool { status == .called || status == .serving }
}

/// Ticket numbers: series letter and three digits, `S-001`.
public enum TicketNumber {
    public static let socialServicesSeries = "S"

    /// A label as `format` makes it (`S-001`, `S-1234`): one to three capital letters, a hyphen, digits.
    public static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...3).contains(parts[0].count), (3...6).contains(parts[1].count) else { return false }
        return parts[0].allSatisfy { $0.isASCII && $0.isUppercase } && parts[1].allSatisfy { $0.isASCII && $0.isNumber }
    }

    public static func format(series: String, number: Int) -> String {
        series + "-" + (number < 1000 ? String(String(number + 1000).dropFirst()) : String(number))
    }
}
