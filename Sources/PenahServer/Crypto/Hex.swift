import Foundation

/// Lower-case hex, without `String(format:)` (which costs more than a SHA-256 of a short string).
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `hex` is the lower-case hex of `bytes`, without building a string. On contiguous
    /// bytes: verification calls it for every event, and a digest iterated as a generic sequence
    /// cost more than comparing its bytes in place.
    static func matches(_ bytes: some ContiguousBytes, _ hex: String) -> Bool {
        var hex = hex
        return hex.withUTF8 { expected in
            bytes.withUnsafeBytes { raw in
                guard expected.count == raw.count * 2 else { return false }
                for (index, byte) in raw.enumerated()
                where expected[2 * index] != digits[Int(byte >> 4)] || expected[2 * index + 1] != digits[Int(byte & 0x0F)] {
                    return false
                }
                return true
            }
        }
    }

    /// Reads a UUID written 8-4-4-4-12 in hex of either case. `UUID(uuidString:)` reads the same,
    /// and a few malformed strings besides, but on Linux it parses with `sscanf`, which cost
    /// verification more than the SHA-256 of the event.
    static func uuid(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { utf8 -> UUID? in
            guard utf8.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        guard utf8[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    guard let high = value(utf8[position]), let low = value(utf8[position + 1]) else { return false }
                    out[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return parsed ? UUID(uuid: bytes) : nil
        }
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static let upperDigits = Array("0123456789ABCDEF".utf8)

    /// Appends `uuid.uuidString` (upper case, 8-4-4-4-12), several times faster than Foundation's.
    static func appendUUID(_ uuid: UUID, to out: inout [UInt8]) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(upperDigits[Int(byte >> 4)])
                out.append(upperDigits[Int(byte & 0x0F)])
            }
        }
    }
}

/// Compares secrets without an early exit, so timing does not reveal how much matched.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<x.count { difference |= x[i] ^ y[i] }
    return difference == 0
}
