import Foundation

/// A QR code (ISO/IEC 18004) of a short text, drawn on the server so that the enrolment page's
/// `otpauth://` URI never leaves for a third-party image service. Byte mode, error correction level
/// M, versions 1 to 10 (up to 213 bytes: an enrolment URI needs about 120). No library for this is
/// on these machines, so it is written here, small: the tests check it module for module against
/// an independent encoder's output, and the browser walk decodes the drawn code.
struct QRCode {
    /// `modules[y][x]`, true for dark.
    let modules: [[Bool]]
    let version: Int
    let mask: Int
    /// The standard's penalty score of the chosen mask (lower reads more reliably).
    let penalty: Int
    var size: Int { modules.count }

    enum Failure: Error { case tooLong }

    /// Level M's layout per version: (data blocks of the short size, short block's data bytes,
    /// blocks one byte longer, error-correction bytes per block).
    private static let blocks: [(short: Int, shortData: Int, long: Int, ecc: Int)] = [
        (1, 16, 0, 10), (1, 28, 0, 16), (1, 44, 0, 26), (2, 32, 0, 18), (2, 43, 0, 24),
        (4, 27, 0, 16), (4, 31, 0, 18), (2, 38, 2, 22), (3, 36, 2, 22), (4, 43, 1, 26),
    ]
    private static let alignment: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]

    /// The smallest version that holds the text; the mask with the lowest penalty unless one is given.
    init(_ text: String, mask fixedMask: Int? = nil) throws {
        let bytes = Array(text.utf8)
        guard let version = (1...10).first(where: { Self.capacity($0) >= bytes.count }) else { throw Failure.tooLong }
        let codewords = Self.codewords(Self.data(bytes, version: version), version: version)
        var grid = Grid(version: version)
        grid.place(codewords)
        let candidates = fixedMask.map { [$0] } ?? Array(0..<8)
        let masked = candidates.map { mask -> (Int, Grid) in
            var copy = grid
            copy.apply(mask: mask)
            return (mask, copy)
        }
        let (mask, best) = masked.min { $0.1.penalty < $1.1.penalty }!
        self.version = version
        self.mask = mask
        penalty = best.penalty
        modules = best.dark
    }

    /// Bytes the version holds at level M in byte mode (4 bits of mode, 8 of length up to version 9, 16 from 10).
    static func capacity(_ version: Int) -> Int {
        let layout = blocks[version - 1]
        let dataBits = (layout.short * layout.shortData + layout.long * (layout.shortData + 1)) * 8
        return (dataBits - 4 - (version < 10 ? 8 : 16)) / 8
    }

    /// The data codewords: mode, length, the bytes, the terminator, then the pad bytes.
    private static func data(_ bytes: [UInt8], version: Int) -> [UInt8] {
        let layout = blocks[version - 1]
        let total = layout.short * layout.shortData + layout.long * (layout.shortData + 1)
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in (0..<count).reversed() { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        append(0, min(4, total * 8 - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var result = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while result.count < total { result.append(pad); pad = pad == 0xEC ? 0x11 : 0xEC }
        return result
    }

    /// Splits the data into blocks, adds each block's Reed–Solomon bytes, and interleaves them.
    private static func codewords(_ data: [UInt8], version: Int) -> [UInt8] {
        let layout = blocks[version - 1]
        var dataBlocks: [[UInt8]] = []
        var start = 0
        for index in 0..<(layout.short + layout.long) {
            let length = layout.shortData + (index < layout.short ? 0 : 1)
            dataBlocks.append(Array(data[start..<start + length]))
            start += length
        }
        let divisor = ReedSolomon.divisor(degree: layout.ecc)
        let eccBlocks = dataBlocks.map { ReedSolomon.remainder($0, divisor) }
        var result: [UInt8] = []
        for i in 0...layout.shortData { for block in dataBlocks where i < block.count { result.append(block[i]) } }
        for i in 0..<layout.ecc { for block in eccBlocks { result.append(block[i]) } }
        return result
    }

    /// The dark modules as one SVG path of unit squares, offset by the four-module quiet zone; the
    /// template draws it (`side` by `side`), so no markup is built outside a template.
    var pathData: String {
        var path = ""
        for (y, row) in modules.enumerated() { for (x, dark) in row.enumerated() where dark { path += "M\(x + 4) \(y + 4)h1v1h-1z" } }
        return path
    }

    /// The symbol's side with its quiet zone, in modules.
    var side: Int { size + 8 }
}

/// Arithmetic in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1, as QR codes use it.
private enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in (0..<8).reversed() {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> i) & 1) * Int(x)
        }
        return UInt8(z)
    }

    /// The generator polynomial ∏(x − αⁱ), i < degree, highest coefficient (always 1) left out.
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in result.indices { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }
}

/// The matrix while it is built: the function patterns (finders, timing, alignment, format and
/// version areas) are fixed first, and the data fills the rest.
private struct Grid {
    let version: Int
    let size: Int
    var dark: [[Bool]]
    var fixed: [[Bool]]

    init(version: Int) {
        self.version = version
        size = version * 4 + 17
        dark = Array(repeating: Array(repeating: false, count: size), count: size)
        fixed = dark
        for i in 0..<size { set(6, i, i % 2 == 0); set(i, 6, i % 2 == 0) }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] { finder(x, y) }
        let positions = QRCode.alignmentPositions(version)
        for x in positions { for y in positions {
            let corner = (x == 6 && y == 6) || (x == 6 && y == positions.last!) || (x == positions.last! && y == 6)
            if !corner { alignment(x, y) }
        } }
        format(bits: 0) // reserved now, written once the mask is chosen
        if version >= 7 { versionInfo() }
    }

    mutating func set(_ x: Int, _ y: Int, _ value: Bool) {
        dark[y][x] = value
        fixed[y][x] = true
    }

    /// A finder centred on (x, y), with its light separator.
    private mutating func finder(_ cx: Int, _ cy: Int) {
        for dy in -4...4 { for dx in -4...4 {
            let x = cx + dx, y = cy + dy
            guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
            let ring = max(abs(dx), abs(dy))
            set(x, y, ring != 2 && ring != 4)
        } }
    }

    private mutating func alignment(_ cx: Int, _ cy: Int) {
        for dy in -2...2 { for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) } }
    }

    /// Level M (00) and the mask, BCH-coded and masked, in both copies; and the dark module.
    mutating func format(bits mask: Int) {
        let value = mask // level M's two bits are 00
        var remainder = value
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (value << 10 | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0..<6 { set(8, i, bit(i)) }
        set(8, 7, bit(6)); set(8, 8, bit(7)); set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    private mutating func versionInfo() {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = version << 12 | remainder
        for i in 0..<18 {
            let value = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3, b = i / 3
            set(a, b, value); set(b, a, value)
        }
    }

    /// The codewords in the standard zigzag: two columns at a time from the right, up then down,
    /// stepping over the vertical timing pattern.
    mutating func place(_ codewords: [UInt8]) {
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    guard !fixed[y][x] else { continue }
                    if index < codewords.count * 8 {
                        dark[y][x] = (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
                        index += 1
                    }
                }
            }
            right -= 2
        }
    }

    mutating func apply(mask: Int) {
        for y in 0..<size { for x in 0..<size where !fixed[y][x] {
            let flip = switch mask {
            case 0: (x + y) % 2 == 0
            case 1: y % 2 == 0
            case 2: x % 3 == 0
            case 3: (x + y) % 3 == 0
            case 4: (x / 3 + y / 2) % 2 == 0
            case 5: x * y % 2 + x * y % 3 == 0
            case 6: (x * y % 2 + x * y % 3) % 2 == 0
            default: ((x + y) % 2 + x * y % 3) % 2 == 0
            }
            if flip { dark[y][x].toggle() }
        } }
        format(bits: mask)
    }

    /// The standard's penalty: runs of five or more, 2×2 blocks, finder-like patterns, and imbalance.
    var penalty: Int {
        var score = 0
        let columns = (0..<size).map { x in (0..<size).map { dark[$0][x] } }
        for line in dark + columns {
            var run = 1
            for i in 1..<size {
                if line[i] == line[i - 1] { run += 1 } else { if run >= 5 { score += run - 2 }; run = 1 }
            }
            if run >= 5 { score += run - 2 }
            // 1:1:3:1:1 dark-light with four light modules on one side.
            let pattern: [Bool] = [true, false, true, true, true, false, true]
            for i in 0...(size - 7) where Array(line[i..<i + 7]) == pattern {
                let before = i >= 4 && !line[(i - 4)..<i].contains(true)
                let after = i + 11 <= size && !line[(i + 7)..<(i + 11)].contains(true)
                if before || after { score += 40 }
            }
        }
        for y in 0..<(size - 1) { for x in 0..<(size - 1) {
            let c = dark[y][x]
            if c == dark[y][x + 1] && c == dark[y + 1][x] && c == dark[y + 1][x + 1] { score += 3 }
        } }
        let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
        let total = size * size
        // Ten points for each 5 % the dark share strays from half (the size is odd, so it never is half).
        score += ((abs(darkCount * 20 - total * 10) + total - 1) / total - 1) * 10
        return score
    }
}

extension QRCode {
    /// Centres of the alignment patterns for a version (version 1 has none).
    static func alignmentPositions(_ version: Int) -> [Int] { alignment[version - 1] }
}
