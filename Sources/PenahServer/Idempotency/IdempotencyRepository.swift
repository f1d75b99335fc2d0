import Fluent
import Foundation
import SQLKit

/// The stored answers' SQL: reservation by a conditional insert on the unique scope.
struct IdempotencyRepository {
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
