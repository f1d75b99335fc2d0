import Fluent
import Foundation
import SQLKit

/// The login counters' SQL: a counter row is made if missing and locked until the transaction
/// ends, so concurrent attempts on one counter queue instead of all reading zero.
enum LoginThrottleRepository {
    static func locked(_ key: String, on db: any Database) async throws -> LoginThrottleEntry? {
        try await (db as! any SQLDatabase).insert(into: LoginThrottleEntry.schema).columns("key", "failures", "last_failure_ms")
            .values(SQLBind(key), SQLBind(0), SQLBind(Int64(0))).ignoringConflicts(with: "key").run()
        try await RowLock.hold(LoginThrottleEntry.schema, column: "key", id: key, on: db)
        return try await LoginThrottleEntry.find(key, on: db)
    }
}
