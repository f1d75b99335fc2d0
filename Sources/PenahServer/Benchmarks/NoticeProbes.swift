import Fluent
import Foundation
import NIOConcurrencyHelpers
import PenahDomain
import Vapor

/// Measurements behind `penah-bench notices` (issue 6), against the stand-in gateway on loopback:
/// outbox throughput with four delivery workers, commit-to-`sent` latency with the worker polling as
/// in the server, and 1,000 notices created while the gateway restarts twice (none lost or doubled).
public enum NoticeProbes {
    static let secret = "benchmark secret, at least thirty-two characters"

    public static func run(makeApp: MakeBenchApp) async throws {
        print("Penah notice benchmark")
        try await ProbeSupport.onEachDatabase { name, url in try await backend(name, url, makeApp) }
    }

    static func backend(_ name: String, _ url: String?, _ makeApp: MakeBenchApp) async throws {
        let (app, dispose) = try await makeApp(url)
        let inbox = StandInInbox()
        var (gateway, port) = try await PoliceGatewayStandIn.start(secret: secret, acknowledger: nil, port: 0, inbox: inbox)
        app.storage[SettingsKey.self]!.policeGatewayURL = URL(string: "http://127.0.0.1:\(port)/notices")
        app.storage[SettingsKey.self]!.policeGatewaySecret = secret
        app.storage[SettingsKey.self]!.notices.retryBaseMilliseconds = 200
        let (caseID, lawyer) = try await interviewedCase(app)
        let service = NoticeService(db: app.db, vault: app.vault(), settings: app.settings)
        let actor = AuditActor(userID: lawyer.userID, role: "lawyer", unitCode: "BAKU-1", requestID: "bench", address: "local")
        func create(_ count: Int, creators: Int = 4) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<creators {
                    group.addTask {
                        for _ in stride(from: c, to: count, by: creators) {
                            _ = try await service.create(.init(urgency: .routine), caseID: caseID, staff: lawyer, actor: actor)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }

        // Throughput: 1,000 queued, then four workers drain them.
        try await create(1_000)
        var start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { while try await app.noticeDelivery().runOnce(limit: 100) > 0 {} } }
            try await group.waitForAll()
        }
        let drained = ProbeSupport.seconds(ContinuousClock.now - start)
        print(String(format: "[%@] outbox throughput: %.0f notices/s (1000 notices, 4 workers)", name, 1_000 / drained))

        // Latency: a worker polling as the server's does, notices created one by one.
        let worker = pollingWorker(app)
        for _ in 0..<200 {
            _ = try await service.create(.init(urgency: .routine), caseID: caseID, staff: lawyer, actor: actor)
            try await Task.sleep(for: .milliseconds(40))
        }
        try await waitUntilSent(app, timeout: 30)
        let rows = try await NoticeRecord.query(on: app.db).sort(\.$createdAt, .descending).limit(200).all()
        let latencies = rows.compactMap { n in n.sentAt.map { $0.timeIntervalSince(n.createdAt) * 1000 } }.sorted()
        print(String(format: "[%@] commit → sent: p50 %.0f ms, p95 %.0f ms (%d notices, worker polling every 250 ms)",
                     name, ProbeSupport.percentile(latencies, 0.5), ProbeSupport.percentile(latencies, 0.95), latencies.count))

        // 1,000 more while the gateway restarts twice.
        let before = await inbox.received.count
        start = ContinuousClock.now
        let creating = Task { try await create(1_000) }
        for _ in 0..<2 {
            try await Task.sleep(for: .milliseconds(800))
            try await PoliceGatewayStandIn.stop(gateway)
            try await Task.sleep(for: .milliseconds(700))
            (gateway, port) = try await PoliceGatewayStandIn.start(secret: secret, acknowledger: nil, port: port, inbox: inbox)
        }
        try await creating.value
        try await waitUntilSent(app, timeout: 300)
        worker.cancel()
        let total = try await NoticeRecord.query(on: app.db).count()
        let sent = try await NoticeRecord.query(on: app.db).filter(\.$status == .sent).count()
        let failed = try await NoticeRecord.query(on: app.db).filter(\.$status == .failed).count()
        let received = await inbox.received.count - before
        print(String(format: "[%@] 1000 created across two gateway restarts: %d received once each, %d lost, %d failed, %d repeat posts absorbed; all %d of %d sent (%.1f s)",
                     name, received, 1_000 - received, failed, await inbox.posts - (await inbox.received.count), sent, total, ProbeSupport.seconds(ContinuousClock.now - start)))
        try await PoliceGatewayStandIn.stop(gateway)
        try await dispose()
    }

    /// A case in BAKU-1 with the lawyer's section, and the lawyer.
    static func interviewedCase(_ app: Application) async throws -> (UUID, StaffContext) {
        _ = try await DemoSeeder(db: app.db).seedUnits()
        let user = try await StaffService(db: app.db, keyring: app.keyring).createStaff(
            username: "bench.lawyer", displayName: "bench", role: .lawyer, unitCode: "BAKU-1",
            password: "bench password \(UUID())", hasher: app.bcrypt, actor: .system("bench")).user
        let lawyer = StaffContext(userID: try user.requireID(), username: "bench.lawyer", displayName: "bench", role: .lawyer,
                                  unitCode: "BAKU-1", unitName: "BAKU-1", session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil))
        let registered = try await CaseRegistration(db: app.db, vault: app.vault()).register(DemoCases.application(1).input, staff: lawyer, actor: .system("bench"))
        var section = AssessmentInput(section: .legal, violenceForms: [.physical], relationship: .spouse, riskFactors: [:], needs: [], notes: nil)
        section.incidentDistrict = "Nəsimi"
        _ = try await CaseInterview(db: app.db, vault: app.vault()).saveSection(section, caseID: registered.id, staff: lawyer, actor: .system("bench"))
        return (registered.id, lawyer)
    }

    static func pollingWorker(_ app: Application) -> Task<Void, Never> {
        let delivery = app.noticeDelivery()
        return Task {
            while !Task.isCancelled {
                let tried = (try? await delivery.runOnce()) ?? 0
                if tried == 0 { try? await Task.sleep(for: .milliseconds(250)) }
            }
        }
    }

    static func waitUntilSent(_ app: Application, timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await NoticeRecord.query(on: app.db).filter(\.$status == .queued).count() == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }


}
