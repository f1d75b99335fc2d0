import Foundation
import Testing
@testable import PenahServer

@Suite("QR codes drawn on the server")
struct QRCodeTests {
    struct Fixture { let text: String; let version: Int; let mask: Int; let rows: [String] }

    /// Matrices made by python-qrcode, an independent encoder, with `QRFixtures.py` beside this file.
    static let fixtures: [Fixture] = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("QRFixtures.txt")
        let blocks = (try? String(contentsOf: file, encoding: .utf8))?.components(separatedBy: "\n\n") ?? []
        return blocks.compactMap { block in
            let lines = block.split(separator: "\n").map(String.init)
            guard let head = lines.first?.split(separator: "\t", omittingEmptySubsequences: false), head.count == 3,
                  let version = Int(head[1]), let mask = Int(head[2]) else { return nil }
            return Fixture(text: String(head[0]), version: version, mask: mask, rows: Array(lines.dropFirst()))
        }
    }()

    @Test("module for module the same symbol as an independent encoder, versions 1 to 10 (version information included)")
    func matchesReference() throws {
        #expect(Self.fixtures.count == 6)
        for fixture in Self.fixtures {
            let code = try QRCode(fixture.text, mask: fixture.mask)
            #expect(code.version == fixture.version, "\(fixture.text.prefix(20))")
            let rows = code.modules.map { row in String(row.map { $0 ? "1" : "0" }) }
            #expect(rows == fixture.rows, "version \(fixture.version), mask \(fixture.mask) differs")
        }
    }

    @Test("the smallest version that holds the text; more than version 10 holds is refused, not truncated")
    func sizes() throws {
        #expect(QRCode.capacity(1) == 14 && QRCode.capacity(7) == 122 && QRCode.capacity(10) == 213)
        #expect(try QRCode(String(repeating: "a", count: 14)).version == 1)
        #expect(try QRCode(String(repeating: "a", count: 15)).version == 2)
        #expect(throws: QRCode.Failure.self) { try QRCode(String(repeating: "a", count: 214)) }
    }

    @Test("the chosen mask is the one with the lowest penalty, and the drawing has every dark module and nothing but path commands")
    func maskAndSVG() throws {
        let text = "otpauth://totp/Penah:x?secret=ABC"
        let chosen = try QRCode(text)
        for mask in 0..<8 { #expect(chosen.penalty <= (try QRCode(text, mask: mask)).penalty) }
        let dark = chosen.modules.joined().filter { $0 }.count
        #expect(chosen.pathData.components(separatedBy: "h1v1h-1z").count - 1 == dark)
        #expect(chosen.pathData.allSatisfy { "Mhvz-1234567890 ".contains($0) }, "only path commands, nothing to escape")
        #expect(chosen.side == chosen.size + 8)
    }
}
