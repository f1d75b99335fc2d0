import Foundation
import Testing
@testable import PenahDomain

@Suite("README")
struct ReadmeMatrixTests {
    @Test("the README's role matrix is the policy table")
    func matrix() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = readme.components(separatedBy: "<!-- policy:start -->\n").last?.components(separatedBy: "\n<!-- policy:end -->").first
        #expect(section == AccessPolicy.markdownMatrix())
    }
}
