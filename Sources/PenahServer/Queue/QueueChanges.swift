import Fluent
import Foundation
import NIOCore
import Vapor

/// Keeps the desk pages of a unit current: every queue write (a ticket issued, called, started,
/// finished, recalled, transferred, not shown) wakes the unit's open desk pages once it commits, on
/// every node, and each page then fetches itself again. The feed says only "changed": the page's
/// own request, with its own access checks, brings the tickets.
enum QueueChanges {
    /// Called inside the write transaction that changes the unit's queue.
    static func signal(unitID: UUID, on db: any Database) async throws {
        try await NotificationHub.shared.wake([unitID], with: db)
    }

    /// How often a quiet feed says it is alive, so a page that went away is noticed and unsubscribed.
    static let heartbeatSeconds: Double = 20

    /// `/desk/{unitCode}/events`: `event: queue` whenever the unit's queue changed, a heartbeat
    /// comment in between; it ends when the session does (reading it does not keep a session alive).
    static func feed(unitID: UUID, sessionToken: String, db: any Database) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "event-stream")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        let body = Response.Body(asyncStream: { writer in
            // Subscribed here, not before: a feed whose body never runs leaves nothing behind. Changes
            // and heartbeats meet in one stream, so the writes to the client are never concurrent.
            let (changes, cancel) = NotificationHub.shared.subscribe(unitID)
            let (ticks, tick) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(2))
            let forwarding = Task {
                for await _ in changes { tick.yield(true) }
                tick.finish()
            }
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(heartbeatSeconds))
                    tick.yield(false)
                }
            }
            // Every way out sends `.end` or `.error` (Vapor asserts otherwise) and unsubscribes.
            defer { cancel(); forwarding.cancel(); heartbeat.cancel(); tick.finish() }
            do {
                try await writer.write(.buffer(ByteBuffer(string: "retry: 3000\n: connected\n\n")))
                for await changed in ticks {
                    guard try await SessionStore(db: db).find(token: sessionToken, kind: .web, touching: false) != nil else { break }
                    let message = changed ? "event: queue\ndata: changed\n\n" : ": heartbeat\n\n"
                    try await writer.write(.buffer(ByteBuffer(string: message)))
                }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        })
        return Response(status: .ok, headers: headers, body: body)
    }
}
