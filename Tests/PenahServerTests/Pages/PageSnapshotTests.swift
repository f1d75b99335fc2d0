import Foundation
import SnapshotTesting
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

/// The main pages' HTML as committed under `__Snapshots__`: a change to a page's markup shows up as a
/// diff to review, not as a surprise in the browser. What differs from run to run (ids, tokens,
/// names made for the test, dates and times, the case's number and pseudonym, clocks) is replaced
/// by a placeholder first. To accept a deliberate change: `SNAPSHOT_TESTING_RECORD=failed swift test
/// --filter PageSnapshotTests`, then review and commit the new files.
@Suite("Page snapshots")
struct PageSnapshotTests {
    /// The HTML with every value that changes between runs named instead.
    static func stable(_ html: String, _ known: [String: String] = [:]) -> String {
        var text = html
        for (value, name) in known.sorted(by: { $0.key.count > $1.key.count }) {
            text = text.replacingOccurrences(of: value, with: "<\(name)>")
        }
        let patterns: [(String, String)] = [
            (#"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"#, "<uuid>"),
            (#"name="csrf" value="[^"]*""#, #"name="csrf" value="<csrf>""#),
            (#"content="[A-Za-z0-9_\-]{20,}""#, #"content="<token>""#),
            (#"\b\d{2}\.\d{2}\.\d{4}\b"#, "<date>"),
            (#"\b\d{4}-\d{2}-\d{2}(T[0-9:.]+Z?)?\b"#, "<date>"),
            (#"\b\d{1,2}:\d{2}(:\d{2})?\b"#, "<time>"),
            // A clock's span ("1 d 0 h", "3 h 20 min", "12 min") moves with the seconds a test takes.
            (#"\b\d+ (gün|д|d) \d+ (saat|ч|h)(?!\p{L})"#, "<span>"),
            (#"\b(\d+ (saat|ч|h) )?\d+ (min|мин|dəq)(?!\p{L})"#, "<span>"),
            (#"\b\d+ (min|мин|dəq)"#, "<n> $1"),
            (#"(data-[a-z-]*(?:seconds|ms|at|expires)[a-z-]*)="[^"]*""#, #"$1="<n>""#),
        ]
        for (pattern, replacement) in patterns {
            text = text.replacing(try! Regex(pattern)) { match in
                var out = replacement
                for index in 1..<match.output.count {
                    out = out.replacingOccurrences(of: "$\(index)", with: match.output[index].substring.map(String.init) ?? "")
                }
                return out
            }
        }
        return text
    }

    /// The page at `path`, made stable, compared with its snapshot `name`.
    func check(_ app: Application, _ path: String, headers: HTTPHeaders = [:], known: [String: String] = [:], named name: String,
               testName: String = #function, line: UInt = #line) async throws {
        let response = try await app.send(.GET, path, headers: headers)
        #expect(response.status == .ok, "\(path): \(response.status)")
        let html = Self.stable(response.body.string, known)
        assertSnapshot(of: html, as: .lines, named: name, testName: testName, line: line)
    }

    @Test("the public home page (az) and the sign-in page (en)")
    func publicPages() async throws {
        try await withPenah { app in
            try await check(app, "/?lang=az", named: "home-az")
            try await check(app, "/login?lang=en", named: "login-en")
        }
    }

    @Test("reception's start page (ru) and desk (en)")
    func reception() async throws {
        try await withPenah { app in
            let browser = try await app.browser(.reception)
            let known = [browser.staff.username: "username"]
            try await check(app, "/staff?lang=ru", headers: browser.headers, known: known, named: "staff-ru")
            try await check(app, "/desk/BAKU-1?desk=2&lang=en", headers: browser.headers, known: known, named: "desk-en")
        }
    }

    @Test("a registered case as the lawyer sees it (az), and the case list (en)")
    func lawyer() async throws {
        try await withPenah { app in
            let id = try await app.caller(.reception).register()
            let record = try #require(try await CaseRecord.find(id, on: app.db))
            let browser = try await app.browser(.lawyer)
            let known = [browser.staff.username: "username", record.number: "case-number", record.pseudonym: "pseudonym"]
            try await check(app, "/cases/\(id)?lang=az", headers: browser.headers, known: known, named: "case-az")
            try await check(app, "/cases?lang=en", headers: browser.headers, known: known, named: "cases-en")
        }
    }

    @Test("the placement inbox as SXA sees it (en)")
    func sxa() async throws {
        try await withPenah { app in
            let caseID = try await app.decidedCase()
            _ = try await app.placementRequest(caseID: caseID)
            let request = try #require(try await PlacementRequest.query(on: app.db).first())
            let browser = try await app.browser(.sxaOfficer)
            let known = [browser.staff.username: "username", request.pseudonym: "pseudonym"]
            try await check(app, "/sxa/inbox?lang=en", headers: browser.headers, known: known, named: "sxa-inbox-en")
        }
    }

    @Test("the normaliser keeps the markup and names only what changes")
    func normaliser() {
        let html = #"<p data-expires-at="1765000000">Case BAKU-1-2026-000001, 07.12.2026 14:05, 3 h 12 min left, 1 d 0 h over, 5 minutes</p><input name="csrf" value="abc">"#
        let stable = Self.stable(html, ["BAKU-1-2026-000001": "case-number"])
        #expect(stable == #"<p data-expires-at="<n>">Case <case-number>, <date> <time>, <span> left, <span> over, <n> minutes</p><input name="csrf" value="<csrf>">"#)
    }
}
