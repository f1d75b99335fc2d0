import Fluent
import Foundation
import SQLKit

/// Reads of the audit tables that Fluent's models do not say well.
struct AuditRepository {
    let db: any Database
    private var sql: any SQLDatabase { db as! any SQLDatabase }

    /// Every chain that holds at least one event, whatever the heads table says.
    func chainsWithEvents() async throws -> Set<String> {
        let rows = try await sql.select().distinct().column("chain").from(AuditEvent.schema).all()
        return Set(try rows.map { try $0.decode(column: "chain", as: String.self) })
    }

    /// The stored hash of a chain's event at `seq`, if there is one.
    func hash(chain: String, seq: Int) async throws -> String? {
        try await AuditEvent.query(on: db).filter(\.$chain == chain).filter(\.$seq == seq).first()?.hash
    }
}
