import Crypto
import Foundation
import Testing
@testable import PenahServer

@Suite("Hex")
struct HexTests {
    @Test("appendUUID writes exactly Foundation's uuidString")
    func uuid() {
        for uuid in (0..<200).map({ _ in UUID() }) + [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                                                       UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))] {
            var bytes: [UInt8] = []
            Hex.appendUUID(uuid, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == uuid.uuidString)
        }
    }

    @Test("uuid reads every UUID Foundation writes, in either case, and refuses malformed text (stricter than Foundation's sscanf)")
    func parse() {
        for uuid in (0..<200).map({ _ in UUID() }) {
            #expect(Hex.uuid(uuid.uuidString) == uuid)
            #expect(Hex.uuid(uuid.uuidString.lowercased()) == uuid)
        }
        let good = UUID().uuidString
        var malformed = ["", "-", String(good.dropLast()), good + "0", "{\(good)}", good.replacingOccurrences(of: "-", with: ""),
                         " " + good.dropFirst(), String(repeating: "G", count: 36), "'><script>alert(1)</script>' OR 1=1 --"]
        let hyphen = good.firstIndex(of: "-")!
        malformed.append(good.replacingCharacters(in: hyphen...hyphen, with: "0"))
        malformed.append(good.replacingCharacters(in: good.startIndex...good.startIndex, with: "-"))
        malformed.append(String(good.dropLast(2)) + "é")
        for text in malformed {
            #expect(Hex.uuid(text) == nil, "\(text)")
        }
    }

    @Test("matches accepts only the exact lower-case hex of the bytes")
    func matches() {
        let digest = SHA256.hash(data: Data("penah".utf8))
        let hex = Hex.encode(digest)
        #expect(Hex.matches(digest, hex))
        #expect(!Hex.matches(digest, hex.uppercased()))
        #expect(!Hex.matches(digest, String(hex.dropLast())))
        #expect(!Hex.matches(digest, hex + "0"))
        #expect(!Hex.matches(digest, String(hex.dropLast()) + (hex.last == "0" ? "1" : "0")))
    }
}
