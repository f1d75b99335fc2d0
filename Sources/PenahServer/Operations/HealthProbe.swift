import Fluent
import Foundation
import SQLKit
import Vapor

/// One row per server node, rewritten by each `/health`, so health proves the database commits.
enum HealthProbe {
    static let table = "health_probes"

    static func write(node: String, on db: any Database) async throws {
        let now = Date()
        try await db.writeTransaction { db in
            // Raw upsert: Fluent has none. Both values bound.
            try await (db as! any SQLDatabase).insert(into: table).columns("node", "checked_at").values(SQLBind(node), SQLBind(now))
                .onConflict(with: ["node"]) { $0.set(excludedValueOf: "checked_at") }.run()
        }
    }
}

struct NodeIDKey: StorageKey { typealias Value = String }

extension Application {
    /// This process, as named in the health table; set once in `configure`.
    var nodeID: String { storage[NodeIDKey.self]! }
}
