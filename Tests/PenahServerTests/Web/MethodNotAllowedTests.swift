import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("A method a path does not have")
struct MethodNotAllowedTests {
    @Test("an API path called with a method it lacks is 405 with Allow and a localised problem; nothing is written")
    func apiPath() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let wrong = try await reception.send(.DELETE, "/api/v1/cases", headers: ["Accept-Language": "ru"])
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers.first(name: "Allow") == "GET, HEAD, POST")
            #expect(wrong.headers.contentType == Problem.defaultContentType)
            #expect(wrong.text.contains(Catalogue.shared.text("error.methodNotAllowed", .ru)), "\(wrong.text)")
            let withParameter = try await reception.send(.PUT, "/api/v1/cases/\(id)", ["status": "closed"])
            #expect(withParameter.status == .methodNotAllowed)
            #expect(withParameter.headers.first(name: "Allow") == "GET, HEAD")
            #expect(try await CaseRecord.find(id, on: app.db)?.status == .registered)
        }
    }

    @Test("a page path posted to is 405 with Allow, as a page in the visitor's language")
    func pagePath() async throws {
        try await withPenah { app in
            let response = try await app.send(.POST, "/", headers: ["Accept-Language": "en"])
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers.first(name: "Allow") == "GET, HEAD")
            #expect(response.headers.contentType?.subType == "html")
            #expect(response.text.contains(Catalogue.shared.text("error.methodNotAllowed", .en)))
        }
    }

    @Test("a path that is no route stays 404, whatever the method", arguments: [HTTPMethod.GET, .POST, .DELETE])
    func unknownPath(_ method: HTTPMethod) async throws {
        try await withPenah { app in
            for path in ["/api/v1/no-such-thing", "/api/v1/cases/\(UUID())/no-such-thing", "/../etc/passwd"] {
                let status = try await app.send(method, path).status
                #expect(status == .notFound, "\(method) \(path)")
            }
        }
    }

    @Test("every route's path is known with its methods")
    func everyRoute() async throws {
        try await withPenah { app in
            let middleware = MethodNotAllowedMiddleware(routes: app.routes)
            for route in app.routes.all {
                let path = "/" + route.path.map { component -> String in
                    if case .constant(let text) = component { return text }
                    return "x"
                }.joined(separator: "/")
                let allowed = try #require(middleware.allowedMethods(for: path), "\(path)")
                #expect(allowed.contains(route.method.rawValue), "\(route.method) \(path)")
            }
        }
    }
}
