import Fluent
import Foundation
import PenahDomain
import Vapor

/// `/cases`: my cases, my scope's cases by status, the overdue list, and search — numbers and
/// initials only, with each case's clocks.
struct CaseListPage {
    struct Row: Encodable {
        let id: UUID; let number: String; let initials: String; let statusKey: String; let unitCode: String
        let registered: String; let clocks: [ClockLine]; let overdue: Bool
        /// The responsible workers' names.
        let responsible: String
    }
    struct Context: Encodable {
        let page: PageFrame
        let view: String
        let statuses: [Choice]
        let q: String
        let rows: [Row]
        let nextLink: String?
        let canRegister: Bool
        let isSupervisor: Bool
        /// The overdue list: how many, and its order (`overdue`, most overdue first, or `registered`).
        let count: String
        let sort: String
        let sortLinks: [SortLink]
    }
    struct SortLink: Encodable { let href: String; let labelKey: String; let current: Bool }

    /// The overdue list reads this many at once, so its order and count cover them all.
    static let overdueListLimit = 200

    /// How far past its standard the most overdue running clock is.
    static func secondsOver(_ item: CaseList.Item) -> Int {
        item.clocks.filter { $0.stoppedAt == nil }.compactMap(\.secondsOver).max() ?? 0
    }

    @Sendable static func render(_ req: Request) async throws -> View {
        let staff = try req.requireStaff()
        let asked = req.query[String.self, at: "view"]
        let view: String = ["mine", "unit", "overdue"].first { $0 == asked } ?? (staff.role == .supervisor ? "unit" : "mine")
        var query = CaseList.Query()
        query.mine = view == "mine"
        query.overdue = view == "overdue"
        let status = req.query[String.self, at: "status"] ?? ""
        query.status = CaseStatus(rawValue: status)
        let q = String((req.query[String.self, at: "q"] ?? "").prefix(200))
        query.text = q.isEmpty ? nil : q
        query.forgiving = true
        query.cursor = req.query[String.self, at: "cursor"].flatMap { CaseList.decodeCursor($0) != nil ? $0 : nil }
        if query.overdue { query.limit = Self.overdueListLimit }
        let sort = view == "overdue" && req.query[String.self, at: "sort"] != "registered" ? "overdue" : "registered"
        let page = try await req.caseList.list(query, staff: staff, actor: req.auditActor)
        let items = sort == "overdue" ? page.items.sorted { Self.secondsOver($0) > Self.secondsOver($1) } : page.items
        let workers = Set(items.flatMap(\.responsible))
        let names = workers.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await StaffUser.query(on: req.db).filter(\.$id ~~ Array(workers)).all()
            .map { ($0.id!, $0.displayName) })
        let rows = items.map { item in
            Row(id: item.id, number: item.number, initials: item.initials, statusKey: "code.caseStatus.\(item.status)", unitCode: item.unitCode,
                registered: BakuFormat.dateTime(item.registeredAt), clocks: item.clocks.map { ClockLine($0, req.language) }, overdue: item.overdue,
                responsible: item.responsible.compactMap { names[$0] }.sorted(by: AzText.precedes).joined(separator: ", "))
        }
        let sortLinks = view == "overdue" ? [("overdue", "case.list.sortOverdue"), ("registered", "case.list.sortRegistered")].map { key, label in
            SortLink(href: SitePath.cases() + "?view=overdue&sort=\(key)" + (q.isEmpty ? "" : "&q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")),
                     labelKey: label, current: key == sort)
        } : []
        var next: String?
        if let cursor = page.nextCursor {
            var components = URLComponents()
            components.queryItems = [.init(name: "view", value: view), .init(name: "status", value: status), .init(name: "q", value: q), .init(name: "cursor", value: cursor)]
            next = SitePath.cases() + "?" + (components.percentEncodedQuery ?? "")
        }
        return try await req.view.render("cases", Context(
            page: req.staffFrame(titleKey: "case.list.heading"), view: view, statuses: Choice.of(CaseStatus.self, selected: [status]),
            q: q, rows: rows, nextLink: next, canRegister: AccessPolicy.allows(staff.role, .registerCase), isSupervisor: staff.role == .supervisor,
            count: page.nextCursor == nil ? String(rows.count) : "\(rows.count)+", sort: sort, sortLinks: sortLinks))
    }
}

/// One clock as a line of text: its name and "3 h 20 min left", "overdue by 4 d 7 h", "on time" or "12 min late".
struct ClockLine: Encodable {
    let labelKey: String
    let stateKey: String
    let span: String
    let overdue: Bool

    init(_ view: CaseClocks.View, _ language: Language) {
        labelKey = "clock.\(view.kind)"
        overdue = view.overdue
        if let left = view.secondsLeft { stateKey = "clock.left"; span = ClockSpan.text(seconds: left, language) }
        else if let over = view.secondsOver { stateKey = view.stoppedAt == nil ? "clock.over" : "clock.late"; span = ClockSpan.text(seconds: over, language) }
        else { stateKey = "clock.met"; span = "" }
    }
}
