import Fluent
import Foundation
import PenahDomain
import Vapor

/// The reception pages: the desk (`/desk/{unit}?desk=N`) and the entrance kiosk (`/kiosk/{unit}`).
/// Plain forms with CSRF tokens, so they work from the keyboard and without JavaScript.
struct QueuePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.desk, use: deskPage).access(.action(.operateDesk))
        routes.post(.deskCallNext, use: callNext).access(.action(.operateDesk))
        routes.post(.deskIssue, use: issueAtDesk).access(.action(.issueTicket))
        routes.post(.deskTicket, use: act).access(.action(.operateDesk))
        routes.get(.deskEvents, use: deskEvents).access(.action(.operateDesk))
        routes.get(.kiosk, use: kioskPage).access(.action(.useKiosk))
        routes.post(.kiosk, use: kioskIssue).access(.action(.useKiosk))
        routes.get(.kioskTicket, use: kioskTicket).access(.action(.useKiosk))
    }

    struct DeskContext: Encodable {
        struct Waiting: Encodable { let number: String; let minutes: Int }
        struct Current: Encodable { let id: UUID; let number: String; let status: String; let statusKey: String; let canStart: Bool; let canFinish: Bool }
        let page: PageFrame
        let unitCode: String
        let unitName: String
        let desk: Int
        let desks: [Int]
        let current: [Current]
        let waiting: [Waiting]
        let longestWaitMinutes: Int?
        /// The ticket that holds this desk, when "call next" was pressed before it was dealt with.
        let holdingNumber: String?
        /// The ticket just issued at this desk.
        let issuedNumber: String?
    }

    private func unit(_ req: Request) async throws -> Unit {
        try await QueueService.unit(code: req.parameters.get("unitCode") ?? "", for: req.requireStaff(), on: req.db)
    }

    /// The desk a person works at, remembered in a browser-session cookie per unit, so the desk page
    /// opened from the menu (or after a language switch) is still theirs, not desk 1.
    static let deskCookie = "penah_desk"

    private func deskNumber(_ req: Request, _ unit: Unit, field: Bool) throws -> Int {
        let raw = field ? (try? req.content.get(String.self, at: "desk")) : req.query[String.self, at: "desk"]
        guard let raw else {
            // A remembered desk the unit no longer has (desks were removed) falls back to desk 1.
            let remembered = req.cookies[Self.deskCookie].flatMap { Int($0.string) }
            return remembered.flatMap { (1...unit.desks).contains($0) ? $0 : nil } ?? 1
        }
        guard let desk = Int(raw), (1...unit.desks).contains(desk) else {
            throw ValidationProblems([.init(field: "desk", code: "outOfRange")])
        }
        return desk
    }

    /// The live feed the desk page listens to (see `QueueChanges`).
    @Sendable func deskEvents(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        return QueueChanges.feed(unitID: try unit.requireID(), sessionToken: req.cookies[Authenticator.sessionCookie]?.string ?? "", db: req.db)
    }

    @Sendable func deskPage(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        let desk = try deskNumber(req, unit, field: false)
        // Only a ticket number (never personal) comes back in the address after issuing.
        let issued = req.query[String.self, at: "issued"].flatMap { TicketNumber.isWellFormed($0) ? $0 : nil }
        return try await renderDesk(req, unit, desk, issued: issued)
    }

    private func renderDesk(_ req: Request, _ unit: Unit, _ desk: Int, holding: String? = nil, issued: String? = nil,
                            status: HTTPStatus = .ok) async throws -> Response {
        let (waiting, called) = try await req.queue.queue(unit: unit, now: Date())
        let current = called.filter { $0.desk == desk }.map { ticket in
            DeskContext.Current(id: ticket.id, number: ticket.number, status: ticket.status, statusKey: "queue.status.\(ticket.status)",
                                canStart: ticket.status == TicketStatus.called.rawValue, canFinish: ticket.status == TicketStatus.serving.rawValue)
        }
        let waits = waiting.map { DeskContext.Waiting(number: $0.number, minutes: ($0.waitingSeconds ?? 0) / 60) }
        return try await req.view.render("desk", DeskContext(
            page: req.staffFrame(titleKey: "queue.desk.heading"), unitCode: unit.code, unitName: unit.name, desk: desk,
            desks: Array(1...unit.desks), current: current, waiting: waits, longestWaitMinutes: waits.map(\.minutes).max(),
            holdingNumber: holding, issuedNumber: issued)).encodeResponse(status: status, for: req)
            .remembering(desk: desk, of: unit, secure: req.application.secureCookies)
    }

    private func backToDesk(_ req: Request, _ unit: Unit, _ desk: Int, issued: String? = nil) -> Response {
        req.redirect(to: SitePath.desk(unit.code) + "?desk=\(desk)" + (issued.map { "&issued=\($0)" } ?? ""), redirectType: .normal)
            .remembering(desk: desk, of: unit, secure: req.application.secureCookies)
    }

    @Sendable func callNext(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        let desk = try deskNumber(req, unit, field: true)
        // Decided inside the call's own write: a check here, before it, let two quick presses both pass.
        if case .deskHeld(let number) = try await req.queue.call(unit: unit, desk: desk, actor: req.auditActor, keepingDeskRule: true) {
            return try await renderDesk(req, unit, desk, holding: number, status: .conflict)
        }
        return backToDesk(req, unit, desk)
    }

    @Sendable func issueAtDesk(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        let desk = try deskNumber(req, unit, field: true)
        let priority: TicketPriority = (try? req.content.get(String.self, at: "priority")) == "priority" ? .priority : .standard
        let ticket = try await req.queue.issue(unit: unit, priority: priority, actor: req.auditActor)
        return backToDesk(req, unit, desk, issued: ticket.label)
    }

    @Sendable func act(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        let desk = try deskNumber(req, unit, field: true)
        guard let id = req.parameters.get("id", as: UUID.self),
              let transition = TicketTransition(rawValue: req.parameters.get("action") ?? ""), transition != .call else {
            throw Abort(.notFound)
        }
        var target: Int?
        if transition == .transfer {
            guard let raw = try? req.content.get(String.self, at: "to"), let to = Int(raw) else {
                throw ValidationProblems([.init(field: "to", code: "required")])
            }
            target = to
        }
        let staff = try req.requireStaff()
        _ = try await req.queue.apply(transition, ticketID: id, desk: target, staff: staff, actor: req.auditActor)
        // Starting service opens the intake form, carrying the ticket's link.
        if transition == .start, AccessPolicy.allows(staff.role, .registerCase) {
            return req.redirect(to: SitePath.caseNew() + "?ticket=\(id.uuidString)", redirectType: .normal)
        }
        return backToDesk(req, unit, desk)
    }

    // MARK: kiosk

    struct KioskContext: Encodable {
        struct Printed: Encodable { let number: String; let time: String; let date: String }
        let page: PageFrame
        let unitCode: String
        let unitName: String
        let ticket: Printed?
    }

    private func kioskFrame(_ req: Request) -> PageFrame {
        var page = req.staffFrame(titleKey: "queue.kiosk.heading")
        page.isDevice = true
        // A device has no idle timeout: no warning, no "sign in again".
        page.sessionIdleSeconds = nil
        return page
    }

    @Sendable func kioskPage(_ req: Request) async throws -> View {
        let unit = try await unit(req)
        return try await req.view.render("kiosk", KioskContext(page: kioskFrame(req), unitCode: unit.code, unitName: unit.name, ticket: nil))
    }

    /// Issues and sends the kiosk on to the ticket's own page, so reloading shows the same ticket
    /// and never issues another.
    @Sendable func kioskIssue(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        let ticket = try await req.queue.issue(unit: unit, priority: .standard, actor: req.auditActor)
        return req.redirect(to: SitePath.kioskTicket(unit.code, try ticket.requireID()), redirectType: .normal)
    }

    /// A ticket just issued at this unit's kiosk; older ones (and other units') are 404.
    @Sendable func kioskTicket(_ req: Request) async throws -> View {
        let unit = try await unit(req)
        guard let id = req.parameters.get("id", as: UUID.self), let ticket = try await Ticket.find(id, on: req.db),
              ticket.$unit.id == unit.id, ticket.issuedAt > Date().addingTimeInterval(-Self.ticketPageMinutes * 60) else { throw Abort(.notFound) }
        let printed = KioskContext.Printed(number: ticket.label, time: BakuFormat.time(ticket.issuedAt), date: BakuFormat.date(ticket.issuedAt))
        return try await req.view.render("kiosk", KioskContext(page: kioskFrame(req), unitCode: unit.code, unitName: unit.name, ticket: printed))
    }

    static let ticketPageMinutes: Double = 10
}

private extension Response {
    /// No expiry: forgotten when the browser closes, like the desk shift it stands for.
    func remembering(desk: Int, of unit: Unit, secure: Bool) -> Response {
        cookies[QueuePages.deskCookie] = HTTPCookies.Value(string: String(desk), path: SitePath.desk(unit.code),
                                                           isSecure: secure, isHTTPOnly: true, sameSite: .strict)
        return self
    }
}
