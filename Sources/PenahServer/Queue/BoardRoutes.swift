import Foundation
import Fluent
import NIOCore
import PenahDomain
import Vapor

/// The display board (`/board/{unitCode}`) and its live feed (`/board/{unitCode}/events`,
/// `text/event-stream`). Public by design — they hang in the waiting hall — so they carry ticket
/// and desk numbers only.
struct BoardRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.board, use: page).access(.public)
        routes.get(.boardEvents, use: events).access(.public)
    }

    struct Context: Encodable {
        struct Call: Encodable { let number: String; let desk: Int }
        let page: PageFrame
        let unitCode: String
        let unitName: String
        let current: Call?
        let recent: [Call]
    }

    private func servingUnit(_ req: Request) async throws -> Unit {
        guard let code = req.parameters.get("unitCode"), let unit = try await UnitService(db: req.db).find(code: code),
              unit.kind.servesVisitors else { throw Abort(.notFound) }
        return unit
    }

    @Sendable func page(_ req: Request) async throws -> View {
        let unit = try await servingUnit(req)
        let calls = try await Ticket.query(on: req.db).filter(\.$unit.$id == unit.requireID())
            .filter(\.$day == BakuFormat.dayKey(Date())).filter(\.$calledAt != nil)
            .sort(\.$calledAt, .descending).limit(6).all()
            .compactMap { ticket in ticket.desk.map { Context.Call(number: ticket.label, desk: $0) } }
        return try await req.view.render("board", Context(
            page: PageFrame(req, titleKey: "board.title", isPublic: false), unitCode: unit.code, unitName: unit.name,
            current: calls.first, recent: Array(calls.dropFirst())))
    }

    @Sendable func events(_ req: Request) async throws -> Response {
        let unit = try await servingUnit(req)
        let stream = req.application.board.subscribe(unitCode: unit.code)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "event-stream")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        let body = Response.Body(asyncStream: { writer in
            // Vapor asserts (and so kills a debug server) if the writer is dropped without `.end`
            // or `.error`: a board that went away makes the next write throw, so every way out of
            // here sends one of them, and ending the feed unsubscribes the board.
            defer { stream.cancel() }
            do {
                // Ask the browser to reconnect within two seconds if the connection drops.
                try await writer.write(.buffer(ByteBuffer(string: "retry: 2000\n: connected\n\n")))
                // Calls committed together go out in one write, each still its own event. An empty
                // delivery is the broadcaster's heartbeat: the write finds a board that left
                // without a word, so its subscription does not wait for the next call to end.
                for await events in stream.batches {
                    var buffer = ByteBuffer()
                    if events.isEmpty { buffer.writeString(": heartbeat\n\n") }
                    for event in events {
                        buffer.writeString("event: call\ndata: ")
                        buffer.writeBytes(try encoder.encode(event))
                        buffer.writeString("\n\n")
                    }
                    try await writer.write(.buffer(buffer))
                }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        })
        return Response(status: .ok, headers: headers, body: body)
    }
}
