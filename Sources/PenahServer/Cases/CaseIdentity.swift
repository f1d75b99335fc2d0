import Fluent
import Foundation
import PenahDomain

/// The sealed identity of a case and its blind indexes. One place decides how each identifier is
/// normalised, so registration and search always agree.
enum CaseIdentity {
    static let field = "case.identity"

    /// `name` holds whole name words exactly; `namePrefix` the prefixes of their loose forms, for the
    /// search that forgives the keyboard (see `NameSearch`).
    enum IndexField: String, CaseIterable { case fin, phone, document, name, namePrefix }

    static func normalised(of identity: VictimIdentity) -> [(IndexField, String)] {
        var values: [(IndexField, String)] = []
        if let fin = identity.fin { values.append((.fin, fin)) }
        if let phone = identity.phone { values.append((.phone, phone)) }
        values.append((.document, identity.documentNumber))
        let words = Set([identity.firstName, identity.lastName, identity.patronymic].compactMap { $0 }.flatMap(AzText.wordKeys))
        for word in words { values.append((.name, word)) }
        for key in Set(words.flatMap(NameSearch.indexKeys)) { values.append((.namePrefix, key)) }
        return values
    }

    /// The identity's index entries (field, keyed hash), of the fields asked for.
    static func indexEntries(of identity: VictimIdentity, vault: IdentityVault,
                             only fields: Set<IndexField> = Set(IndexField.allCases)) async throws -> [(String, String)] {
        var entries: [(String, String)] = []
        for (field, value) in normalised(of: identity) where fields.contains(field) {
            entries.append((field.rawValue, try await vault.blindIndex(value, field: "case.\(field.rawValue)")))
        }
        return entries
    }

    static func hash(_ value: String, _ field: IndexField, vault: IdentityVault) async throws -> String {
        try await vault.blindIndex(value, field: "case.\(field.rawValue)")
    }

    /// Other cases sharing this FIN or phone, anywhere. Outside the scope only the unit is told.
    static func duplicates(of index: [(String, String)], excluding caseID: UUID? = nil, scope: CaseScope,
                           on db: any Database) async throws -> [CaseRegistration.Duplicate] {
        let keys = index.filter { $0.0 == IndexField.fin.rawValue || $0.0 == IndexField.phone.rawValue }
        guard !keys.isEmpty else { return [] }
        let matches = try await CaseIndexEntry.query(on: db).group(.or) { group in
            for (field, hash) in keys { group.group(.and) { $0.filter(\.$field == field).filter(\.$hash == hash) } }
        }.limit(50).all()
        let caseIDs = Set(matches.map(\.caseID)).subtracting([caseID].compactMap { $0 })
        guard !caseIDs.isEmpty else { return [] }
        let cases = try await CaseRecord.query(on: db).filter(\.$id ~~ Array(caseIDs)).with(\.$unit).all()
        // Outside the caller's scope, a match says only that a possible earlier case exists: not
        // where, not how many. Naming the unit told anyone who typed a FIN where she had gone.
        let visible = cases.filter { scope.covers($0) }.map {
            CaseRegistration.Duplicate(unitCode: $0.unit.code, caseId: $0.id, number: $0.number)
        }.sorted { ($0.unitCode ?? "", $0.number ?? "") < ($1.unitCode ?? "", $1.number ?? "") }
        let elsewhere = cases.contains { !scope.covers($0) } ? [CaseRegistration.Duplicate(unitCode: nil, caseId: nil, number: nil)] : []
        return visible + elsewhere
    }

    /// The cases a registration's FIN or phone matched, whatever the caller's scope: each gets an
    /// event in its own access log, so her supervisor sees that someone looked her up.
    static func matchedCases(of index: [(String, String)], on db: any Database) async throws -> [UUID] {
        let keys = index.filter { $0.0 == IndexField.fin.rawValue || $0.0 == IndexField.phone.rawValue }
        guard !keys.isEmpty else { return [] }
        return Array(Set(try await CaseIndexEntry.query(on: db).group(.or) { group in
            for (field, hash) in keys { group.group(.and) { $0.filter(\.$field == field).filter(\.$hash == hash) } }
        }.limit(50).all().map(\.caseID)))
    }

    static func open(_ record: CaseRecord, vault: IdentityVault) async throws -> VictimIdentity {
        try JSONDecoder().decode(VictimIdentity.self, from: try await vault.open(record.identity, field: field))
    }
}
