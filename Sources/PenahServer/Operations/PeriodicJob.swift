import NIOConcurrencyHelpers
import Vapor

/// Work `serve` does on a clock (audit checkpoints, hold expiry): every `interval`, in the
/// background, never overlapping itself, stopped at shutdown. A failing run is logged by its fault
/// code and the next run tries again; other commands (migrate, seed-demo, …) never start it.
final class PeriodicJob: LifecycleHandler, Sendable {
    let name: String
    let interval: Duration
    private let work: @Sendable (Application) async throws -> Void
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(_ name: String, every interval: Duration, _ work: @escaping @Sendable (Application) async throws -> Void) {
        self.name = name
        self.interval = interval
        self.work = work
    }

    func didBootAsync(_ application: Application) async throws {
        guard Startup.command(application) == "serve" else { return }
        start(application)
    }

    func start(_ application: Application) {
        let name = name, interval = interval, work = work, logger = application.logger
        task.withLockedValue { current in
            current = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if Task.isCancelled { return }
                    do { try await work(application) } catch {
                        logger.warning("\(name) failed", metadata: ["fault": .string(DatabaseFault.code(error) ?? "\(type(of: error))")])
                    }
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        let running = task.withLockedValue { current in defer { current = nil }; return current }
        running?.cancel()
        await running?.value
    }
}
