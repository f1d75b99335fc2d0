import Vapor

/// A request whose path is a route but whose method is not answers 405 with `Allow` naming the
/// methods the path has (RFC 9110 §15.5.6), not 404: an API client learns it used the wrong verb.
/// The paths are those of the route table, so nothing about records or scope is told.
/// Added after every route is registered; the table is read once then.
struct MethodNotAllowedMiddleware: AsyncMiddleware {
    private let paths: TrieRouter<[HTTPMethod]>
    /// The home page's methods: the trie cannot hold an empty path.
    private let root: [HTTPMethod]

    init(routes: Routes) {
        var methods: [String: (path: [PathComponent], methods: [HTTPMethod])] = [:]
        for route in routes.all {
            methods[route.path.string, default: (route.path, [])].methods.append(route.method)
        }
        let router = TrieRouter<[HTTPMethod]>()
        for (_, entry) in methods where !entry.path.isEmpty { router.register(entry.methods, at: entry.path) }
        paths = router
        root = routes.all.filter(\.path.isEmpty).map(\.method)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.route == nil, let allowed = allowedMethods(for: request.url.path) else {
            return try await next.respond(to: request)
        }
        throw Abort(.methodNotAllowed, headers: ["Allow": allowed.joined(separator: ", ")])
    }

    /// The methods a path answers, GET bringing HEAD as Vapor's router does; nil for no route.
    func allowedMethods(for path: String) -> [String]? {
        // The path is split and decoded as Vapor's own responder does before it routes.
        let components = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        var parameters = Parameters()
        let found = components.isEmpty ? (root.isEmpty ? nil : root) : paths.route(path: components, parameters: &parameters)
        guard let methods = found else { return nil }
        var names = Set(methods.map(\.rawValue))
        if names.contains("GET") { names.insert("HEAD") }
        return names.sorted()
    }
}
