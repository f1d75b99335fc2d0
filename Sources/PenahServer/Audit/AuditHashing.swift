import Crypto
import Foundation

/// How an event is identified and chained: its time-ordered id, and the keyed hash that links it to
/// the event before it.
extension AuditLog {
    /// An event's id, ordered by time as UUID version 7 is (48 bits of Unix milliseconds, then
    /// random bits): new events then land at the end of the id index instead of on a random page
    /// of it each, so a commit writes fewer index pages (on SQLite, to the WAL it waits on; the
    /// benchmark's audited writes went about a third faster).
    static func eventID(occurredMs: Int64) -> UUID {
        var bytes = UUID().uuid
        let ms = UInt64(max(0, occurredMs))
        withUnsafeMutableBytes(of: &bytes) { out in
            for index in 0..<6 { out[index] = UInt8(truncatingIfNeeded: ms >> (8 * (5 - index))) }
            out[6] = 0x70 | (out[6] & 0x0F)
            out[8] = 0x80 | (out[8] & 0x3F)
        }
        return UUID(uuid: bytes)
    }

    /// The hash of events written before the chain had a key (SHA-256 of the predecessor's hash
    /// and the canonical form). Still checked, but only before a chain's first keyed event.
    static func hash(prev: String, canonical: String) -> String {
        Hex.encode(SHA256.hash(data: Array(prev.utf8) + Array(canonical.utf8)))
    }

    /// `k` + HMAC-SHA-256 under the audit chain key of the predecessor's hash, the event's id and
    /// every other stored field (the canonical form): a row whose id, any field or place in the
    /// chain changes no longer matches, and nobody without the key can make it match again.
    static let keyedPrefix = "k"

    static func keyedHash(key: SymmetricKey, prev: String, id: UUID, canonical: String) -> String {
        var bytes: [UInt8] = []
        appendKeyedInput(to: &bytes, prev: prev, id: id)
        bytes += canonical.utf8
        return keyedPrefix + Hex.encode(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }

    private static func appendKeyedInput(to bytes: inout [UInt8], prev: String, id: UUID) {
        bytes += prev.utf8
        bytes.append(0x1F)
        Hex.appendUUID(id, to: &bytes)
        bytes.append(0x1F)
    }

    /// Whether a stored event's hash is the hash of its stored predecessor and its own content.
    /// `buffer` is reused from event to event: verification checks every event in the trail.
    static func hashMatches(_ event: StoredAuditEvent, chain: String, key: SymmetricKey, buffer: inout [UInt8]) -> Bool {
        buffer.removeAll(keepingCapacity: true)
        guard event.hash.hasPrefix(keyedPrefix) else {
            buffer += event.prevHash.utf8
            AuditEvent.appendCanonical(to: &buffer, seq: event.seq, chain: chain, occurredMs: event.occurredMs,
                                       actorID: event.actorID, tail: event.tail)
            return Hex.matches(SHA256.hash(data: buffer), event.hash)
        }
        appendKeyedInput(to: &buffer, prev: event.prevHash, id: event.id)
        AuditEvent.appendCanonical(to: &buffer, seq: event.seq, chain: chain, occurredMs: event.occurredMs,
                                   actorID: event.actorID, tail: event.tail)
        return Hex.matches(HMAC<SHA256>.authenticationCode(for: buffer, using: key), String(event.hash.dropFirst(keyedPrefix.count)))
    }
}
