import Fluent
import PenahDomain
import Vapor

/// Auditor pages: browse events by user, record, action and time (`/audit`), and any record's
/// access log (`/audit/records/:id`). Events hold no personal data, so these pages show none.
struct AuditPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.audit, use: browse).access(.action(.readAudit))
        routes.get(.auditRecord, use: record).access(.action(.readAudit))
    }

    struct Filter: Content {
        var user: String?
        var record: String?
        var action: String?
        var from: String?
        var to: String?
    }

    struct Row: Encodable {
        let time: String
        let user: String
        let role: String
        let unit: String
        let action: String
        let recordType: String
        let recordID: String?
        /// The case's number beside its id, for events on a case.
        let caseNumber: String?
        let outcome: String
        let address: String
    }

    struct Context: Encodable {
        let page: PageFrame
        let filter: [String: String]
        let rows: [Row]
        let recordID: String?
        var problems: [ErrorPageContext.FieldLine]
    }

    static let pageSize = 200

    @Sendable func browse(_ req: Request) async throws -> Response {
        let filter = (try? req.query.decode(Filter.self)) ?? Filter()
        var problems: [FieldProblem] = []
        let query = AuditEvent.query(on: req.db)
        if let name = filter.user?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
            let user = try await StaffUser.query(on: req.db).filter(\.$username == StaffService.normalisedUsername(name)).first()
            query.filter(\.$actorID == (user?.id ?? UUID()))
        }
        if let record = filter.record?.trimmingCharacters(in: .whitespaces), !record.isEmpty { query.filter(\.$recordID == String(record.prefix(64))) }
        if let action = filter.action?.trimmingCharacters(in: .whitespaces), !action.isEmpty { query.filter(\.$action == String(action.prefix(64))) }
        for (field, text, endOfDay) in [("from", filter.from, false), ("to", filter.to, true)] {
            guard let text, !text.isEmpty else { continue }
            guard let day = BakuFormat.parseDate(text) else { problems.append(.init(field: field, code: RegistrationRules.dateProblem(text))); continue }
            let ms = Int64((day.timeIntervalSince1970 + (endOfDay ? 86_400 : 0)) * 1000)
            if endOfDay { query.filter(\.$occurredMs < ms) } else { query.filter(\.$occurredMs >= ms) }
        }
        let events = problems.isEmpty ? try await query.sort(\.$occurredMs, .descending).limit(Self.pageSize).all() : []
        let form = ["user": filter.user, "record": filter.record, "action": filter.action, "from": filter.from, "to": filter.to]
            .mapValues { String(($0 ?? "").prefix(64)) }
        return try await render(req, events: events, filter: form, recordID: nil, problems: problems)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id"), id.count <= 64 else { throw Abort(.notFound) }
        let events = try await AuditEvent.query(on: req.db).filter(\.$recordID == id).sort(\.$occurredMs, .descending)
            .limit(Self.pageSize).all()
        return try await render(req, events: events, filter: [:], recordID: id, problems: [])
    }

    private func render(_ req: Request, events: [AuditEvent], filter: [String: String], recordID: String?,
                        problems: [FieldProblem]) async throws -> Response {
        let actorIDs = Set(events.compactMap(\.actorID))
        let users = actorIDs.isEmpty ? [] : try await StaffUser.query(on: req.db).filter(\.$id ~~ Array(actorIDs)).all()
        let names = Dictionary(uniqueKeysWithValues: users.compactMap { u in u.id.map { ($0, u.username) } })
        let caseIDs = Set(events.filter { $0.recordType == "case" }.compactMap { $0.recordID.flatMap(UUID.init(uuidString:)) })
        let numbers = caseIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await CaseRecord.query(on: req.db)
            .filter(\.$id ~~ Array(caseIDs)).field(\.$id).field(\.$number).all().map { ($0.id!, $0.number) })
        let language = req.language
        // Translated where the catalogue names it; an action or role it does not know shows as stored.
        func named(_ key: String, _ raw: String) -> String {
            let text = Catalogue.shared.text(key, language)
            return text == key ? raw : text
        }
        let rows = events.map { event in
            Row(time: BakuFormat.dateTime(Date(timeIntervalSince1970: Double(event.occurredMs) / 1000)),
                user: event.actorID.flatMap { names[$0] } ?? "—",
                role: Role(rawValue: event.actorRole).map { Catalogue.shared.text($0.messageKey, language) } ?? event.actorRole,
                unit: event.unitCode, action: named("audit.action.\(event.action)", event.action), recordType: event.recordType,
                recordID: event.recordID, caseNumber: event.recordType == "case" ? event.recordID.flatMap(UUID.init(uuidString:)).flatMap { numbers[$0] } : nil,
                outcome: event.outcome, address: event.address)
        }
        let status: HTTPStatus = problems.isEmpty ? .ok : .unprocessableEntity
        let context = Context(page: req.staffFrame(titleKey: "audit.heading").widened(), filter: filter, rows: rows, recordID: recordID,
                              problems: problems.map { .init(field: $0.field, messageKey: $0.messageKey) })
        return try await req.view.render("audit", context).encodeResponse(status: status, for: req)
    }
}
