import Fluent
import Foundation
import PenahDomain
import Vapor

/// Worklists and search (`GET /api/v1/cases?status=&q=`): newest first, case number and initials
/// only — the full identity is on the case page. `q` matches exactly a case number, a pseudonym, a
/// FIN, a phone or whole name words (every word must match), through the blind indexes, as the
/// contract says. The staff page's search also forgives the keyboard (`forgiving`): a word matches
/// the start of a name word's loose form too (see `NameSearch`).
struct CaseList {
    let db: any Database
    let vault: IdentityVault
    let standards: TimeStandards

    struct Query: Sendable {
        var status: CaseStatus?
        var text: String?
        var mine = false
        /// The start page shows no initials: it skips opening each case's sealed identity.
        var initials = true
        /// Name words match loosely and by their start as well (the page's search; the API keeps to the contract).
        var forgiving = false
        var overdue = false
        var limit = 50
        var cursor: String?
    }

    struct Item: Content {
        let id: UUID
        let number: String
        let initials: String
        let status: String
        let unitCode: String
        let registeredAt: Date
        let overdue: Bool
        let clocks: [CaseClocks.View]
        /// Who is responsible (`CaseRecord.responsible`). For the staff pages; not part of the API's answer.
        var responsible: [UUID] = []

        enum CodingKeys: String, CodingKey { case id, number, initials, status, unitCode, registeredAt, overdue, clocks }
    }

    struct Page: Content { let items: [Item]; let nextCursor: String? }

    func list(_ query: Query, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> Page {
        let scope = try await CaseScope.resolve(staff, .readCase, on: db)
        var builder = scope.apply(CaseRecord.query(on: db))
        if query.mine {
            builder = builder.group(.or) { CaseScope.worksOn($0, staff.userID) }
        }
        if let status = query.status { builder = builder.filter(\.$status == status) }
        if query.overdue { builder = Self.clockMayRun(builder) }
        if let text = query.text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            let ids = try await matches(text, forgiving: query.forgiving, scope: scope)
            // A search looks into identity: who searched is audited (never what was typed), and so
            // is every case it matched, in that case's own access log.
            try await AuditLog.record(on: db, actor: actor, action: "case.search", recordType: "case", recordIDs: [nil] + ids.prefix(50).map(\.uuidString))
            if ids.isEmpty { return Page(items: [], nextCursor: nil) }
            builder = builder.filter(\.$id ~~ Array(ids))
        }
        if let cursor = query.cursor {
            // The cursor names the last case shown; the next page starts after it.
            guard let id = Self.decodeCursor(cursor), let last = try await CaseRecord.find(id, on: db) else {
                throw ValidationProblems([.init(field: "cursor", code: "invalidValue")])
            }
            let time = last.registeredMs
            builder = builder.group(.or) { $0.filter(\.$registeredMs < time).group(.and) { $0.filter(\.$registeredMs == time).filter(\.$id < id) } }
        }
        let limit = max(1, min(query.limit, 200))
        builder = builder.sort(\.$registeredMs, .descending).sort(\.$id, .descending)
        let rows = query.overdue ? try await overdue(builder, wanted: limit + 1, now: now) : try await builder.limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        let units = try await Unit.query(on: db).filter(\.$id ~~ Array(Set(page.map { $0.$unit.id }))).all()
        let codes = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0.code) })
        var items: [Item] = []
        for record in page {
            let clocks = CaseClocks.views(record, standards: standards, now: now)
            items.append(Item(id: record.id!, number: record.number, initials: query.initials ? try await CaseIdentity.open(record, vault: vault).initials : "",
                              status: record.status.rawValue, unitCode: codes[record.$unit.id] ?? "", registeredAt: record.registeredAt,
                              overdue: Self.runningOverdue(clocks), clocks: clocks,
                              responsible: record.responsible))
        }
        let next = rows.count > limit ? page.last.map { Self.encodeCursor($0.id!) } : nil
        return Page(items: items, nextCursor: next)
    }

    /// A clock past its standard and still running: what the list marks and the overdue filter keeps.
    static func runningOverdue(_ clocks: [CaseClocks.View]) -> Bool { clocks.contains { $0.overdue && $0.stoppedAt == nil } }

    /// The first `wanted` candidates, in list order, whose clocks say they are overdue now. Read in
    /// batches: the candidates are the open cases of one scope, never the whole history.
    private func overdue(_ candidates: QueryBuilder<CaseRecord>, wanted: Int, now: Date) async throws -> [CaseRecord] {
        let batch = 200
        var found: [CaseRecord] = [], offset = 0
        while found.count < wanted {
            let rows = try await candidates.copy().offset(offset).limit(batch).all()
            found += rows.filter { Self.runningOverdue(CaseClocks.views($0, standards: standards, now: now)) }
            if rows.count < batch { break }
            offset += batch
        }
        return Array(found.prefix(wanted))
    }

    /// Case ids matching the text under any of the contract's readings.
    private func matches(_ text: String, forgiving: Bool, scope: CaseScope) async throws -> Set<UUID> {
        guard text.count <= 200 else { throw ValidationProblems([.init(field: "q", code: "tooLong")]) }
        var found: Set<UUID> = []
        if CaseNumber.looksLikeOne(text) {
            found.formUnion(try await CaseRecord.query(on: db).filter(\.$number == text.uppercased()).all().compactMap(\.id))
        }
        if let pseudonym = Pseudonym.normalise(text) {
            found.formUnion(try await CaseRecord.query(on: db).filter(\.$pseudonym == pseudonym).all().compactMap(\.id))
        }
        if let fin = FIN(text) { found.formUnion(try await indexed(.fin, fin.value)) }
        if let phone = PhoneNumber(text)?.e164 ?? RegistrationRules.internationalPhone(text) { found.formUnion(try await indexed(.phone, phone)) }
        let words = Set(AzText.wordKeys(text))
        if !words.isEmpty, words.count <= 6 {
            var common: Set<UUID>?
            // A word matches a name word exactly, or (forgiving) as the start of one of its loose forms.
            for word in words {
                var ids = try await indexed(.name, word)
                if forgiving, let key = NameSearch.queryKey(word) { ids.formUnion(try await indexed(.namePrefix, key, within: scope)) }
                common = common.map { $0.intersection(ids) } ?? ids
                if common?.isEmpty == true { break }
            }
            found.formUnion(common ?? [])
        }
        return found
    }

    /// The cases indexed under this value. A prefix is common across the country, so its look-up
    /// keeps to the caller's units, or the cap would drop the ones they may see.
    private func indexed(_ field: CaseIdentity.IndexField, _ value: String, within scope: CaseScope? = nil) async throws -> Set<UUID> {
        let hash = try await CaseIdentity.hash(value, field, vault: vault)
        var query = CaseIndexEntry.query(on: db).filter(\.$field == field.rawValue).filter(\.$hash == hash)
        if case .units(let units)? = scope?.reach { query = query.filter(\.$unitID ~~ Array(units)) }
        return Set(try await query.limit(1_000).all().map(\.caseID))
    }

    /// The cases in which a clock could still be running: a running clock has no stop, and every
    /// clock stops at the decision or the conclusion. Whether one has run out is `CaseClock`'s
    /// answer alone, asked of each candidate in `list` — no second copy of the standards in SQL.
    static func clockMayRun(_ builder: QueryBuilder<CaseRecord>) -> QueryBuilder<CaseRecord> {
        builder.group(.or) { $0.filter(\.$concludedAt == nil).filter(\.$decidedAt == nil) }
    }

    static func encodeCursor(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func decodeCursor(_ cursor: String) -> UUID? { cursor.count == 36 ? UUID(uuidString: cursor) : nil }
}

private extension Array {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}
