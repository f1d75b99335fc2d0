import Fluent
import Foundation

/// One audit event. It names who did what to which record, from where and when — never the
/// personal data itself. `hash = SHA-256(prevHash ‖ canonical event)` within the event's chain.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "chain") var chain: String
    @Field(key: "seq") var seq: Int
    @Field(key: "occurred_ms") var occurredMs: Int64
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_role") var actorRole: String
    @Field(key: "unit_code") var unitCode: String
    @Field(key: "action") var action: String
    @Field(key: "record_type") var recordType: String
    @OptionalField(key: "record_id") var recordID: String?
    @Field(key: "outcome") var outcome: String
    @Field(key: "request_id") var requestID: String
    @Field(key: "address") var address: String
    @Field(key: "prev_hash") var prevHash: String
    @Field(key: "hash") var hash: String

    init() {}

    /// The fields in a fixed order, separated by the ASCII unit separator: what the hash covers.
    var canonical: String {
        Self.canonical(seq: seq, chain: chain, occurredMs: occurredMs, actorID: actorID, actorRole: actorRole, unitCode: unitCode,
                       action: action, recordType: recordType, recordID: recordID, outcome: outcome, requestID: requestID, address: address)
    }

    /// The one definition of the canonical form, shared by appending and verification: the
    /// fields in this order, joined by the unit separator, absent values as "-".
    static func canonical(seq: Int, chain: String, occurredMs: Int64, actorID: UUID?, actorRole: String, unitCode: String,
                          action: String, recordType: String, recordID: String?, outcome: String, requestID: String,
                          address: String) -> String {
        canonical(seq: seq, chain: chain, occurredMs: occurredMs, actorID: actorID,
                  tail: [actorRole, unitCode, action, recordType, recordID ?? "-", outcome, requestID, address]
                    .joined(separator: separator))
    }

    /// The same, with the text fields from `actorRole` on already joined (verification has the
    /// database join them).
    static func canonical(seq: Int, chain: String, occurredMs: Int64, actorID: UUID?, tail: String) -> String {
        var bytes: [UInt8] = []
        appendCanonical(to: &bytes, seq: seq, chain: chain, occurredMs: occurredMs, actorID: actorID, tail: tail)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the canonical form as UTF-8: verification hashes every event in the trail, and
    /// building strings (Foundation's `uuidString` above all) cost more than the SHA-256.
    static func appendCanonical(to bytes: inout [UInt8], seq: Int, chain: String, occurredMs: Int64, actorID: UUID?, tail: String) {
        let unit = UInt8(0x1F)
        bytes += String(seq).utf8
        bytes.append(unit)
        bytes += chain.utf8
        bytes.append(unit)
        bytes += String(occurredMs).utf8
        bytes.append(unit)
        if let actorID { Hex.appendUUID(actorID, to: &bytes) } else { bytes.append(UInt8(ascii: "-")) }
        bytes.append(unit)
        bytes += tail.utf8
    }

    static let separator = "\u{1F}"
}

/// The head of each chain: its last sequence number and hash. Appending updates this row first,
/// which takes the row's write lock, so appends to one chain are serialised while other units'
/// chains proceed in parallel.
final class AuditChainHead: Model, @unchecked Sendable {
    static let schema = "audit_chain_heads"
    @ID(custom: "chain", generatedBy: .user) var id: String?
    @Field(key: "seq") var seq: Int
    @Field(key: "hash") var hash: String
    init() {}
}
