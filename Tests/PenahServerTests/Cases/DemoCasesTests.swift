import Fluent
import Foundation
import Testing
import Vapor
@testable import PenahDomain
@testable import PenahServer

@Suite("Synthetic demo cases")
struct DemoCasesTests {
    @Test("every invented application passes registration's own rules, and the same n gives the same person")
    func valid() {
        let now = Date()
        for n in 0..<500 {
            let (input, unit, at) = DemoCases.application(n, now: now)
            if case .failure(let problems) = RegistrationRules.validate(input, now: at) {
                Issue.record("application \(n): \(problems.problems)")
            }
            #expect(DemoCases.units.contains(unit))
            #expect(at <= now && at > now.addingTimeInterval(-366 * 86_400))
            #expect(FIN(input.victim.fin ?? "") != nil)
        }
        #expect(DemoCases.application(42, now: now).input.victim.fin == DemoCases.application(42, now: now).input.victim.fin)
        #expect(DemoCases.application(42, now: now).input.victim.fin != DemoCases.application(43, now: now).input.victim.fin)
    }

    @Test("seed-demo --cases N registers N sealed cases across the centres, audited; a bad N is refused")
    func seedCommand() async throws {
        try await withPenah { app in
            var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["penah", "--cases", "12"]))
            context.application = app
            try await SeedDemoCommand().run(using: &context)
            #expect(try await CaseRecord.query(on: app.db).count() == 12)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.register").count() == 12)
            let units = Set(try await CaseRecord.query(on: app.db).with(\.$unit).all().map(\.unit.code))
            #expect(units.count > 1, "spread across centres")
            var bad = CommandContext(console: Terminal(), input: CommandInput(arguments: ["penah", "--cases", "0"]))
            bad.application = app
            await #expect(throws: CommandFailure.self) { try await SeedDemoCommand().run(using: &bad) }
            #expect(try await CaseRecord.query(on: app.db).count() == 12)
        }
    }
}
