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

    /// Whether `hex` is the lower-case hex of `bytes`, without building a string.
    static func matches<Bytes: Sequence>(_ bytes: Bytes, _ hex: String) -> Bool where Bytes.Element == UInt8 {
        var expected = hex.utf8.makeIterator()
        for byte in bytes {
            guard expected.next() == digits[Int(byte >> 4)], expected.next() == digits[Int(byte & 0x0F)] else { return false }
        }
        return expected.next() == nil
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
