import Fluent
import PenahDomain
import Vapor

/// Creating and listing units; the command line, pages and API all come through here.
struct UnitService {
    let db: any Database

    struct Listed: Content {
        let code: String
        let kind: String
        let name: String
        let parentCode: String?
    }

    func create(code: String, kind: UnitKind, name: String, parentCode: String?, capacity: Int?, actor: AuditActor) async throws -> Unit {
        let parent: Unit?
        if let parentCode { parent = try await find(code: parentCode) } else { parent = nil }
        let draft = UnitDraft(code: code, kind: kind, name: name, parentKind: parent?.kind,
                              hasParentCode: parentCode != nil, capacity: capacity)
        var problems = draft.problems()
        if problems.isEmpty, try await find(code: code) != nil {
            problems.append(FieldProblem(field: "code", code: "duplicateCode"))
        }
        guard problems.isEmpty else { throw ValidationProblems(problems) }
        let unit = Unit(code: code, kind: kind, name: name.trimmingCharacters(in: .whitespacesAndNewlines),
                        parentID: parent?.id, capacity: capacity)
        do {
            try await db.writeTransaction { db in
                try await unit.create(on: db)
                // A shelter's registry profile and live counts exist from the start.
                if kind == .shelter { try await ShelterProfile.makeDefault(for: unit).create(on: db) }
                try await AuditLog.append(on: db, actor: actor, action: "unit.create", recordType: "unit", recordID: unit.id?.uuidString)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Lost a race with another creator of the same code: the unique index decided.
            throw ValidationProblems([FieldProblem(field: "code", code: "duplicateCode")])
        }
        return unit
    }

    /// Renames a unit and sets its places (shelters) or desks (serving units). Audited.
    func update(code: String, name: String, capacity: Int?, desks: Int?, actor: AuditActor) async throws {
        guard let unit = try await find(code: code) else { throw Abort(.notFound) }
        let kind = unit.kind
        // The same rules as creation; the parent does not change here.
        let draft = UnitDraft(code: code, kind: kind, name: name, parentKind: nil, hasParentCode: false, capacity: capacity)
        var problems = draft.problems().filter { $0.field != "parent" }
        if let desks, !kind.servesVisitors || !(1...99).contains(desks) {
            problems.append(FieldProblem(field: "desks", code: kind.servesVisitors ? "outOfRange" : "invalidValue"))
        }
        guard problems.isEmpty else { throw ValidationProblems(problems) }
        try await db.writeTransaction { db in
            if kind == .shelter, let capacity {
                // Fewer places than are taken or held would oversell the shelter.
                let (_, places) = try await ShelterPlaces.lock(unit.id!, on: db)
                if capacity < places.occupied + places.held { throw ValidationProblems([FieldProblem(field: "capacity", code: "belowOccupancy")]) }
            }
            unit.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
            unit.capacity = capacity
            if kind.servesVisitors { unit.deskCount = desks }
            try await unit.update(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "unit.update", recordType: "unit", recordID: unit.id?.uuidString)
        }
    }

    func find(code: String) async throws -> Unit? {
        try await Unit.query(on: db).filter(\.$code == code).first()
    }

    /// All units with their parent's code, in Azerbaijani alphabetical order of name.
    func list() async throws -> [Listed] {
        let units = try await Unit.query(on: db).all()
        let codes = Dictionary(uniqueKeysWithValues: units.compactMap { u in u.id.map { ($0, u.code) } })
        let listed = units.map { Listed(code: $0.code, kind: $0.kind.rawValue, name: $0.name, parentCode: $0.$parent.id.flatMap { codes[$0] }) }
        return AzText.sorted(listed, by: \.name)
    }
}

/// One or more field problems; rendered as 422 with `errors` in the caller's language.
struct ValidationProblems: Error {
    let problems: [FieldProblem]
    init(_ problems: [FieldProblem]) { self.problems = problems }
}
