import Fluent
import Foundation
import PenahDomain
import Vapor

/// Measurements behind `penah-bench cases` (issue 5): with `PENAH_BENCH_CASES` synthetic cases
/// (100,000 by default) the worklist, a search by FIN and by case number, the case page and a new
/// registration, each timed through the services the routes call (the handlers add only JSON or
/// template encoding).
public enum CaseProbes {
    public static func run(makeApp: MakeBenchApp) async throws {
        let count = Int(ProcessInfo.processInfo.environment["PENAH_BENCH_CASES"] ?? "") ?? 100_000
        print("Penah case benchmark, \(count) cases")
        try await ProbeSupport.onEachDatabase { name, url in try await backend(name, url, count, makeApp) }
    }

    static func backend(_ name: String, _ url: String?, _ count: Int, _ makeApp: MakeBenchApp) async throws {
        let (app, dispose) = try await makeApp(url)
        _ = try await DemoSeeder(db: app.db).seedUnits()
        let reception = try await StaffService(db: app.db, keyring: app.keyring).createStaff(
            username: "bench.reception", displayName: "bench", role: .reception, unitCode: "BAKU-1",
            password: "bench password \(UUID())", hasher: app.bcrypt, actor: .system("bench")).user
        let staff = StaffContext(userID: try reception.requireID(), username: "bench.reception", displayName: "bench", role: .reception,
                                 unitCode: "BAKU-1", unitName: "BAKU-1", session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil))
        let vault = app.vault()
        let started = ContinuousClock.now
        try await DemoCases(db: app.db, vault: vault).seed(count: count)
        print(String(format: "[%@] seeded %d cases in %.0f s", name, count, ProbeSupport.seconds(ContinuousClock.now - started)))

        let list = CaseList(db: app.db, vault: vault, standards: app.settings.standards)
        let actor = AuditActor(userID: staff.userID, role: "reception", unitCode: "BAKU-1", requestID: "bench", address: "local")
        // Samples that live in BAKU-1, so the reader's scope covers them.
        let samples = (0..<count).lazy.map { DemoCases.application($0) }.filter { $0.unitCode == "BAKU-1" }.prefix(200)
        let fins = Array(samples.compactMap(\.input.victim.fin))
        let records = try await CaseRecord.query(on: app.db).filter(\.$unit.$id == (try await UnitService(db: app.db).find(code: "BAKU-1"))!.id!)
            .limit(200).all()

        var query = CaseList.Query()
        let worklist = try await ProbeSupport.timed(200) { _ in _ = try await list.list(query, staff: staff, actor: actor) }
        let byFIN = try await ProbeSupport.timed(fins.count) { i in
            query.text = fins[i]
            _ = try await list.list(query, staff: staff, actor: actor)
        }
        let byNumber = try await ProbeSupport.timed(records.count) { i in
            query.text = records[i].number
            _ = try await list.list(query, staff: staff, actor: actor)
        }
        let page = try await ProbeSupport.timed(records.count) { i in
            _ = try await CaseDetail.load(caseID: records[i].id, staff: staff, actor: actor, on: app.db, vault: vault, standards: app.settings.standards)
        }
        let registration = CaseRegistration(db: app.db, vault: vault)
        let register = try await ProbeSupport.timed(200) { i in
            _ = try await registration.register(DemoCases.application(count + i).input, staff: staff, actor: actor)
        }
        ProbeSupport.report(name, [("worklist (50 newest in the unit)", worklist), ("search by FIN", byFIN), ("search by case number", byNumber),
                                ("case page (open identity, audited)", page), ("register a case", register)])
        try await dispose()
    }



}
