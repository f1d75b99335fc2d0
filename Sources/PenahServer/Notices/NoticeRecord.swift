import Fluent
import Foundation
import PenahDomain

/// A law-enforcement notice: a numbered document whose content (`body`, sealed JSON — it names
/// her) is frozen when the notice is created, so what was sent is what is on file.
final class NoticeRecord: Model, @unchecked Sendable {
    static let schema = "law_enforcement_notices"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "unit_id") var unitID: UUID
    @Field(key: "number") var number: String
    @Field(key: "urgency") var urgency: NoticeUrgency
    @Field(key: "channel") var channel: NoticeChannel
    @Field(key: "status") var status: NoticeStatus
    @Field(key: "body") var body: String
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "failed_at") var failedAt: Date?
    /// The police's own reference: from the acknowledgement, or the protocol already on file.
    @OptionalField(key: "reference") var reference: String?
    /// Who carried a printed letter, when the channel is `letter`.
    @OptionalField(key: "delivered_by") var deliveredBy: String?
    /// The outgoing document number ESDAS registered it under.
    @OptionalField(key: "outgoing_number") var outgoingNumber: String?

    init() {}

}

/// The transactional outbox: one row per notice to deliver, written in the notice's transaction.
/// A node claims a row by writing a lease (its claim token and an expiry); a crashed node's lease
/// runs out and another node takes the row over. Times are whole milliseconds, compared exactly.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "notice_id") var noticeID: UUID
    @Field(key: "channel") var route: DeliveryRoute
    /// 0 urgent, 1 routine: lower goes first.
    @Field(key: "priority") var priority: Int
    @Field(key: "status") var state: OutboxState
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_ms") var nextAttemptMs: Int64
    @OptionalField(key: "lease_token") var leaseToken: String?
    @OptionalField(key: "lease_until_ms") var leaseUntilMs: Int64?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_ms") var createdMs: Int64

    init() {}
}
