import Foundation

/// A notice informing law enforcement (card field 22, step 4) and the rules of its life:
/// `queued → sent → acknowledged`, or `failed` after the retry limit; a failed notice can be queued
/// again by hand. An acknowledgement may overtake our own record of the send (the gateway answered,
/// we crashed before writing `sent`, or gave up too early), so `queued`/`failed → acknowledged` are allowed too.
public enum NoticeStatus: String, CaseCode {
    case queued, sent, acknowledged, failed
    public static let listName = "noticeStatus"

    public func allows(_ next: NoticeStatus) -> Bool {
        switch (self, next) {
        case (.queued, .sent), (.queued, .acknowledged), (.queued, .failed), (.sent, .acknowledged), (.failed, .queued), (.failed, .acknowledged): true
        default: false
        }
    }
}

public enum NoticeUrgency: String, CaseCode {
    case routine, urgent
    public static let listName = "noticeUrgency"

    /// Urgent whenever the risk is high, whatever was asked for.
    public static func effective(asked: NoticeUrgency, risk: RiskLevel?) -> NoticeUrgency {
        risk == .high ? .urgent : asked
    }
}

/// How a notice leaves: the police gateway over HTTP, a letter delivered by hand, or — when the act
/// on file is a police protocol — nothing at all, because the police already know (`alreadyKnown`).
public enum NoticeChannel: String, CaseCode {
    case policeGateway, letter, alreadyKnown
    public static let listName = "noticeChannel"
}

/// Where a unit's notices go (configuration): the police gateway or a letter by hand, and — beside
/// either — registration as an outgoing document in ESDAS (MEİS document circulation).
public enum DeliveryRoute: String, CaseIterable, Codable, Sendable {
    case policeGateway, letter, esdas
}

/// The victim's position on prosecution, as she stated it to the lawyer.
public enum ProsecutionPosition: String, CaseCode {
    case wantsProsecution, doesNotWant, undecided
    public static let listName = "prosecution"
}

/// Exponential backoff with full jitter: attempt n waits a random time in [0, min(cap, base·2ⁿ)],
/// so many nodes retrying after one outage do not all knock at the same moment.
public enum Backoff {
    public static func delay(attempt: Int, baseMilliseconds: Int, capMilliseconds: Int,
                             using random: inout some RandomNumberGenerator) -> Int {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(capMilliseconds, baseMilliseconds << exponent)
        return ceiling <= 0 ? 0 : Int.random(in: 0...ceiling, using: &random)
    }

    public static func delay(attempt: Int, baseMilliseconds: Int, capMilliseconds: Int) -> Int {
        var generator = SystemRandomNumberGenerator()
        return delay(attempt: attempt, baseMilliseconds: baseMilliseconds, capMilliseconds: capMilliseconds, using: &generator)
    }
}
