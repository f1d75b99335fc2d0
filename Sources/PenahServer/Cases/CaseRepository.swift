import Fluent
import Foundation
import PenahDomain
import SQLKit
import Vapor

/// How a case's number and pseudonym are drawn: the SQL that must hold under concurrent
/// registrations lives here, not in the registration's rules.
enum CaseRepository {
    /// `UPDATE … last = last + 1` takes the counter row's lock before reading, so concurrent
    /// registrations in one unit get consecutive numbers. The first case of a year inserts the row;
    /// two doing that at once collide on the unique index and the loser retries (see `register`).
    static func nextSequence(unitID: UUID, year: Int, on db: any Database) async throws -> Int {
        let sql = db as! any SQLDatabase
        try await sql.update(CaseCounter.schema)
            .set(SQLIdentifier("last"), to: SQLBinaryExpression(SQLColumn("last"), .add, SQLLiteral.numeric("1")))
            .where("unit_id", .equal, unitID).where("year", .equal, year)
            .run()
        if let counter = try await CaseCounter.query(on: db).filter(\.$unitID == unitID).filter(\.$year == year).first() {
            return counter.last
        }
        let counter = CaseCounter()
        counter.unitID = unitID
        counter.year = year
        counter.last = 1
        try await counter.create(on: db)
        return 1
    }

    static func freshPseudonym(on db: any Database) async throws -> String {
        for _ in 0..<8 {
            let candidate = Pseudonym.generate()
            if try await CaseRecord.query(on: db).filter(\.$pseudonym == candidate).count() == 0 { return candidate }
        }
        throw Abort(.conflict)
    }
}
