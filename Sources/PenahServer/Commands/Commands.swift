import Vapor

enum PenahCommands {
    /// The operations commands of the contract. `serve` is Vapor's own.
    static func register(on app: Application) {
        app.asyncCommands.use(PenahMigrateCommand(), as: "migrate")
        app.asyncCommands.use(UnitCommand(), as: "unit")
        app.asyncCommands.use(SeedDemoCommand(), as: "seed-demo")
        app.asyncCommands.use(UserCommand(), as: "user")
        app.asyncCommands.use(ServiceAccountCommand(), as: "service-account")
        app.asyncCommands.use(DeviceCommand(), as: "device")
        app.asyncCommands.use(VerifyAuditCommand(), as: "verify-audit")
        app.asyncCommands.use(AuditCommand(), as: "audit")
        app.asyncCommands.use(PolicyCommand(), as: "policy")
        app.asyncCommands.use(KeysCommand(), as: "keys")
        app.asyncCommands.use(SearchIndexCommand(), as: "search-index")
        app.asyncCommands.use(SandboxCommand(), as: "sandbox")
        app.lifecycle.use(WelcomeOnServe())
        app.lifecycle.use(AuditCheckpointJob.make())
        app.lifecycle.use(HoldExpiry.job())
        app.lifecycle.use(ClockWarnings.job())
    }
}
