import Fluent
import PenahDomain
import Vapor

/// An RFC 9457 problem document, as the contract fixes it.
struct Problem: Content {
    struct FieldError: Codable {
        let field: String
        let code: String
        let message: String
    }

    let type: String
    let title: String
    let status: Int
    let detail: String
    var errors: [FieldError]?

    static let defaultContentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
}

/// How an error looks to the client: status, a catalogue key for the message, field problems.
struct ErrorDescription {
    let status: HTTPStatus
    let messageKey: String
    var problems: [FieldProblem] = []
    var headers: HTTPHeaders = [:]

    init(status: HTTPStatus, messageKey: String, problems: [FieldProblem] = [], headers: HTTPHeaders = [:]) {
        self.status = status
        self.messageKey = messageKey
        self.problems = problems
        self.headers = headers
    }

    /// Maps any error to what may be shown. Internal detail never reaches the client.
    init(_ error: any Error) {
        switch error {
        case let validation as ValidationProblems:
            self.init(status: .unprocessableEntity, messageKey: "error.validation", problems: validation.problems)
        case let malformed as MalformedBody:
            self.init(status: .badRequest, messageKey: "error.badRequest", problems: malformed.problems)
        case let abort as any AbortError:
            self.init(status: abort.status, messageKey: ErrorDescription.key(for: abort.status), headers: abort.headers)
        case is CSRF.Failure:
            self.init(status: .forbidden, messageKey: "error.csrf")
        case is DecodingError:
            self.init(status: .badRequest, messageKey: "error.badRequest")
        case let database as any DatabaseError where database.isConstraintFailure:
            // A unique or foreign key that a concurrent write got to first: the same answer as the
            // check in the code that it backs up.
            self.init(status: .conflict, messageKey: "error.conflict")
        case _ where DatabaseFault.code(error) != nil:
            self.init(status: .serviceUnavailable, messageKey: "error.unavailable",
                      headers: ["Retry-After": String(DatabaseFault.retryAfterSeconds)])
        default:
            self.init(status: .internalServerError, messageKey: "error.server.body")
        }
    }

    static func key(for status: HTTPStatus) -> String {
        switch status {
        case .notFound: "error.notFound.body"
        case .badRequest: "error.badRequest"
        case .unauthorized: "error.unauthorized"
        case .conflict: "error.conflict"
        case .payloadTooLarge: "error.payloadTooLarge"
        case .methodNotAllowed: "error.methodNotAllowed"
        case .tooManyRequests: "error.throttled"
        case .unprocessableEntity: "error.validation"
        case .forbidden: "error.csrf"
        default: status.code >= 500 ? "error.server.body" : "error.badRequest"
        }
    }
}
