import Fluent
import Foundation
import PenahDomain
import Vapor

/// Notice forms on the case page, the supervisors' list of notices nobody has confirmed, and the
/// printed letter for hand delivery. Forms carry the CSRF token and come back to the case.
struct NoticePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post(.caseNotices, use: create).access(.action(.informPolice))
        routes.post(.casePoliceReference, use: alreadyKnown).access(.action(.informPolice))
        routes.get(.notices, use: list).access(.action(.readNotice))
        routes.post(.noticeRetry, use: retry).access(.action(.retryNotice))
        routes.post(.noticeDelivery, use: delivered).access(.action(.informPolice))
        routes.get(.noticeLetter, use: NoticeLetter.render).access(.action(.readNotice))
    }

    private func perform(_ req: Request, caseID: UUID?, done: DoneBanner, _ action: () async throws -> Void) async throws -> Response {
        try await CasePage.afterForm(req, caseID: caseID, done: done, action)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let caseID = req.parameters.get("caseID", as: UUID.self)
        return try await perform(req, caseID: caseID, done: .noticeSent) {
            guard let urgency = NoticeUrgency(rawValue: req.formValue("urgency", limit: 20) ?? "") else {
                throw ValidationProblems([.init(field: "urgency", code: "invalidValue")])
            }
            let raw = req.formValue("prosecution", limit: 40) ?? ""
            guard raw.isEmpty || ProsecutionPosition(rawValue: raw) != nil else { throw ValidationProblems([.init(field: "prosecution", code: "invalidValue")]) }
            _ = try await req.notices.create(.init(urgency: urgency, prosecution: ProsecutionPosition(rawValue: raw)), caseID: caseID,
                                             staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func alreadyKnown(_ req: Request) async throws -> Response {
        let caseID = req.parameters.get("caseID", as: UUID.self)
        return try await perform(req, caseID: caseID, done: .policeAlreadyKnow) {
            _ = try await req.notices.recordAlreadyKnown(reference: req.formValue("reference", limit: 101) ?? "", caseID: caseID,
                                                         staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func retry(_ req: Request) async throws -> Response {
        let notice = try await NoticeTracking(db: req.db).retry(noticeID: req.parameters.get("noticeID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        return req.redirect(to: req.formValue("back", limit: 10) == "list" ? SitePath.notices() : SitePath.case(notice.caseID), done: .noticeRetried)
    }

    @Sendable func delivered(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let found = try await NoticeTracking(db: req.db).find(req.parameters.get("noticeID", as: UUID.self), for: staff, .informPolice)
        return try await perform(req, caseID: found.caseID, done: .letterDelivered) {
            _ = try await NoticeTracking(db: req.db).confirmLetter(noticeID: found.id, deliveredBy: req.formValue("deliveredBy", limit: 201) ?? "",
                                                                   staff: staff, actor: req.auditActor)
        }
    }

    struct ListContext: Encodable {
        let page: PageFrame
        let limitMinutes: Int
        let rows: [NoticeLine]
    }

    @Sendable func list(_ req: Request) async throws -> View {
        let limit = req.application.settings.notices.acknowledgementLimitMinutes
        let notices = try await NoticeTracking(db: req.db).overdue(staff: try req.requireStaff(), limitMinutes: limit)
        return try await req.view.render("notices", ListContext(page: req.staffFrame(titleKey: "notice.list.heading"), limitMinutes: limit,
                                                                rows: try await NoticeLine.lines(notices, on: req.db)))
    }
}

/// One notice as a line on a page: number, state, times and what can be done with it.
struct NoticeLine: Encodable {
    let id: UUID; let caseID: UUID; let number: String; let statusKey: String; let urgencyKey: String; let channelKey: String
    let created: String; let sent: String?; let acknowledged: String?; let reference: String?; let deliveredBy: String?
    let minutesToAcknowledgement: Int?
    let isLetter: Bool; let canConfirmLetter: Bool; let canRetry: Bool
    /// ESDAS registration: its state, and the outgoing number once registered.
    let registrationKey: String?; let outgoingNumber: String?

    /// `outbox` holds the notice's outbox rows (any others are ignored).
    init(_ n: NoticeRecord, outbox: [OutboxMessage] = []) {
        let mine = outbox.filter { $0.noticeID == n.id }
        let registration = mine.first { $0.route == .esdas }
        id = n.id!; caseID = n.caseID; number = n.number; statusKey = "code.noticeStatus.\(n.status.rawValue)"
        urgencyKey = "code.noticeUrgency.\(n.urgency.rawValue)"; channelKey = "code.noticeChannel.\(n.channel.rawValue)"
        created = BakuFormat.dateTime(n.createdAt); sent = n.sentAt.map(BakuFormat.dateTime); acknowledged = n.acknowledgedAt.map(BakuFormat.dateTime)
        reference = n.reference; deliveredBy = n.deliveredBy
        minutesToAcknowledgement = n.acknowledgedAt.map { Int($0.timeIntervalSince(n.createdAt) / 60) }
        isLetter = n.channel == .letter
        canConfirmLetter = n.channel == .letter && n.status == .queued
        canRetry = mine.contains { $0.state == .failed }
        registrationKey = registration.map { "notice.esdas.\($0.state.rawValue)" }
        outgoingNumber = n.outgoingNumber
    }

    static func lines(_ notices: [NoticeRecord], on db: any Database) async throws -> [NoticeLine] {
        let ids = notices.compactMap(\.id)
        let outbox = ids.isEmpty ? [] : try await OutboxMessage.query(on: db).filter(\.$noticeID ~~ ids).all()
        return notices.map { NoticeLine($0, outbox: outbox) }
    }
}
