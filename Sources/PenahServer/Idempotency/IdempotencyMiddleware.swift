import Crypto
import Fluent
import Foundation
import Vapor

/// `Idempotency-Key` on API POSTs that create something (CONTRACT.md, "Conventions"): the same key
/// from the same caller with the same body gets the first answer again, without running twice; the
/// same key with a different body is 422. Keys are kept per caller for 24 hours.
struct IdempotencyMiddleware: AsyncMiddleware {
    static let header = "Idempotency-Key"
    static let lifetime: TimeInterval = 24 * 3600

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .POST, let key = request.headers.first(name: Self.header), let staff = request.staff else {
            return try await next.respond(to: request)
        }
        guard (1...200).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ValidationProblems([.init(field: Self.header, code: "invalidValue")])
        }
        let scope = "\(staff.userID.uuidString)|\(request.url.path)|\(key)"
        let bodyHash = Hex.encode(SHA256.hash(data: request.body.data.map { Data(buffer: $0) } ?? Data()))
        if let stored = try await IdempotentResponse.query(on: request.db).filter(\.$scope == SessionStore.hash(scope)).first(),
           stored.createdAt > Date().addingTimeInterval(-Self.lifetime) {
            guard stored.bodyHash == bodyHash else {
                throw ValidationProblems([.init(field: Self.header, code: "idempotencyKeyReused")])
            }
            var headers = HTTPHeaders()
            headers.contentType = .json
            headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
            return Response(status: HTTPStatus(statusCode: stored.status), headers: headers, body: .init(string: stored.body))
        }
        let response = try await next.respond(to: request)
        if (200..<300).contains(response.status.code), let body = response.body.string {
            let row = IdempotentResponse()
            row.scope = SessionStore.hash(scope)
            row.bodyHash = bodyHash
            row.status = Int(response.status.code)
            row.body = body
            row.createdAt = Date()
            // A concurrent twin may have stored first; its answer is as good as ours.
            try? await row.create(on: request.db)
        }
        return response
    }
}

/// A stored answer to an idempotent request. The scope (caller, path, key) is kept hashed.
final class IdempotentResponse: Model, @unchecked Sendable {
    static let schema = "idempotent_responses"
    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "body_hash") var bodyHash: String
    @Field(key: "status") var status: Int
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

struct CreateIdempotentResponses: AsyncMigration {
    var name: String { "007_CreateIdempotentResponses" }

    func prepare(on database: any Database) async throws {
        try await database.schema(IdempotentResponse.schema)
            .id()
            .field("scope", .string, .required)
            .field("body_hash", .string, .required)
            .field("status", .int, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "scope")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IdempotentResponse.schema).delete()
    }
}
