import Fluent
import Foundation
import PenahDomain
import Vapor

/// Measurements behind `penah-bench placement` (issue 7): with 10,000 requests and 50 shelters,
/// the SXA inbox, one request with its fitting shelters, an approval, and the capacity query,
/// timed through the services the routes call.
public enum PlacementProbes {
    public static func run(makeApp: MakeBenchApp) async throws {
        let count = Int(ProcessInfo.processInfo.environment["PENAH_BENCH_REQUESTS"] ?? "") ?? 10_000
        print("Penah placement benchmark, \(count) requests, 50 shelters")
        try await ProbeSupport.onEachDatabase { name, url in try await backend(name, url, count, makeApp) }
    }

    static func backend(_ name: String, _ url: String?, _ count: Int, _ makeApp: MakeBenchApp) async throws {
        let (app, dispose) = try await makeApp(url)
        _ = try await DemoSeeder(db: app.db).seedUnits()
        let units = UnitService(db: app.db)
        for i in 1...48 {
            _ = try await units.create(code: "SHELTER-B-\(i)", kind: .shelter, name: "Sığınacaq \(i)", parentCode: "SXA", capacity: 1_000, actor: .system("bench"))
        }
        let user = try await StaffService(db: app.db, keyring: app.keyring).createStaff(
            username: "bench.sxa", displayName: "bench", role: .sxaOfficer, unitCode: "SXA", password: "bench password \(UUID())",
            hasher: app.bcrypt, actor: .system("bench")).user
        let sxa = StaffContext(userID: try user.requireID(), username: "bench.sxa", displayName: "bench", role: .sxaOfficer, unitCode: "SXA",
                               unitName: "SXA", session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil))
        let actor = AuditActor(userID: sxa.userID, role: "sxaOfficer", unitCode: "SXA", requestID: "bench", address: "local")
        let started = ContinuousClock.now
        let ids = try await seedRequests(app, count: count, registrar: sxa.userID)
        print(String(format: "[%@] seeded %d requests in %.0f s", name, count, ProbeSupport.seconds(ContinuousClock.now - started)))

        let inbox = SXAInbox(db: app.db)
        let inboxTimes = try await ProbeSupport.timed(200) { _ in _ = try await inbox.list(status: nil, limit: 50) }
        let itemTimes = try await ProbeSupport.timed(200) { i in _ = try await inbox.item(ids[i]) }
        let shelters = try await Unit.query(on: app.db).filter(\.$kindCode == UnitKind.shelter.rawValue).all()
        let decisions = SXADecisions(db: app.db, vault: app.vault(), settings: app.settings)
        let decideTimes = try await ProbeSupport.timed(min(200, max(0, ids.count - 200))) { i in
            _ = try await decisions.decide(.init(decision: "approved", shelterId: shelters[i % shelters.count].id), requestID: ids[200 + i], staff: sxa, actor: actor)
        }
        let registry = ShelterRegistry(db: app.db)
        let capacityTimes = try await ProbeSupport.timed(500) { i in _ = try await registry.entry(shelters[i % shelters.count]) }
        ProbeSupport.report(name, [("inbox (50 most due)", inboxTimes), ("one request with fitting shelters", itemTimes),
                                ("approve (hold a place, issue a code)", decideTimes), ("capacity of one shelter", capacityTimes)])
        try await dispose()
    }

    /// Requests written straight into the table: the benchmark measures SXA's side, not intake.
    static func seedRequests(_ app: Application, count: Int, registrar: UUID) async throws -> [UUID] {
        let unit = try await UnitService(db: app.db).find(code: "BAKU-1")!
        var ids: [UUID] = []
        let caseRecord = try await CaseRegistration(db: app.db, vault: app.vault()).register(
            DemoCases.application(7).input,
            staff: StaffContext(userID: registrar, username: "bench", displayName: "bench", role: .reception, unitCode: "BAKU-1", unitName: "BAKU-1",
                                session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil)), actor: .system("bench"))
        let now = Date()
        for start in stride(from: 0, to: count, by: 500) {
            let batch = (start..<min(count, start + 500)).map { n -> PlacementRequest in
                let r = PlacementRequest()
                r.id = UUID(); r.caseID = caseRecord.id; r.unitID = unit.id!; r.pseudonym = Pseudonym.generate(); r.sex = .female
                r.ageBand = AgeBand.allCases[n % AgeBand.allCases.count].rawValue; r.children = n % 3 == 0 ? #"[{"age":5,"sex":"male"}]"# : "[]"
                r.needs = "safety,shelter"; r.riskLevel = ["standard", "elevated", "high"][n % 3]; r.language = "az"; r.interpreterNeeded = false
                r.accessibility = ""; r.urgency = n % 3 == 2 ? "urgent" : "routine"; r.avoidRegions = n % 5 == 0 ? "Xətai" : ""
                r.status = .submitted; r.emergencyOverride = false; r.submittedBy = registrar
                r.submittedAt = now.addingTimeInterval(-Double(n)); r.dueAt = r.submittedAt.addingTimeInterval(86_400); r.dueMs = r.dueAt.milliseconds
                r.places = n % 3 == 0 ? 2 : 1
                ids.append(r.id!)
                return r
            }
            try await app.db.writeTransaction { db in try await batch.create(on: db) }
        }
        return ids
    }



}
