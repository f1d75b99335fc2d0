import Crypto
import Foundation

/// RFC 6238 time-based one-time passwords: HMAC-SHA-1, 30-second steps, six digits, accepting one
/// step either side for clock drift. The caller stores the accepted step so a code works once.
enum TOTP {
    static let period: Int64 = 30

    static func step(at date: Date) -> Int64 { Int64(date.timeIntervalSince1970) / period }

    static func code(secret: Data, step: Int64) -> String {
        var counter = step.bigEndian
        let message = Data(bytes: &counter, count: 8)
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        return String(format: "%06u", value % 1_000_000)
    }

    /// The step the code belongs to, if it is valid now and newer than `lastUsedStep`.
    static func verify(_ submitted: String, secret: Data, at date: Date, lastUsedStep: Int64) -> Int64? {
        let digits = submitted.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let now = step(at: date)
        for candidate in [now - 1, now, now + 1] where candidate > lastUsedStep {
            if constantTimeEqual(TOTP.code(secret: secret, step: candidate), digits) { return candidate }
        }
        return nil
    }

    static func provisioningURI(secret: Data, username: String, issuer: String = "Penah") -> String {
        let label = "\(issuer):\(username)".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? username
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(issuer)&algorithm=SHA1&digits=6&period=30"
    }
}

/// RFC 4648 base32 without padding, as authenticator apps expect.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    static func encode(_ data: Data) -> String {
        var output = ""
        var buffer = 0, bits = 0
        for byte in data {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }

    static func decode(_ text: String) -> Data? {
        var buffer = 0, bits = 0
        var output = Data()
        for character in text.uppercased() where character != "=" {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}

