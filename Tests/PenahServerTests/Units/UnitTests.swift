import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Units and the demo organisation")
struct UnitTests {
    @Test("the demo seeds the public DOST centres, Karabakh with branches, SXA and two shelters; twice is harmless")
    func demo() async throws {
        try await withPenah { app in
            #expect(try await DemoSeeder(db: app.db).seedUnits() == DemoOrganisation.units.count)
            #expect(try await DemoSeeder(db: app.db).seedUnits() == 0)
            let units = try await UnitService(db: app.db).list()
            #expect(units.filter { $0.kind == "shelter" }.count == 2)
            #expect(units.filter { $0.parentCode == "KARABAKH" && $0.kind == "branch" }.count == 3)
            #expect(Set(["BAKU-1", "BAKU-2", "BAKU-3", "BAKU-4", "BAKU-5", "ABSHERON"]).isSubset(of: Set(units.map(\.code))))
            // Listed in Azerbaijani order: "Abşeron" before "Ağcabədi" before "Bakı".
            let names = units.map(\.name)
            #expect(names.firstIndex(of: "Abşeron rayon DOST mərkəzi")! < names.firstIndex(of: "Ağcabədi DOST filialı")!)
        }
    }

    @Test("the demo has staff of every role, each fitting its unit; twice is harmless")
    func demoStaff() async throws {
        try await withPenah { app in
            _ = try await DemoSeeder(db: app.db).seedUnits()
            let first = try await DemoSeeder(db: app.db).seedStaff(keyring: app.keyring, hasher: app.bcrypt)
            #expect(first.count == Role.staffRoles.count)
            #expect(try await DemoSeeder(db: app.db).seedStaff(keyring: app.keyring, hasher: app.bcrypt).isEmpty)
            let roles = Set(try await StaffUser.query(on: app.db).all().map(\.role.rawValue))
            #expect(roles == Set(Role.staffRoles.map(\.rawValue)))
        }
    }

    @Test("seed-demo refuses to run in production")
    func seedRefusesProduction() async throws {
        try await withPenah { app in
            app.storage[SettingsKey.self]!.isProduction = true
            let console = Terminal()
            var context = CommandContext(console: console, input: CommandInput(arguments: ["penah"]))
            context.application = app
            var refused = false
            do { try await SeedDemoCommand().run(using: &context) } catch is CommandFailure { refused = true }
            #expect(refused)
            let count = try await Unit.query(on: app.db).count()
            #expect(count == 0)
        }
    }

    @Test("unit creation validates code, kind, parent and capacity and writes nothing on error")
    func create() async throws {
        try await withPenah { app in
            let service = UnitService(db: app.db)
            _ = try await service.create(code: "HQ", kind: .hq, name: "DOST Agentliyi", parentCode: nil, capacity: nil, actor: .system("t"))
            _ = try await service.create(code: "SXA", kind: .sxa, name: "SXA", parentCode: nil, capacity: nil, actor: .system("t"))
            let shelter = try await service.create(code: "SH-1", kind: .shelter, name: "Sığınacaq", parentCode: "SXA", capacity: 12, actor: .system("t"))
            #expect(shelter.capacity == 12)
            for (code, kind, parent, capacity, field) in [
                ("HQ", UnitKind.hq, String?.none, Int?.none, "code"),
                ("SH-2", .shelter, "HQ", 5, "parent"),
                ("BR-1", .branch, nil, nil, "parent"),
                ("C-1", .centre, "NOPE", nil, "parent"),
                ("'><script>", .centre, "HQ", nil, "code"),
            ] as [(String, UnitKind, String?, Int?, String)] {
                await #expect {
                    _ = try await service.create(code: code, kind: kind, name: "X", parentCode: parent, capacity: capacity, actor: .system("t"))
                } throws: { ($0 as? ValidationProblems)?.problems.contains { $0.field == field } == true }
            }
            #expect(try await Unit.query(on: app.db).count() == 3)
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "unit.create").count()
            #expect(audited == 3)
        }
    }

    @Test("GET /api/v1/units lists units with limit and cursor")
    func api() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let token = try await app.token(for: staff)
            let first = try await app.send(.GET, "/api/v1/units?limit=5", headers: .bearer(token))
            #expect(first.status == .ok)
            let page = try first.content.decode(UnitRoutes.Page.self)
            #expect(page.items.count == 5)
            let cursor = try #require(page.nextCursor)
            let second = try await app.send(.GET, "/api/v1/units?limit=200&cursor=\(cursor)", headers: .bearer(token))
            let rest = try second.content.decode(UnitRoutes.Page.self)
            #expect(rest.nextCursor == nil)
            #expect(page.items.count + rest.items.count == DemoOrganisation.units.count)
            #expect(rest.items.first { $0.code == "KARABAKH-AGDAM" }?.parentCode == "KARABAKH")
            for bad in ["0", "201", "abc", "-1"] {
                let response = try await app.send(.GET, "/api/v1/units?limit=\(bad)", headers: .bearer(token))
                #expect(response.status == .unprocessableEntity, "limit=\(bad)")
            }
            #expect(try await app.send(.GET, "/api/v1/units").status == .unauthorized)
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer("forged")).status == .unauthorized)
        }
    }

    @Test("metrics: an admin or auditor token is admitted, other roles get 404")
    func metricsTokens() async throws {
        try await withPenah { app in
            let admin = try await app.token(for: try await app.makeStaff(.admin))
            let reception = try await app.token(for: try await app.makeStaff(.reception))
            #expect(try await app.send(.GET, "/metrics", headers: .bearer(admin)).status == .ok)
            #expect(try await app.send(.GET, "/metrics", headers: .bearer(reception)).status == .notFound)
        }
    }

    @Test("a role must fit its unit, and passwords follow the policy")
    func staffValidation() async throws {
        try await withPenah { app in
            try await app.seedUnits()
            let service = StaffService(db: app.db, keyring: app.keyring)
            for (role, unit, password, field) in [
                (Role.sxaOfficer, "BAKU-1", "a perfectly fine passphrase", "unit"),
                (.reception, "BAKU-1", "short", "password"),
                (.reception, "BAKU-1", "password1234", "password"),
                (.reception, "NOWHERE", "a perfectly fine passphrase", "unit"),
            ] {
                await #expect {
                    _ = try await service.createStaff(username: "aysel.m", displayName: nil, role: role, unitCode: unit,
                                                      password: password, hasher: app.bcrypt, actor: .system("t"))
                } throws: { ($0 as? ValidationProblems)?.problems.contains { $0.field == field } == true }
            }
            #expect(try await StaffUser.query(on: app.db).count() == 0)
        }
    }

    @Test("the TOTP secret is sealed at rest")
    func sealedSecret() async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(.lawyer)
            let stored = try #require(try await StaffUser.find(staff.user.id, on: app.db)?.totpSecretSealed)
            #expect(!stored.contains(Base32.encode(staff.totpSecret)))
            #expect(try app.keyring.open(stored, purpose: "totp") == staff.totpSecret)
        }
    }
}
