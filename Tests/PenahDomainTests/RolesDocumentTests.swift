import Foundation
import Testing
@testable import PenahDomain

@Suite("Roles document")
struct RolesDocumentTests {
    @Test("docs/roles.md carries the policy table as `penah policy` prints it, and the README points to it")
    func matrix() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let roles = try String(contentsOf: root.appendingPathComponent("docs/roles.md"), encoding: .utf8)
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("docs/roles.md"))
        #expect(!readme.contains("<!-- policy:start -->"), "one copy of the table")
        let section = roles.components(separatedBy: "<!-- policy:start -->\n").last?.components(separatedBy: "\n<!-- policy:end -->").first
        #expect(section == AccessPolicy.markdownMatrix())
    }
}
