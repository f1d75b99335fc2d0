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

    /// What would run or style a page outside the CSP's `'self'`: unescaped output, an event-handler
    /// attribute, a script without `src`, a `javascript:` URL, inline style.
    static func unsafeParts(_ text: String) -> [String] {
        let patterns: [(String, Regex<AnyRegexOutput>)] = [
            ("unsafeHTML", try! Regex("unsafeHTML")),
            ("event handler", try! Regex(#"<[^>]*\son[a-z]+\s*="#).ignoresCase()),
            ("inline script", try! Regex(#"<script(?![^>]*\ssrc=)[^>]*>"#).ignoresCase()),
            ("javascript: URL", try! Regex(#"javascript:"#).ignoresCase()),
            ("inline style", try! Regex(#"<style|\sstyle\s*="#).ignoresCase()),
        ]
        return patterns.filter { text.firstMatch(of: $0.1) != nil }.map(\.0)
    }

    @Test("the check finds every kind of unsafe markup it names", arguments: [
        "<body onload=\"x()\">", "<img src=x OnError = 'y'>", "<script>alert(1)</script>", "<script type=\"module\">",
        "<a href=\"JavaScript:x\">", "<p style=\"color:red\">", "<style>p{}</style>", "#unsafeHTML(x)",
    ])
    func checkFindsUnsafe(_ sample: String) {
        #expect(!Self.unsafeParts(sample).isEmpty)
    }

    @Test("the check lets safe markup through", arguments: [
        "<script src=\"/js/quick-exit.js\" defer></script>", "<p>Tonight is calm</p>", "<input name=\"ongoing\">",
    ])
    func checkPassesSafe(_ sample: String) {
        #expect(Self.unsafeParts(sample).isEmpty)
    }

    @Test("no template disables escaping, carries an event handler or inlines script or style")
    func safeTemplates() throws {
        for (name, text) in try templates() {
            #expect(Self.unsafeParts(text).isEmpty, "\(name): \(Self.unsafeParts(text))")
        }
    }
}
