import Crypto
import Fluent
import Foundation
import SQLKit
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
        let store = IdempotencyStore(db: request.db)
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

    private func run(_ request: Request, _ next: any AsyncResponder, scope: String, store: IdempotencyStore) async throws -> Response {
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

/// The stored answers' SQL: reservation by a conditional insert on the unique scope.
struct IdempotencyStore {
    let db: any Database
    private var sql: any SQLDatabase { db as! any SQLDatabase }

    enum Reservation { case reserved, answered(IdempotentResponse), inProgress(bodyMatches: Bool) }

    func reserve(scope: String, bodyHash: String, now: Date = Date()) async throws -> Reservation {
        // Expired answers and abandoned reservations give way; old rows of any scope go now and then.
        try await IdempotentResponse.query(on: db).filter(\.$scope == scope).group(.or) { either in
            either.filter(\.$createdAt < now.addingTimeInterval(-IdempotencyMiddleware.lifetime))
                .group(.and) { $0.filter(\.$status == 0).filter(\.$createdAt < now.addingTimeInterval(-IdempotencyMiddleware.abandonedAfter)) }
        }.delete()
        if Int.random(in: 0..<100) == 0 {
            try await IdempotentResponse.query(on: db).filter(\.$createdAt < now.addingTimeInterval(-IdempotencyMiddleware.lifetime)).delete()
        }
        let inserted = try await sql.insert(into: IdempotentResponse.schema)
            .columns("id", "scope", "body_hash", "status", "body", "created_at")
            .values(SQLBind(UUID()), SQLBind(scope), SQLBind(bodyHash), SQLBind(0), SQLBind(""), SQLBind(now))
            .ignoringConflicts(with: "scope")
            .returning("id").all()
        if !inserted.isEmpty { return .reserved }
        guard let stored = try await IdempotentResponse.query(on: db).filter(\.$scope == scope).first() else {
            // Released between our insert and this read: try again.
            return .inProgress(bodyMatches: true)
        }
        return stored.status == 0 ? .inProgress(bodyMatches: stored.bodyHash == bodyHash) : .answered(stored)
    }

    func answer(scope: String, status: Int, body: String) async throws {
        try await IdempotentResponse.query(on: db).filter(\.$scope == scope).filter(\.$status == 0)
            .set(\.$status, to: status).set(\.$body, to: body).update()
    }

    func release(scope: String) async throws {
        try await IdempotentResponse.query(on: db).filter(\.$scope == scope).filter(\.$status == 0).delete()
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
