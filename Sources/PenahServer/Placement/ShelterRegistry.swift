import Fluent
import Foundation
import PenahDomain
import SQLKit
import Vapor

/// The shelter registry (admin and SXA) and the live counts. A shelter is a unit of kind `shelter`
/// (name and places on the unit); its profile holds the rest and is created on first use. Every
/// entry it gives out, and every update it takes, follows `ShelterRules.seesLocation`: the
/// location is nil for a role that may not see it, and such a role's update leaves it as it is.
struct ShelterRegistry {
    let db: any Database

    struct Entry: Content {
        let id: UUID
        let unitCode: String
        let name: String
        let capacity: Int
        let occupied: Int
        let held: Int
        let free: Int
        let operatorCode: String
        let accreditedFrom: String?
        let accreditedTo: String?
        let intake: ShelterIntake
        let location: String?
    }

    /// Every shelter the caller may see: all for SXA and admin, their own for shelter staff.
    func list(for staff: StaffContext) async throws -> [Entry] {
        let scope = try await CaseScope.resolve(staff, .readShelters, on: db)
        let units = try await Unit.query(on: db).filter(\.$kind == .shelter).sort(\.$code).all()
        var entries: [Entry] = []
        for unit in units where scope.covers(unitID: unit.id!) { entries.append(try await entry(unit, for: staff)) }
        return entries
    }

    func find(_ id: UUID?, for staff: StaffContext, _ action: Action) async throws -> (Unit, ShelterProfile) {
        let scope = try await CaseScope.resolve(staff, action, on: db)
        guard let id, let unit = try await Unit.find(id, on: db), unit.kind == .shelter, scope.covers(unitID: id) else { throw Abort(.notFound) }
        return (unit, try await profile(of: unit))
    }

    /// Without a member of staff (counts, matching) the location is left out: fail closed.
    func entry(_ unit: Unit, for staff: StaffContext? = nil) async throws -> Entry {
        let p = try await profile(of: unit)
        let capacity = unit.capacity ?? 0
        return Entry(id: unit.id!, unitCode: unit.code, name: unit.name, capacity: capacity, occupied: p.occupied, held: p.held,
                     free: max(0, capacity - p.occupied - p.held), operatorCode: p.shelterOperator.rawValue, accreditedFrom: p.accreditedFrom,
                     accreditedTo: p.accreditedTo, intake: try p.intakeRules(), location: staff.map { ShelterRules.seesLocation($0.role) } == true ? p.location : nil)
    }

    /// The profile, created empty the first time a shelter is looked at.
    func profile(of unit: Unit) async throws -> ShelterProfile {
        if let existing = try await ShelterProfile.query(on: db).filter(\.$unitID == unit.id!).first() { return existing }
        let fresh = try ShelterProfile.makeDefault(for: unit)
        do { try await fresh.create(on: db) } catch let error as any DatabaseError where error.isConstraintFailure {
            // Created at the same moment by another request.
            return try await ShelterProfile.query(on: db).filter(\.$unitID == unit.id!).first()!
        }
        return fresh
    }

    struct ProfileInput: Codable, Sendable {
        var operatorCode: ShelterOperator
        var accreditedFrom: String?
        var accreditedTo: String?
        var intake: ShelterIntake
        /// Ignored from a role that may not see it.
        var location: String?
    }

    func update(_ input: ProfileInput, shelterID: UUID?, staff: StaffContext, actor: AuditActor) async throws -> Entry {
        let (unit, profile) = try await find(shelterID, for: staff, .manageShelters)
        var problems: [FieldProblem] = []
        for (field, value) in [("accreditedFrom", input.accreditedFrom), ("accreditedTo", input.accreditedTo)] {
            if let value, !value.isEmpty, RegistrationRules.parseBirthDate(value) == nil {
                problems.append(.init(field: field, code: RegistrationRules.dateProblem(value)))
            }
        }
        let location = ShelterRules.seesLocation(staff.role) ? (input.location ?? "") : profile.location
        if location.count > 300 { problems.append(.init(field: "location", code: "tooLong")) }
        if input.intake.district.count > 60 { problems.append(.init(field: "district", code: "tooLong")) }
        if let age = input.intake.boysMaxAge, !(0...17).contains(age) { problems.append(.init(field: "boysMaxAge", code: "outOfRange")) }
        if input.intake.languages.count > 10 || input.intake.languages.contains(where: { $0.count > 8 }) { problems.append(.init(field: "languages", code: "invalidValue")) }
        guard problems.isEmpty else { throw ValidationProblems(problems) }
        profile.shelterOperator = input.operatorCode
        profile.accreditedFrom = input.accreditedFrom.flatMap { RegistrationRules.parseBirthDate($0) }.map(BakuFormat.dayKey)
        profile.accreditedTo = input.accreditedTo.flatMap { RegistrationRules.parseBirthDate($0) }.map(BakuFormat.dayKey)
        profile.intake = String(decoding: try JSONEncoder().encode(input.intake), as: UTF8.self)
        profile.location = location.trimmingCharacters(in: .whitespacesAndNewlines)
        try await db.writeTransaction { db in
            try await profile.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "shelter.update", recordType: "unit", recordID: unit.id?.uuidString)
        }
        return try await entry(unit, for: staff)
    }
}

/// Changes a shelter's counts inside a write transaction that holds its profile row, so
/// `occupied + held ≤ capacity` cannot be broken by two changes at once.
enum ShelterPlaces {
    static func lock(_ shelterID: UUID, on db: any Database) async throws -> (Unit, ShelterProfile) {
        try await RowLock.hold(ShelterProfile.schema, column: "unit_id", id: shelterID, on: db)
        guard let unit = try await Unit.find(shelterID, on: db), unit.kind == .shelter else { throw Abort(.notFound) }
        return (unit, try await ShelterRegistry(db: db).profile(of: unit))
    }

    static func free(_ unit: Unit, _ profile: ShelterProfile) -> Int { (unit.capacity ?? 0) - profile.occupied - profile.held }
}
