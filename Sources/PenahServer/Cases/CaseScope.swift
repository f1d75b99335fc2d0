import Fluent
import Foundation
import PenahDomain
import Vapor

/// Which cases a member of staff may touch for an action: their own, their unit's, their region's
/// (the unit and every unit beneath it; for HQ that is every unit) or all. Anything outside is 404.
struct CaseScope: Sendable {
    enum Reach: Sendable { case own(UUID), units(Set<UUID>), all }
    let reach: Reach

    static func resolve(_ staff: StaffContext, _ action: Action, on db: any Database) async throws -> CaseScope {
        guard let scope = AccessPolicy.scope(for: staff.role, action) else { throw Abort(.notFound) }
        switch scope {
        case .own: return CaseScope(reach: .own(staff.userID))
        case .all: return CaseScope(reach: .all)
        case .unit, .region:
            let units = try await Unit.query(on: db).all()
            guard let home = units.first(where: { $0.code == staff.unitCode })?.id else { throw Abort(.notFound) }
            if scope == .unit { return CaseScope(reach: .units([home])) }
            var reached: Set<UUID> = [home], frontier = [home]
            while let parent = frontier.popLast() {
                for child in units where child.$parent.id == parent { if let id = child.id, reached.insert(id).inserted { frontier.append(id) } }
            }
            return CaseScope(reach: .units(reached))
        }
    }

    func covers(_ record: CaseRecord) -> Bool {
        switch reach {
        case .all: true
        case .units(let ids): ids.contains(record.$unit.id)
        case .own(let user): record.workers.contains(user)
        }
    }

    func covers(unitID: UUID) -> Bool {
        switch reach { case .all: true; case .units(let ids): ids.contains(unitID); case .own: false }
    }

    /// Narrows a query to the scope.
    func apply(_ query: QueryBuilder<CaseRecord>) -> QueryBuilder<CaseRecord> {
        switch reach {
        case .all: return query
        case .units(let ids): return query.filter(\.$unit.$id ~~ Array(ids))
        case .own(let user):
            return query.group(.or) { Self.worksOn($0, user) }
        }
    }

    /// The cases `user` works on (the same people as `CaseRecord.workers`).
    @discardableResult
    static func worksOn(_ group: QueryBuilder<CaseRecord>, _ user: UUID) -> QueryBuilder<CaseRecord> {
        group.filter(\.$registeredBy == user).filter(\.$lawyerID == user).filter(\.$psychologistID == user).filter(\.$responsibleID == user)
    }

    /// The case, if it exists and the scope covers it; otherwise 404 (existence does not leak).
    static func find(_ id: UUID?, for staff: StaffContext, _ action: Action, on db: any Database) async throws -> (CaseRecord, CaseScope) {
        let scope = try await resolve(staff, action, on: db)
        guard let id, let record = try await CaseRecord.find(id, on: db), scope.covers(record) else { throw Abort(.notFound) }
        return (record, scope)
    }
}
