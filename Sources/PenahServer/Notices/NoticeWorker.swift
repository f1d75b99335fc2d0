import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Runs the delivery worker inside the server: a pass every quarter second while there is work,
/// started when the server boots and stopped at shutdown. Nodes need no coordination — leases do it.
final class NoticeWorker: LifecycleHandler, Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let makeDelivery: @Sendable (Application) -> NoticeDelivery

    init(makeDelivery: @escaping @Sendable (Application) -> NoticeDelivery) { self.makeDelivery = makeDelivery }

    func didBootAsync(_ application: Application) async throws {
        let delivery = makeDelivery(application)
        let logger = application.logger
        task.withLockedValue { current in
            current = Task {
                while !Task.isCancelled {
                    var tried = 0
                    do { tried = try await delivery.runOnce() } catch { logger.warning("notice delivery pass failed") }
                    if tried == 0 { try? await Task.sleep(for: .milliseconds(250)) }
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

extension Application {
    /// The delivery service with the configured gateway (none when `PENAH_POLICE_GATEWAY_URL` is unset).
    func noticeDelivery(gateway: (any PoliceGateway)? = nil) -> NoticeDelivery {
        let s = settings
        let configured = gateway ?? zip2(s.policeGatewayURL, s.policeGatewaySecret).map {
            HTTPPoliceGateway(url: $0.0, secret: $0.1, client: http.client.shared) as any PoliceGateway
        }
        return NoticeDelivery(db: db, vault: vault(), gateway: configured,
                              policy: .init(maxAttempts: s.notices.maxAttempts, baseMilliseconds: s.notices.retryBaseMilliseconds))
    }
}

private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
