import Foundation
import Vapor

/// `GET /api/v1/openapi.json`: the hand-kept OpenAPI 3.1 description. A test compares its paths
/// with the registered routes, so a route cannot be added without describing it.
struct OpenAPIRoute: RouteCollection {
    static var documentURL: URL { URL(fileURLWithPath: Views.resourcesDirectory + "openapi.json") }

    func boot(routes: any RoutesBuilder) throws {
        let document = try Data(contentsOf: Self.documentURL)
        routes.get("api", "v1", "openapi.json") { _ in
            Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: document))
        }.access(.action(.readApiDescription))
    }
}
