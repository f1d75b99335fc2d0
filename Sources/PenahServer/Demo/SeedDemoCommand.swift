import Vapor

/// `penah seed-demo`: loads the demo organisation. Safe to run twice; refuses in production, where
/// invented data must never mix with real cases.
struct SeedDemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Load a demo organisation (never in production)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard !app.settings.isProduction else {
            throw CommandFailure("seed-demo refuses to run in the production environment")
        }
        let created = try await DemoSeeder(db: app.db).seedUnits()
        context.console.print("Demo organisation ready: \(created) unit(s) created, \(DemoOrganisation.units.count - created) already present.")
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
}

import Fluent
