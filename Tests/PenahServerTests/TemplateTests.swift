import Foundation
import Testing
@testable import PenahDomain
@testable import PenahServer

@Suite("Templates")
struct TemplateTests {
    func templates() throws -> [(String, String)] {
        let dir = URL(fileURLWithPath: Views.resourcesDirectory + "Views")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".leaf") }.map {
            ($0, try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8))
        }
    }

    @Test("every literal message key in a template exists in the catalogue")
    func keysExist() throws {
        let keys = Catalogue.shared.allKeys
        let pattern = try Regex(#"#t\("([^"]+)""#)
        for (name, text) in try templates() {
            for match in text.matches(of: pattern) {
                let key = String(match.output[1].substring!)
                #expect(keys.contains(key), "\(name) uses unknown key \(key)")
            }
        }
    }

    @Test("no tag is followed by a colon (Leaf would read it as a block)")
    func noColonAfterTag() throws {
        let pattern = try Regex(#"#t\([^)]*\):"#)
        for (name, text) in try templates() {
            #expect(text.firstMatch(of: pattern) == nil, "\(name)")
        }
    }

    @Test("no template disables escaping or inlines script or style")
    func safeTemplates() throws {
        for (name, text) in try templates() {
            #expect(!text.contains("unsafeHTML"), "\(name)")
            #expect(!text.contains("<script>") && !text.contains("style=") && !text.contains("<style"), "\(name)")
            #expect(!text.contains(" on") || !text.contains("onclick="), "\(name)")
        }
    }
}
