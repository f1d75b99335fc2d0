import Fluent
import Foundation
import PenahDomain
import Vapor

/// CONTRACT.md "Law enforcement": notices from a case, their state, and the gateway's acknowledgement.
struct NoticeAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let fromCase = routes.grouped("api", "v1", "cases", ":caseID")
        fromCase.grouped(IdempotencyMiddleware()).post("law-enforcement-notices", use: create).access(.action(.informPolice))
        fromCase.post("police-reference", use: alreadyKnown).access(.action(.informPolice))
        let notices = routes.grouped("api", "v1", "law-enforcement-notices")
        notices.get(use: overdue).access(.action(.readNotice))
        let one = notices.grouped(":noticeID")
        one.get(use: show).access(.action(.readNotice))
        one.post("acknowledgement", use: acknowledge).access(.action(.acknowledgeNotice))
        one.post("retry", use: retry).access(.action(.retryNotice))
        one.post("delivery", use: delivered).access(.action(.informPolice))
    }

    /// A notice as the API shows it: its state and times, never its content.
    struct View: Content {
        let id: UUID; let number: String; let caseId: UUID; let status: String; let urgency: String; let channel: String
        let createdAt: Date; let sentAt: Date?; let acknowledgedAt: Date?; let failedAt: Date?; let reference: String?
        let deliveredBy: String?
        /// The outgoing document number in ESDAS, once registered.
        let outgoingNumber: String?
        /// From creation to acknowledgement, in whole minutes.
        let minutesToAcknowledgement: Int?

        init(_ n: NoticeRecord) {
            id = n.id!; number = n.number; caseId = n.caseID; status = n.status.rawValue; urgency = n.urgency.rawValue; channel = n.channel.rawValue
            createdAt = n.createdAt; sentAt = n.sentAt; acknowledgedAt = n.acknowledgedAt; failedAt = n.failedAt; reference = n.reference
            deliveredBy = n.deliveredBy; outgoingNumber = n.outgoingNumber
            minutesToAcknowledgement = n.acknowledgedAt.map { Int($0.timeIntervalSince(n.createdAt) / 60) }
        }
    }
    struct Items: Content { let items: [View] }

    @Sendable func create(_ req: Request) async throws -> Response {
        let input = try req.decodeJSON(NoticeService.CreateInput.self)
        let notice = try await req.notices.create(input, caseID: req.parameters.get("caseID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        return try await View(notice).encodeResponse(status: .created, for: req)
    }

    struct Reference: Content { var reference: String }

    @Sendable func alreadyKnown(_ req: Request) async throws -> Response {
        let input = try req.decodeJSON(Reference.self)
        let notice = try await req.notices.recordAlreadyKnown(reference: input.reference, caseID: req.parameters.get("caseID", as: UUID.self),
                                                              staff: try req.requireStaff(), actor: req.auditActor)
        return try await View(notice).encodeResponse(status: .created, for: req)
    }

    @Sendable func show(_ req: Request) async throws -> View {
        View(try await NoticeTracking(db: req.db).find(req.parameters.get("noticeID", as: UUID.self), for: try req.requireStaff(), .readNotice))
    }

    @Sendable func overdue(_ req: Request) async throws -> Items {
        let list = try await NoticeTracking(db: req.db).overdue(staff: try req.requireStaff(),
                                                                 limitMinutes: req.application.settings.notices.acknowledgementLimitMinutes)
        return Items(items: list.map(View.init))
    }

    @Sendable func acknowledge(_ req: Request) async throws -> View {
        let input = try req.decodeJSON(NoticeTracking.Acknowledgement.self)
        return View(try await NoticeTracking(db: req.db).acknowledge(input, noticeID: req.parameters.get("noticeID", as: UUID.self), actor: req.auditActor))
    }

    @Sendable func retry(_ req: Request) async throws -> View {
        View(try await NoticeTracking(db: req.db).retry(noticeID: req.parameters.get("noticeID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor))
    }

    struct Delivery: Content { var deliveredBy: String }

    @Sendable func delivered(_ req: Request) async throws -> View {
        let input = try req.decodeJSON(Delivery.self)
        return View(try await NoticeTracking(db: req.db).confirmLetter(noticeID: req.parameters.get("noticeID", as: UUID.self), deliveredBy: input.deliveredBy,
                                                                       staff: try req.requireStaff(), actor: req.auditActor))
    }
}

extension Request {
    var notices: NoticeService { NoticeService(db: db, vault: vault, settings: application.settings) }
}
