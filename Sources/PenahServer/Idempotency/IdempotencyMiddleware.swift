import Crypto
import Fluent
import Foundation
import Vapor

/// `Idempotency-Key` on API POSTs that create something (CONTRACT.md, "Conventions"): the same key
/// from the same caller with the same body gets the first answer again, without running twice; the
/// same key with a different body is 422. Keys are kept per caller for 24 hours.
///
/// The key is reserved (a row with status 0, under the unique scope) *before* the work runs, so
/// of two requests sent at once only one runs; the other waits for its answer and replays it. A
/// request that fails gives its reservation back, so the caller may try again.
struct IdempotencyMiddleware: AsyncMiddleware {
    static let header = "Idempotency-Key"
    static let lifetime: TimeInterval = 24 * 3600
    /// A reservation older than this without an answer belongs to a node that died mid-request.
    static let abandonedAfter: TimeInterval = 60
    /// How long a repeat waits for the first request's answer before answering 409.
    static let waitLimit: Duration = .seconds(15)

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .POST, let key = request.headers.first(name: Self.header), let staff = request.staff else {
            return try await next.respond(to: request)
        }
        guard (1...200).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ValidationProblems([.init(field: Self.header, code: "invalidValue")])
        }
        let scope = SessionStore.hash("\(staff.userID.uuidString)|\(request.url.path)|\(key)")
        let bodyHash = Hex.encode(SHA256.hash(data: request.body.data.map { Data(buffer: $0) } ?? Data()))
        let store = IdempotencyRepository(db: request.db)
        let deadline = ContinuousClock.now + Self.waitLimit
        while true {
            switch try await store.reserve(scope: scope, bodyHash: bodyHash) {
            case .reserved:
                return try await run(request, next, scope: scope, store: store)
            case .answered(let stored):
                guard stored.bodyHash == bodyHash else { throw ValidationProblems([.init(field: Self.header, code: "idempotencyKeyReused")]) }
                return Self.replay(stored)
            case .inProgress(let bodyMatches):
                guard bodyMatches else { throw ValidationProblems([.init(field: Self.header, code: "idempotencyKeyReused")]) }
                guard ContinuousClock.now < deadline else { throw Abort(.conflict) }
                try await Task.sleep(for: .milliseconds(25))
            }
        }
    }

    private func run(_ request: Request, _ next: any AsyncResponder, scope: String, store: IdempotencyRepository) async throws -> Response {
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            try? await store.release(scope: scope)
            throw error
        }
        if (200..<300).contains(response.status.code), let body = response.body.string {
            try await store.answer(scope: scope, status: Int(response.status.code), body: body)
        } else {
            try? await store.release(scope: scope)
        }
        return response
    }

    static func replay(_ stored: IdempotentResponse) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return Response(status: HTTPStatus(statusCode: stored.status), headers: headers, body: .init(string: stored.body))
    }
}
