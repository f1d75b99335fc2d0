import Foundation
import Testing
@testable import PenahServer

/// A link or form in a template that names a path no route answers (with that method) is a page
/// that leads nowhere: templates name pages through `#path`, and every one is checked against the
/// route table.
@Suite("Template links and forms lead to routes")
struct TemplateLinksTests {
    struct Target: CustomStringConvertible {
        let template: String; let method: String; let path: String
        var description: String { "\(template): \(method) \(path)" }
    }

    /// Every `#path("name", …)` in every template, with the method its link or form uses.
    static func targets() throws -> [Target] {
        let dir = URL(fileURLWithPath: Views.resourcesDirectory + "Views")
        let form = try Regex(#"<form\b[^>]*>"#)
        let call = try Regex(##"\b(href|action|src|data-[a-z-]+)="#path\(([^)]*)\)"##)
        var found: [Target] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".leaf") {
            let html = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let forms = html.matches(of: form).map { html[$0.range] }
            for match in html.matches(of: call) {
                guard let kind = match.output[1].substring, let raw = match.output[2].substring else { continue }
                let tag = forms.first { $0.range(of: "action=\"#path(\(raw))") != nil }
                let method = kind == "action" && tag?.lowercased().contains("method=\"post\"") == true ? "POST" : "GET"
                found.append(Target(template: name, method: method, path: String(raw)))
            }
        }
        return found
    }

    /// A `#path` call's name and values: a quoted value stays as written, a template value stands
    /// for one path segment.
    static func resolve(_ call: String) -> (SitePath?, [String]) {
        let parts = call.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let name = parts.first?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) ?? ""
        let values = parts.dropFirst().map { $0.hasPrefix("\"") ? $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : "x" }
        return (SitePath.named(name), values)
    }

    @Test("no template holds a literal path: every href, src, form action and data path is a #path")
    func noLiteralPaths() throws {
        let dir = URL(fileURLWithPath: Views.resourcesDirectory + "Views")
        let literal = try Regex(#"\b(href|action|src|data-[a-z-]+)="/"#)
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".leaf") {
            let html = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            #expect(html.matches(of: literal).isEmpty, "\(name) holds a literal path")
        }
    }

    @Test("every #path in a template names a page with its values, and a route with that method, or a public file")
    func everyTargetIsRouted() async throws {
        try await withPenah { app in
            let routes = MethodNotAllowedMiddleware(routes: app.routes)
            let publicFiles = Views.resourcesDirectory + "Public"
            let targets = try Self.targets()
            #expect(targets.count > 80, "the templates were read: \(targets.count)")
            for target in targets {
                let (page, values) = Self.resolve(target.path)
                guard let page else { Issue.record("\(target) names no SitePath"); continue }
                guard values.count == page.parameterCount else { Issue.record("\(target) gives \(values.count) values"); continue }
                let path = page.filled(values)
                if page == .stylesheet || page == .script {
                    #expect(FileManager.default.fileExists(atPath: publicFiles + path), "\(target)")
                    continue
                }
                let methods = routes.allowedMethods(for: path) ?? []
                #expect(methods.contains(target.method), "\(target) has no route (methods: \(methods))")
            }
        }
    }

    @Test("every page path is a route: SitePath holds no path nothing answers")
    func everySitePathIsRouted() async throws {
        try await withPenah { app in
            let routes = MethodNotAllowedMiddleware(routes: app.routes)
            for page in SitePath.allCases where page != .stylesheet && page != .script {
                let path = page.filled(Array(repeating: "x", count: page.parameterCount))
                #expect(routes.allowedMethods(for: path) != nil, "\(page) \(path)")
            }
        }
    }

    @Test("a path's values are encoded as one segment each, and a template naming an unknown page fails to render")
    func filling() throws {
        #expect(SitePath.case("a/b?c") == "/cases/a%2Fb%3Fc")
        #expect(SitePath.casePrint("1", "decision") == "/cases/1/print/decision")
        #expect(SitePath.home() == "/")
        #expect(throws: (any Error).self) { try PathTag.path(["noSuchPage"]) }
        #expect(throws: (any Error).self) { try PathTag.path(["case"]) }
        #expect(throws: (any Error).self) { try PathTag.path(["case", "1", "2"]) }
        #expect(try PathTag.path(["case", "7"]) == "/cases/7")
    }

    @Test("the check finds a link that leads nowhere")
    func findsABrokenLink() async throws {
        try await withPenah { app in
            let routes = MethodNotAllowedMiddleware(routes: app.routes)
            #expect(routes.allowedMethods(for: "/cases/x/no-such-page") == nil)
            #expect(routes.allowedMethods(for: "/cases/x")?.contains("GET") == true)
            #expect(routes.allowedMethods(for: "/login")?.contains("POST") == true)
        }
    }
}
