import NIOConcurrencyHelpers
import Vapor

struct BoardBroadcasterKey: StorageKey { typealias Value = BoardBroadcaster }

extension Application {
    var board: BoardBroadcaster { storage[BoardBroadcasterKey.self]! }
    var queueGroups: QueueGroups { storage[QueueGroupsKey.self]! }
    var queue: QueueService { QueueService(db: db, board: board, groups: queueGroups) }
}

extension Request {
    var queue: QueueService { QueueService(db: db, board: application.board, groups: application.queueGroups) }
}

/// Runs the boards' heartbeat while the application is up.
final class BoardHeartbeat: LifecycleHandler, Sendable {
    /// Short enough that a dropped board is forgotten quickly, long enough to cost nothing.
    static let interval: Duration = .seconds(15)
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let board: BoardBroadcaster

    init(board: BoardBroadcaster) { self.board = board }

    func didBootAsync(_ application: Application) async throws {
        let board = board
        task.withLockedValue { $0 = Task { await board.runHeartbeats(every: Self.interval) } }
    }

    func shutdownAsync(_ application: Application) async {
        let running = task.withLockedValue { current in defer { current = nil }; return current }
        running?.cancel()
        await running?.value
    }
}
