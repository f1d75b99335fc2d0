import Foundation
import Testing
@testable import PenahServer

/// A link or form in a template that names a path no route answers (with that method) is a page
/// that leads nowhere: every literal path in every template is checked against the route table.
@Suite("Template links and forms lead to routes")
struct TemplateLinksTests {
    struct Target: CustomStringConvertible {
        let template: String; let method: String; let path: String
        var description: String { "\(template): \(method) \(path)" }
    }

    static func targets() throws -> [Target] {
        let dir = URL(fileURLWithPath: Views.resourcesDirectory + "Views")
        let form = try Regex(#"<form\b[^>]*>"#)
        let attribute = try Regex(#"\b(href|action|src)="(/[^"]*)""#)
        let value = try Regex(#"#\([^)]*\)"#)
        var found: [Target] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".leaf") {
            let html = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let forms = html.matches(of: form).map { html[$0.range] }
            for match in html.matches(of: attribute) {
                guard let kind = match.output[1].substring, let raw = match.output[2].substring else { continue }
                let tag = forms.first { $0.range(of: "action=\"\(raw)\"") != nil }
                let method = kind == "action" && tag?.lowercased().contains("method=\"post\"") == true ? "POST" : "GET"
                // A template value stands for one path segment; the query and fragment are not routed.
                let path = String(raw).replacing(value, with: "x").split(separator: "?")[0].split(separator: "#").first.map(String.init) ?? "/"
                found.append(Target(template: name, method: method, path: path))
            }
        }
        return found
    }

    @Test("every href, src and form action in a template names a route with its method, or a public file")
    func everyTargetIsRouted() async throws {
        try await withPenah { app in
            let routes = MethodNotAllowedMiddleware(routes: app.routes)
            let publicFiles = Views.resourcesDirectory + "Public"
            let targets = try Self.targets()
            #expect(targets.count > 80, "the templates were read: \(targets.count)")
            for target in targets {
                if target.path.hasPrefix("/css/") || target.path.hasPrefix("/js/") {
                    #expect(FileManager.default.fileExists(atPath: publicFiles + target.path), "\(target)")
                    continue
                }
                let methods = routes.allowedMethods(for: target.path) ?? []
                #expect(methods.contains(target.method), "\(target) has no route (methods: \(methods))")
            }
        }
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
