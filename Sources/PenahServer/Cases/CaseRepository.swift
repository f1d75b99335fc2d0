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

    /// Open cases in the scope, counted per distinct set of people on them: a caseload over thousands
    /// of cases reads a few rows instead of every case.
    struct Workers { let assigned, lawyer, psychologist: UUID?; let registeredBy: UUID; let cases: Int }

    static func openCaseWorkers(in scope: CaseScope, on db: any Database) async throws -> [Workers] {
        let sql = db as! any SQLDatabase
        let columns = ["responsible_id", "lawyer_id", "psychologist_id", "registered_by"]
        var query = sql.select().columns(columns.map { SQLIdentifier($0) })
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "cases")
            .from(CaseRecord.schema)
            .where("status", .in, CaseStatus.allCases.filter(\.isOpen).map(\.rawValue))
        switch scope.reach {
        case .all: break
        case .units(let ids): query = query.where("unit_id", .in, Array(ids))
        case .own(let user): query = query.where { group in columns.reduce(group) { $0.orWhere(SQLIdentifier($1), .equal, user) } }
        }
        for column in columns { query = query.groupBy(column) }
        return try await query.all().map { row in
            Workers(assigned: try row.decode(column: "responsible_id", as: UUID?.self), lawyer: try row.decode(column: "lawyer_id", as: UUID?.self),
                    psychologist: try row.decode(column: "psychologist_id", as: UUID?.self),
                    registeredBy: try row.decode(column: "registered_by", as: UUID.self), cases: try row.decode(column: "cases", as: Int.self))
        }
    }

    static func freshPseudonym(on db: any Database) async throws -> String {
        for _ in 0..<8 {
            let candidate = Pseudonym.generate()
            if try await CaseRecord.query(on: db).filter(\.$pseudonym == candidate).count() == 0 { return candidate }
        }
        throw Abort(.conflict)
    }
}
