import Foundation
import NIOConcurrencyHelpers
import PenahDomain
import Vapor

/// Runs the delivery worker inside the server: a pass every quarter second while there is work,
/// started when the server boots and stopped at shutdown. Nodes need no coordination — leases do it.
final class NoticeWorker: LifecycleHandler, Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let makeDelivery: @Sendable (Application) -> NoticeDelivery

    init(makeDelivery: @escaping @Sendable (Application) -> NoticeDelivery) { self.makeDelivery = makeDelivery }

    static let oneShotCommands: Set<String> = ["migrate", "unit", "user", "seed-demo", "service-account", "device", "verify-audit", "audit", "policy", "keys", "sandbox", "routes"]

    func didBootAsync(_ application: Application) async throws {
        // Only a serving node delivers; `penah user create` and the other commands boot too, and end at once.
        let command = application.environment.arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "serve"
        guard !Self.oneShotCommands.contains(command) else { return }
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
    /// The delivery service with the configured adapters: the police gateway when
    /// `PENAH_POLICE_GATEWAY_URL` is set, ESDAS when `PENAH_ESDAS_URL` is.
    func noticeDelivery() -> NoticeDelivery {
        let s = settings
        var adapters: [DeliveryRoute: any OutboxAdapter] = [:]
        if let url = s.policeGatewayURL, let secret = s.policeGatewaySecret {
            adapters[.policeGateway] = HTTPPoliceGateway(url: url, secret: secret, client: http.client.shared)
        }
        if let url = s.notices.esdasURL, let token = s.notices.esdasToken {
            adapters[.esdas] = ESDASRegistration(url: url, token: token, client: http.client.shared)
        }
        return NoticeDelivery(db: db, vault: vault(), adapters: adapters,
                              policy: .init(maxAttempts: s.notices.maxAttempts, baseMilliseconds: s.notices.retryBaseMilliseconds))
    }
}
