import Fluent
import Vapor

/// `penah migrate`: applies every pending migration, without the interactive prompt of Fluent's
/// own command, so it can run from deployment scripts.
struct PenahMigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Apply pending database migrations." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let pending = try await Startup.pendingMigrations(context.application)
        try await context.application.autoMigrate()
        try await KeyPreparation.run(context.application)
        try await CaseSearchIndex.bringUpToDate(context.application)
        context.console.print(pending.isEmpty ? "Database is up to date." : "Applied: \(pending.joined(separator: ", "))")
    }
}

/// What happens before a command touches the database.
public enum Startup {
    /// The embedded database and non-production PostgreSQL migrate themselves. In production,
    /// several nodes may start at once, so migrations are an explicit `penah migrate` step and a
    /// node refuses to start on an older schema.
    public static func prepareDatabase(_ app: Application) async throws {
        // `penah migrate` is how production gets out of that state, so it must not be refused by it.
        if command(app) == "migrate" { return }
        if case .postgres = app.settings.database, app.settings.isProduction {
            let pending = try await pendingMigrations(app)
            guard pending.isEmpty else {
                throw SettingsError(variable: "DATABASE_URL",
                                    problem: "has pending migrations (\(pending.joined(separator: ", "))); run `penah migrate` first")
            }
            try await KeyPreparation.run(app)
        } else {
            try await app.autoMigrate()
            try await KeyPreparation.run(app)
            // Where the server migrates itself, it brings the search index up to date too.
            try await CaseSearchIndex.bringUpToDate(app)
        }
    }

    /// The command this process runs (`serve` when none is named).
    static func command(_ app: Application) -> String {
        app.environment.arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "serve"
    }

    static func pendingMigrations(_ app: Application) async throws -> [String] {
        try await app.migrator.setupIfNeeded().get()
        return try await app.migrator.previewPrepareBatch().get().map { $0.0.name }
    }

    /// Printed once the server listens: where the data is and how to make the first administrator.
    static func welcome(_ app: Application) -> String {
        let store: String
        switch app.settings.database {
        case .sqlite(let path): store = "embedded SQLite at \(path)"
        case .postgres: store = "PostgreSQL (DATABASE_URL)"
        }
        return """
        Penah \(PenahVersion.current) — data: \(store). The address it listens on follows below.
        First run? In another terminal, from this directory:
          swift run penah unit create --code HQ --kind hq --name "DOST Agentliyi"
          swift run penah user create --username admin --role admin --unit HQ --password-stdin
        or load the demo organisation with: swift run penah seed-demo
        """
    }
}

/// Prints the welcome once `serve` has bound its address.
struct WelcomeOnServe: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        guard Startup.command(app) == "serve" else { return }
        app.logger.notice("\(Startup.welcome(app))")
    }
}
