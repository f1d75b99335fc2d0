import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// What a member of staff is told without asking: SXA asked, approved or refused; an urgent request
/// came in; a notice failed or was acknowledged. A notification names its record by case number or
/// pseudonym only — never by her name — and links to it.
enum NotificationKind: String, Codable, CaseIterable, Sendable {
    case sxaQuestion, placementApproved, placementRefused, urgentRequest, noticeFailed, noticeAcknowledged, clockRunningOut, caseAssigned

    var messageKey: String { "notification.kind.\(rawValue)" }
}

final class StaffNotification: Model, @unchecked Sendable {
    static let schema = "staff_notifications"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "kind") var kind: NotificationKind
    /// A case number or a pseudonym.
    @Field(key: "label") var label: String
    /// A site path, made with `SitePath`.
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    init() {}
}

/// Stores notifications in the caller's write transaction (so they exist exactly when the change
/// does) and, once it commits, tells the recipients' open pages (see `NotificationHub`).
enum Notifications {
    static func send(_ kind: NotificationKind, label: String, link: String, to users: Set<UUID>, on db: any Database,
                     now: Date = Date()) async throws {
        guard !users.isEmpty else { return }
        try await users.sorted { $0.uuidString < $1.uuidString }.map { user in
            let notification = StaffNotification()
            notification.id = UUID()
            notification.userID = user
            notification.kind = kind
            notification.label = label
            notification.link = link
            notification.createdAt = now
            return notification
        }.create(on: db)
        try await NotificationHub.shared.wake(users, with: db)
    }

    static func unread(for user: UUID, on db: any Database) async throws -> Int {
        try await StaffNotification.query(on: db).filter(\.$userID == user).filter(\.$readAt == nil).count()
    }
}

/// The open pages of each member of staff, told when a notification for them has committed: on this
/// node after its COMMIT, on the others through the board relay's `LISTEN` (see `BoardRelay.Nudge`).
/// One per process: recipients are user ids, unique everywhere.
final class NotificationHub: Sendable {
    static let shared = NotificationHub()

    private let listeners = NIOLockedValueBox<[UUID: [UUID: AsyncStream<Void>.Continuation]]>([:])

    /// A stream that yields whenever the user's notifications change; ends when cancelled.
    func subscribe(_ user: UUID) -> (stream: AsyncStream<Void>, cancel: @Sendable () -> Void) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        listeners.withLockedValue { $0[user, default: [:]][id] = continuation }
        let cancel: @Sendable () -> Void = { [weak self] in
            let removed = self?.listeners.withLockedValue { listeners -> AsyncStream<Void>.Continuation? in
                defer { if listeners[user]?.isEmpty == true { listeners[user] = nil } }
                return listeners[user]?.removeValue(forKey: id)
            }
            removed?.finish()
        }
        continuation.onTermination = { _ in cancel() }
        return (stream, cancel)
    }

    /// Wakes the pages listening for these keys once the caller's write commits: on this node after
    /// its COMMIT (at once outside a group commit), on the others through the relay, at COMMIT. A key
    /// is a user's id for their notifications, or a unit's id for its desk pages (see `QueueChanges`):
    /// ids are unique across tables, so the two never meet.
    func wake(_ keys: Set<UUID>, with db: any Database) async throws {
        if let batch = WriteCombiner.currentBatch { batch.afterCommit { self.ping(keys) } } else { ping(keys) }
        if let relay = (db.context.configuration as? CombinedWrites)?.nodes.relay, let sql = db as? any SQLDatabase {
            try await relay.nudge(keys, on: sql)
        }
    }

    func ping(_ users: Set<UUID>) {
        let targets = listeners.withLockedValue { listeners in users.flatMap { listeners[$0].map { Array($0.values) } ?? [] } }
        for continuation in targets { continuation.yield() }
    }

    /// Open pages, for the tests and `/health`.
    var connected: Int { listeners.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } }

    /// One person's open pages.
    func connected(_ user: UUID) -> Int { listeners.withLockedValue { $0[user]?.count ?? 0 } }
}

extension Request {
    private struct UnreadKey: StorageKey { typealias Value = Int }

    /// Set for signed-in page requests by the authenticator, for the header's count.
    var unreadNotifications: Int? {
        get { storage[UnreadKey.self] }
        set { storage[UnreadKey.self] = newValue }
    }
}
