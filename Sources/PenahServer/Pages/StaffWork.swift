import Fluent
import Foundation
import PenahDomain
import Vapor

/// The start page's "my work": a section for each kind of work the person's role does, each item a
/// link to its record with its clock. Built from the same services as the worklists (their scope
/// checks included), so it shows nothing the lists would not. Names never appear: case numbers,
/// pseudonyms and ticket numbers only.
struct StaffWork {
    struct Item: Encodable {
        let href: String
        let label: String
        let detail: String
        let late: Bool
    }

    struct Section: Encodable {
        let id: String
        let headingKey: String
        var summary: String?
        var items: [Item] = []
        var more: Item?
        /// Said when there is nothing to do (only when there is no summary either).
        var emptyKey: String?
    }

    /// How many items a section lists before "all …" sends to the full list.
    static let itemsPerSection = 8
    /// Stays and holds that end within this many days are shown.
    static let endingSoonDays: Double = 7

    let req: Request
    let staff: StaffContext
    var language: Language { req.language }
    let now = Date()

    func text(_ key: String, _ values: [String: String] = [:]) -> String { Catalogue.shared.text(key, language, values) }
    func allows(_ action: Action) -> Bool { AccessPolicy.allows(staff.role, action) }

    func sections() async throws -> [Section] {
        var sections: [Section] = []
        if allows(.viewQueue), let queue = try await queue() { sections.append(queue) }
        if allows(.readCase) {
            if staff.role != .supervisor { sections.append(try await myCases()) }
            sections.append(try await overdueCases())
        }
        if allows(.readNotice) { sections.append(try await notices()) }
        if staff.role == .supervisor { sections.append(try await caseload()) }
        if allows(.decidePlacement) { sections.append(try await placementRequests()) }
        if allows(.admitToShelter) { sections.append(contentsOf: try await shelter()) }
        return sections
    }

    // MARK: the sections

    /// The unit's queue now: how many wait and for how long the longest has.
    private func queue() async throws -> Section? {
        guard let unit = try? await QueueService.unit(code: staff.unitCode, for: staff, on: req.db) else { return nil }
        let waiting = try await req.queue.queue(unit: unit, now: now).waiting
        var section = Section(id: "queue", headingKey: "work.queue.heading")
        if let longest = waiting.compactMap(\.waitingSeconds).max() {
            section.summary = text("work.queue.summary", ["count": String(waiting.count), "span": ClockSpan.text(seconds: longest, language)])
        } else {
            section.summary = text("work.queue.nobody")
        }
        if allows(.operateDesk) { section.more = Item(href: SitePath.desk(unit.code), label: text("work.queue.open"), detail: "", late: false) }
        return section
    }

    /// Cases I registered or interview, the open ones first and the most pressing clock first.
    private func myCases() async throws -> Section {
        var query = CaseList.Query()
        query.mine = true
        query.initials = false
        query.limit = 50
        let items = try await req.caseList.list(query, staff: staff, actor: req.auditActor, now: now).items
            .filter { CaseStatus(rawValue: $0.status) != .refused }
        var section = Section(id: "my-cases", headingKey: "work.mine.heading", emptyKey: "work.mine.empty")
        section.items = items.sorted { Self.urgency($0) < Self.urgency($1) }.prefix(Self.itemsPerSection).map { item in
            let next = CaseStatus(rawValue: item.status).map { text("work.next.\($0.rawValue)") } ?? ""
            return Item(href: SitePath.case(item.id), label: item.number, detail: ([next] + clock(item)).joined(separator: " · "), late: item.overdue)
        }
        if items.count > Self.itemsPerSection {
            section.more = Item(href: SitePath.cases() + "?view=mine", label: text("work.mine.all"), detail: "", late: false)
        }
        return section
    }

    /// Cases in my scope whose clock has run out.
    private func overdueCases() async throws -> Section {
        var query = CaseList.Query()
        query.overdue = true
        query.initials = false
        query.limit = 50
        let page = try await req.caseList.list(query, staff: staff, actor: req.auditActor, now: now)
        var section = Section(id: "overdue", headingKey: "work.overdue.heading", emptyKey: "work.overdue.empty")
        if !page.items.isEmpty {
            let count = page.nextCursor == nil ? String(page.items.count) : "\(page.items.count)+"
            section.summary = text("work.overdue.summary", ["count": count])
        }
        section.items = page.items.prefix(Self.itemsPerSection).map {
            Item(href: SitePath.case($0.id), label: $0.number, detail: clock($0).joined(separator: " · "), late: true)
        }
        if !page.items.isEmpty {
            section.more = Item(href: SitePath.cases() + "?view=overdue", label: text("work.overdue.all"), detail: "", late: false)
        }
        return section
    }

    /// Police notices not acknowledged within the limit, failed deliveries among them.
    private func notices() async throws -> Section {
        let limit = req.application.settings.notices.acknowledgementLimitMinutes
        let notices = try await NoticeTracking(db: req.db).overdue(staff: staff, limitMinutes: limit, now: now)
        let lines = try await NoticeLine.lines(notices, on: req.db)
        var section = Section(id: "notices", headingKey: "work.notices.heading", emptyKey: "work.notices.empty")
        if !lines.isEmpty {
            section.summary = text("work.notices.summary", ["count": String(lines.count), "failed": String(lines.filter(\.canRetry).count)])
            section.more = Item(href: SitePath.notices(), label: text("work.notices.all"), detail: "", late: false)
        }
        section.items = lines.prefix(Self.itemsPerSection).map { line in
            let state = line.canRetry ? text("work.notices.failed") : text(line.statusKey)
            return Item(href: SitePath.case(line.caseID), label: line.number, detail: "\(state) · \(line.created)", late: true)
        }
        return section
    }

    /// The supervisor's view of who carries which open cases in their scope.
    private func caseload() async throws -> Section {
        let scope = try await CaseScope.resolve(staff, .readCase, on: req.db)
        let groups = try await CaseRepository.openCaseWorkers(in: scope, on: req.db)
        let openCount = groups.reduce(0) { $0 + $1.cases }
        var load: [UUID: Int] = [:]
        for group in groups {
            // A case counts once for each worker responsible for it (`CaseRecord.responsible`).
            let workers = CaseRecord.responsible(assigned: group.assigned, lawyer: group.lawyer, psychologist: group.psychologist, registeredBy: group.registeredBy)
            for worker in workers { load[worker, default: 0] += group.cases }
        }
        let names = Dictionary(uniqueKeysWithValues: try await StaffUser.query(on: req.db).filter(\.$id ~~ Array(load.keys)).all()
            .map { ($0.id!, $0.displayName) })
        var section = Section(id: "caseload", headingKey: "work.caseload.heading", emptyKey: "work.caseload.empty")
        if openCount > 0 { section.summary = text("work.caseload.summary", ["count": String(openCount)]) }
        section.items = load.sorted { ($1.value, names[$0.key] ?? "") < ($0.value, names[$1.key] ?? "") }.map { worker, count in
            Item(href: SitePath.cases() + "?view=unit", label: names[worker] ?? "—", detail: text("work.caseload.cases", ["count": String(count)]), late: false)
        }
        return section
    }

    /// SXA: requests waiting for a decision, the urgent and overdue ones counted.
    private func placementRequests() async throws -> Section {
        let waiting = try await SXAInbox(db: req.db).list(status: nil, limit: 200, now: now)
        var section = Section(id: "requests", headingKey: "work.requests.heading", emptyKey: "work.requests.empty")
        if !waiting.isEmpty {
            section.summary = text("work.requests.summary", [
                "count": String(waiting.count), "urgent": String(waiting.filter { $0.urgency == .urgent }.count),
                "overdue": String(waiting.filter(\.overdue).count),
            ])
            section.more = Item(href: SitePath.sxaInbox(), label: text("work.requests.all"), detail: "", late: false)
        }
        section.items = waiting.prefix(Self.itemsPerSection).map { request in
            let clock = request.secondsLeft.map { text("clock.left", ["span": ClockSpan.text(seconds: $0, language)]) } ?? text("placement.overdue")
            return Item(href: SitePath.sxaRequest(request.id), label: request.pseudonym,
                        detail: "\(text(request.urgency.messageKey)) · \(clock)", late: request.overdue)
        }
        return section
    }

    /// A shelter: who is expected (approved, not yet arrived, with the hold's end) and stays ending soon.
    private func shelter() async throws -> [Section] {
        guard let unit = try await UnitService(db: req.db).find(code: staff.unitCode), let shelterID = unit.id else { return [] }
        let expected = try await PlacementRequest.query(on: req.db).filter(\.$shelterID == shelterID)
            .filter(\.$status == .approved).sort(\.$holdExpiresAt).limit(50).all()
        var arrivals = Section(id: "arrivals", headingKey: "work.arrivals.heading", emptyKey: "work.arrivals.empty")
        arrivals.items = expected.prefix(Self.itemsPerSection).map { request in
            let until = request.holdExpiresAt.map { text("work.arrivals.holdUntil", ["time": BakuFormat.dateTime($0)]) } ?? ""
            return Item(href: SitePath.shelter(unit.code), label: request.pseudonym,
                        detail: text("work.places", ["count": String(request.places)]) + (until.isEmpty ? "" : " · " + until), late: false)
        }
        let soon = now.addingTimeInterval(Self.endingSoonDays * 86_400)
        let ending = try await ShelterStay.query(on: req.db).filter(\.$shelterID == shelterID).filter(\.$dischargedAt == nil)
            .filter(\.$plannedEnd <= soon).sort(\.$plannedEnd).limit(50).all()
        var stays = Section(id: "stays-ending", headingKey: "work.staysEnding.heading", emptyKey: "work.staysEnding.empty")
        stays.items = ending.prefix(Self.itemsPerSection).map { stay in
            Item(href: SitePath.shelter(unit.code), label: stay.pseudonym,
                 detail: text("work.staysEnding.ends", ["date": BakuFormat.date(stay.plannedEnd)]), late: stay.plannedEnd < now)
        }
        return [arrivals, stays]
    }

    // MARK: helpers

    /// The running clock closest to its end (or the one most overdue), as "… 3 h 20 min left".
    private func clock(_ item: CaseList.Item) -> [String] {
        let running = item.clocks.filter { $0.stoppedAt == nil }
        guard let pressing = running.min(by: { Self.secondsToGo($0) < Self.secondsToGo($1) }) else { return [] }
        let line = ClockLine(pressing, language)
        return ["\(text(line.labelKey)): \(text(line.stateKey, ["span": line.span]))"]
    }

    private static func secondsToGo(_ clock: CaseClocks.View) -> Int { clock.secondsLeft ?? -(clock.secondsOver ?? 0) }

    /// Open cases before decided ones; within each, the most pressing clock first.
    private static func urgency(_ item: CaseList.Item) -> (Int, Int) {
        let open = CaseStatus(rawValue: item.status)?.isOpen == true ? 0 : 1
        let running = item.clocks.filter { $0.stoppedAt == nil }.map(secondsToGo)
        return (open, running.min() ?? Int.max)
    }
}
