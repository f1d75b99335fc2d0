import Vapor

/// `penah seed-demo`: loads the demo organisation. Safe to run twice; refuses in production, where
/// invented data must never mix with real cases.
struct SeedDemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "Also register N synthetic cases (invented people) across the DOST centres.")
        var cases: Int?
    }
    var help: String { "Load a demo organisation (never in production)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard !app.settings.isProduction else {
            throw CommandFailure("seed-demo refuses to run in the production environment")
        }
        let seeder = DemoSeeder(db: app.db)
        let created = try await seeder.seedUnits()
        context.console.print("Demo organisation ready: \(created) unit(s) created, \(DemoOrganisation.units.count - created) already present.")
        let staff = try await seeder.seedStaff(keyring: app.keyring, hasher: app.bcrypt)
        if !staff.isEmpty {
            context.console.print("Demo staff, password \"\(DemoOrganisation.demoPassword)\"; add each line to an authenticator app:")
            for (username, uri) in staff { context.console.print("  \(username)\n  \(uri)") }
        }
        if let count = signature.cases {
            guard (1...1_000_000).contains(count) else { throw CommandFailure("--cases takes a number from 1 to 1000000") }
            let existing = try await CaseRecord.query(on: app.db).count()
            let console = context.console
            try await DemoCases(db: app.db, vault: app.vault(on: app.db)).seed(count: count, from: existing) { n in
                console.print("  … \(n) cases")
            }
            context.console.print("Registered \(count) synthetic case(s).")
        }
    }
}

struct DemoSeeder {
    let db: any Database

    /// Creates the demo units that do not exist yet; returns how many were created.
    func seedUnits() async throws -> Int {
        let service = UnitService(db: db)
        var created = 0
        for seed in DemoOrganisation.units where try await service.find(code: seed.code) == nil {
            _ = try await service.create(code: seed.code, kind: seed.kind, name: seed.name,
                                         parentCode: seed.parent, capacity: seed.capacity,
                                         actor: .system("seed-demo"))
            created += 1
        }
        return created
    }

    /// Creates the demo staff that do not exist yet; returns each new username with its TOTP URI.
    func seedStaff(keyring: MasterKeyring, hasher: some PasswordHashing) async throws -> [(String, String)] {
        let service = StaffService(db: db, keyring: keyring)
        var created: [(String, String)] = []
        for person in DemoOrganisation.staff where try await StaffUser.query(on: db).filter(\.$username == person.username).first() == nil {
            let account = try await service.createStaff(username: person.username, displayName: person.name, role: person.role,
                                                        unitCode: person.unit, password: DemoOrganisation.demoPassword,
                                                        hasher: hasher, actor: .system("seed-demo"))
            created.append((person.username, account.provisioningURI))
        }
        return created
    }
}

import Fluent
import PenahDomain
