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

/// Ticket numbers: series letter and three digits, `S-001`.
public enum TicketNumber {
    public static let socialServicesSeries = "S"

    public static func format(series: String, number: Int) -> String {
        series + "-" + (number < 1000 ? String(String(number + 1000).dropFirst()) : String(number))
    }
}
