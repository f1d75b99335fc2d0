import Fluent
import PenahDomain
import SQLKit

/// At most one open placement request per case, in the database itself.
struct OneOpenPlacementPerCase: AsyncMigration {
    var name: String { "017_OneOpenPlacementPerCase" }

    func prepare(on database: any Database) async throws {
        // Raw: SQLKit cannot declare a partial index. The closed states are ours, not input.
        let closed = [PlacementStatus.admitted, .refused].map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try await (database as! any SQLDatabase).raw("""
            CREATE UNIQUE INDEX placement_one_open ON placement_requests (case_id) WHERE status NOT IN (\(unsafeRaw: closed))
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "placement_one_open").run()
    }
}
