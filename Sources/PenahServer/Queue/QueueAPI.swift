import Foundation
import PenahDomain
import Vapor

/// The queue API (CONTRACT.md, "Queue"): reception, in its own unit.
struct QueueAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let units = routes.grouped("api", "v1", "units", ":unitCode")
        units.grouped(IdempotencyMiddleware()).post("tickets", use: issue).access(.action(.issueTicket))
        units.get("queue", use: queue).access(.action(.viewQueue))
        units.post("desks", ":desk", "call-next", use: callNext).access(.action(.operateDesk))
        let tickets = routes.grouped("api", "v1", "tickets", ":id")
        for transition in [TicketTransition.recall, .noShow, .start, .finish] {
            let path = transition == .noShow ? "no-show" : transition.rawValue
            tickets.post(PathComponent(stringLiteral: path)) { req in try await apply(req, transition) }.access(.action(.operateDesk))
        }
        tickets.post("transfer") { req in try await apply(req, .transfer) }.access(.action(.operateDesk))
    }

    struct IssueBody: Decodable { let priority: TicketPriority? }
    struct TransferBody: Decodable { let desk: Int }

    struct Issued: Content { let id: UUID; let number: String; let status: String; let issuedAt: Date }
    struct Called: Content { let id: UUID; let number: String; let desk: Int; let status: String; let calledAt: Date }
    struct Queue: Content { let waiting: [QueueService.TicketView]; let called: [QueueService.TicketView] }

    @Sendable func issue(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let unit = try await QueueService.unit(code: req.parameters.get("unitCode") ?? "", for: staff, on: req.db)
        let body = (req.body.data?.readableBytes ?? 0) > 0 ? try req.decodeJSON(IssueBody.self) : IssueBody(priority: nil)
        let ticket = try await req.queue.issue(unit: unit, priority: body.priority ?? .standard, actor: req.auditActor)
        return try await Issued(id: ticket.id!, number: ticket.label, status: ticket.status.rawValue, issuedAt: ticket.issuedAt)
            .encodeResponse(status: .created, for: req)
    }

    @Sendable func queue(_ req: Request) async throws -> Queue {
        let staff = try req.requireStaff()
        let unit = try await QueueService.unit(code: req.parameters.get("unitCode") ?? "", for: staff, on: req.db)
        let (waiting, called) = try await req.queue.queue(unit: unit)
        return Queue(waiting: waiting, called: called)
    }

    @Sendable func callNext(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let unit = try await QueueService.unit(code: req.parameters.get("unitCode") ?? "", for: staff, on: req.db)
        guard let desk = req.parameters.get("desk", as: Int.self) else { throw Abort(.notFound) }
        guard let ticket = try await req.queue.callNext(unit: unit, desk: desk, actor: req.auditActor) else {
            return Response(status: .noContent)
        }
        return try await called(ticket).encodeResponse(status: .ok, for: req)
    }

    @Sendable func apply(_ req: Request, _ transition: TicketTransition) async throws -> Called {
        let staff = try req.requireStaff()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let desk = transition == .transfer ? try req.decodeJSON(TransferBody.self).desk : nil
        return called(try await req.queue.apply(transition, ticketID: id, desk: desk, staff: staff, actor: req.auditActor))
    }

    private func called(_ ticket: Ticket) -> Called {
        Called(id: ticket.id!, number: ticket.label, desk: ticket.desk ?? 0, status: ticket.status.rawValue,
               calledAt: ticket.calledAt ?? ticket.issuedAt)
    }
}
