import Vapor

/// Serves `/css`, `/js` and `/img` from the bundled resources. Vapor's FileMiddleware already refuses
/// paths that climb out of the directory; assets may be cached, unlike every page.
struct StaticFilesMiddleware: AsyncMiddleware {
    let files: FileMiddleware

    init(directory: String) {
        files = FileMiddleware(publicDirectory: directory, defaultFile: nil)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard request.method == .GET || request.method == .HEAD,
              path.hasPrefix("/css/") || path.hasPrefix("/js/") || path.hasPrefix("/img/") else {
            return try await next.respond(to: request)
        }
        // FileMiddleware answers a climb out of the folder with 403; to a visitor it is simply not there.
        guard !path.contains("..") && !path.lowercased().contains("%2e") else { throw Abort(.notFound) }
        let response = try await files.respond(to: request, chainingTo: next)
        if response.status == .ok {
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        }
        return response
    }
}
