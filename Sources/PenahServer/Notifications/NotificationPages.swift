import Fluent
import Foundation
import NIOCore
import PenahDomain
import Vapor

/// `/notifications`: a person's notifications, newest first; opening one marks it read and goes to
/// its record; `/notifications/events` tells the open page live (server-sent events) how many are
/// unread. Every reader has only their own. Listing and opening are audited like any read.
struct NotificationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.notifications, use: list).access(.action(.staffHome))
        routes.get(.notificationEvents, use: events).access(.action(.staffHome))
        routes.post(.notificationOpen, use: open).access(.action(.staffHome))
        routes.post(.notificationsReadAll, use: readAll).access(.action(.staffHome))
    }

    struct Context: Encodable {
        struct Line: Encodable { let id: UUID; let kindKey: String; let label: String; let at: String; let unread: Bool }
        let page: PageFrame
        let lines: [Line]
        let unread: Int
    }

    /// How many a page lists; older ones stay stored.
    static let shown = 100
    /// A page whose session ended learns of it at the next heartbeat (and a missed nudge is made good).
    static let heartbeatSeconds = 20

    @Sendable func list(_ req: Request) async throws -> View {
        let staff = try req.requireStaff()
        let rows = try await StaffNotification.query(on: req.db).filter(\.$userID == staff.userID)
            .sort(\.$createdAt, .descending).limit(Self.shown).all()
        try await AuditLog.record(on: req.db, actor: req.auditActor, action: "notification.list", recordType: "notification", recordIDs: [nil])
        return try await req.view.render("notifications", Context(
            page: req.staffFrame(titleKey: "notification.heading"),
            lines: rows.map { .init(id: $0.id!, kindKey: $0.kind.messageKey, label: $0.label, at: BakuFormat.dateTime($0.createdAt), unread: $0.readAt == nil) },
            unread: rows.filter { $0.readAt == nil }.count))
    }

    /// Marks it read and goes to its record. Another person's notification is 404.
    @Sendable func open(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        guard let id = req.parameters.get("notificationID", as: UUID.self),
              let notification = try await StaffNotification.find(id, on: req.db), notification.userID == staff.userID else { throw Abort(.notFound) }
        let actor = req.auditActor
        try await req.db.writeTransaction { db in
            try await StaffNotification.query(on: db).filter(\.$id == id).filter(\.$readAt == nil).set(\.$readAt, to: Date()).update()
            try await AuditLog.append(on: db, actor: actor, action: "notification.read", recordType: "notification", recordID: id.uuidString)
        }
        NotificationHub.shared.ping([staff.userID])
        return req.redirect(to: notification.link, redirectType: .normal)
    }

    @Sendable func readAll(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let actor = req.auditActor
        try await req.db.writeTransaction { db in
            try await StaffNotification.query(on: db).filter(\.$userID == staff.userID).filter(\.$readAt == nil).set(\.$readAt, to: Date()).update()
            try await AuditLog.append(on: db, actor: actor, action: "notification.readAll", recordType: "staffUser", recordID: staff.userID.uuidString)
        }
        NotificationHub.shared.ping([staff.userID])
        return req.redirect(to: SitePath.notifications(), redirectType: .normal)
    }

    /// `event: count` with the number unread, at once, whenever a notification for this person
    /// commits on this node, and at each heartbeat; the feed ends when the session does.
    @Sendable func events(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let token = req.cookies[Authenticator.sessionCookie]?.string ?? ""
        let db = req.db
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "event-stream")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        let body = Response.Body(asyncStream: { writer in
            // Subscribed and started here, not before: a feed whose body never runs leaves nothing behind.
            // The count is read after subscribing, so nothing committed in between is missed.
            let (changes, cancel) = NotificationHub.shared.subscribe(staff.userID)
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(Self.heartbeatSeconds))
                    NotificationHub.shared.ping([staff.userID])
                }
            }
            // Every way out sends `.end` or `.error` (Vapor asserts otherwise) and unsubscribes.
            defer { cancel(); heartbeat.cancel() }
            do {
                var last = -1
                var change = changes.makeAsyncIterator()
                try await writer.write(.buffer(ByteBuffer(string: "retry: 5000\n\n")))
                repeat {
                    // A session that ended (signed out, idle, disabled) ends the feed; reading it does not keep it alive.
                    guard try await SessionStore(db: db).find(token: token, kind: .web, touching: false) != nil else { break }
                    let unread = try await Notifications.unread(for: staff.userID, on: db)
                    if unread != last {
                        try await writer.write(.buffer(ByteBuffer(string: "event: count\ndata: \(unread)\n\n")))
                        last = unread
                    } else {
                        try await writer.write(.buffer(ByteBuffer(string: ": heartbeat\n\n")))
                    }
                } while await change.next() != nil
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        })
        return Response(status: .ok, headers: headers, body: body)
    }
}
