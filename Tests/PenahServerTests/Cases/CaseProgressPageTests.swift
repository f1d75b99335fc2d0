import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("The case page's progress view and contents")
struct CaseProgressPageTests {
    @Test("the steps say what is done and who acts next, link to sections the reader has, and no heading appears that the role cannot use")
    func progress() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception)
            let path = try await CasePagesTests.register(app, reception)
            let front = try await app.send(.GET, path + "?lang=en", headers: reception.headers).body.string
            #expect(front.contains("<li class=\"step-next\"><a href=\"#decision-h\">Joint interview</a>: <strong>next</strong> · who acts: Lawyer, Psychologist</li>"))
            #expect(front.contains("<a href=\"#placement-h\">Placement through SXA</a>: <strong>not possible yet</strong> · a joint decision in effect first")
                    || front.contains("<a href=\"#decision-h\">Placement through SXA</a>: <strong>not possible yet</strong> · a joint decision in effect first"))
            // Reception neither sees the interview nor may refuse: no such sections, no such links.
            #expect(!front.contains("id=\"interview-h\"") && !front.contains("id=\"refusal-h\"") && !front.contains("href=\"#refusal-h\""))
            #expect(front.contains("<li><a href=\"#docs-h\">"))

            let lawyer = try await app.browser(.lawyer)
            let page = try await app.send(.GET, path + "?lang=en", headers: lawyer.headers).body.string
            #expect(page.contains("id=\"interview-h\"") && page.contains("id=\"refusal-h\"") && page.contains("href=\"#refusal-h\""))
            #expect(page.contains("<a href=\"#interview-h\">Joint interview</a>"))
            // The placement section, nothing to do there yet, says so rather than standing empty.
            #expect(page.contains("<p>\(Catalogue.shared.text("placement.none", .en))</p>"))
            // Every link of the progress view and the contents leads to a section on the page.
            for anchor in page.components(separatedBy: "href=\"#").dropFirst().map({ String($0.prefix { $0 != "\"" }) }) where anchor != "main" {
                #expect(page.contains("id=\"\(anchor)\""), "#\(anchor) has no section")
            }

            // A decided case with the act on file: everything done but the placement, which is next.
            let decided = try await app.decidedCase()
            let ready = try await app.send(.GET, "/cases/\(decided)?lang=en", headers: lawyer.headers).body.string
            #expect(ready.contains("<a href=\"#placement-h\">Placement through SXA</a>: <strong>next</strong>"))
            #expect(!ready.contains(Catalogue.shared.text("placement.none", .en)))
            #expect(ready.components(separatedBy: "class=\"step-done\"").count - 1 == 3)
            _ = try await app.placementRequest(caseID: decided)
            let sent = try await app.send(.GET, "/cases/\(decided)?lang=en", headers: lawyer.headers).body.string
            #expect(sent.contains("<strong>waiting</strong> · who acts: SXA officer · SXA decides"))
        }
    }
}
