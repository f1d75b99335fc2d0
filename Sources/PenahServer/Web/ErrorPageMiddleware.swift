import Foundation
import PenahDomain
import Vapor

/// Turns every error into a localised answer: `application/problem+json` under `/api`, an HTML page
/// elsewhere. Unexpected errors are logged by type only — their messages can carry SQL values — and
/// the client sees a request id to quote, nothing internal.
struct ErrorPageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let description = ErrorDescription(error)
            if let fault = DatabaseFault.code(error) {
                request.logger.warning("service unavailable", metadata: ["fault": .string(fault)])
            } else if description.status.code >= 500 {
                request.logger.error("unhandled error", metadata: ["type": .string(String(reflecting: type(of: error)))])
            }
            let response = request.wantsProblemJSON
                ? problemResponse(description, for: request)
                : await pageResponse(description, for: request)
            for (name, value) in description.headers where name.lowercased() != "content-type" {
                response.headers.replaceOrAdd(name: name, value: value)
            }
            return response
        }
    }

    private func problemResponse(_ description: ErrorDescription, for request: Request) -> Response {
        let language = request.language
        let catalogue = Catalogue.shared
        var problem = Problem(
            type: "about:blank", title: description.status.reasonPhrase,
            status: Int(description.status.code), detail: catalogue.text(description.messageKey, language))
        if !description.problems.isEmpty {
            problem.errors = description.problems.map {
                .init(field: $0.field, code: $0.code, message: catalogue.text($0.messageKey, language))
            }
        }
        // Encoded by hand: this handler must not itself fail on content negotiation.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = (try? encoder.encode(problem)) ?? Data()
        let response = Response(status: description.status, body: .init(data: body))
        response.headers.contentType = Problem.defaultContentType
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        return response
    }

    private func pageResponse(_ description: ErrorDescription, for request: Request) async -> Response {
        let notFound = description.status == .notFound
        let heading = notFound ? "error.notFound.heading"
            : description.status.code >= 500 ? "error.server.heading" : "error.generic.heading"
        let context = ErrorPageContext(
            page: PageFrame(request, titleKey: heading, isPublic: true),
            headingKey: heading, messageKey: description.messageKey,
            problems: FormProblems.lines(description.problems, labelPrefixes: []),
            requestId: request.safeID)
        let status = description.status
        do {
            let view = try await request.view.render("error", context).get()
            let response = try await view.encodeResponse(status: status, for: request)
            return response
        } catch {
            // The renderer itself failed: answer with plain text rather than loop into this handler.
            let response = Response(status: status, body: .init(string: request.text(description.messageKey)))
            response.headers.contentType = .plainText
            return response
        }
    }
}

struct ErrorPageContext: Encodable {
    struct FieldLine: Encodable {
        let field: String
        let messageKey: String
        /// The field's label, when the form has one in the catalogue (otherwise the name is shown).
        var labelKey: String? = nil
    }
    let page: PageFrame
    let headingKey: String
    let messageKey: String
    let problems: [FieldLine]
    let requestId: String
}

extension Request {
    /// API clients get problem+json; browsers get pages.
    var wantsProblemJSON: Bool {
        url.path.hasPrefix("/api/") || url.path == "/api" || url.path == "/health" || url.path == "/metrics"
    }
}
