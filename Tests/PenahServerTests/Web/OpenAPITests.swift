import Foundation
import Testing
import Vapor
@testable import PenahServer

@Suite("OpenAPI description")
struct OpenAPITests {
    @Test("every API route is described, and every described path exists")
    func inStep() async throws {
        try await withPenah { app in
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: OpenAPIRoute.documentURL)) as! [String: Any]
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = document["paths"] as! [String: [String: Any]]
            let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            let routes = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                guard path.hasPrefix("/api/") || path == "/health" || path == "/metrics" else { return nil }
                return "\(route.method.rawValue) \(path)"
            })
            #expect(routes == described)
        }
    }

    @Test("the document is served to a signed-in caller")
    func served() async throws {
        try await withPenah { app in
            let token = try await app.token(for: try await app.makeStaff(.reception))
            let response = try await app.send(.GET, "/api/v1/openapi.json", headers: .bearer(token))
            #expect(response.status == .ok)
            #expect(response.body.string.contains("\"openapi\": \"3.1.0\""))
            #expect(try await app.send(.GET, "/api/v1/openapi.json").status == .unauthorized)
        }
    }
}
