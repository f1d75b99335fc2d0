import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import PostgresNIO
import Vapor

enum DatabaseSetup {
    /// Registers the database named by the settings, with its write combiner. `searchPath` lets
    /// tests give each run its own PostgreSQL schema.
    static func register(_ settings: Settings, on app: Application, searchPath: [String]? = nil) throws {
        switch settings.database {
        case .sqlite(let path):
            app.databases.use(CombinedWrites(inner: DatabaseConfigurationFactory.sqlite(.file(path), sqlLogLevel: nil).make(),
                                             grouping: settings.groupCommit),
                              as: .sqlite)
        case .postgres(let url):
            var configuration: SQLPostgresConfiguration
            do {
                configuration = try SQLPostgresConfiguration(url: url)
            } catch {
                throw SettingsError(variable: "DATABASE_URL", problem: "cannot be parsed as a PostgreSQL URL")
            }
            configuration.searchPath = searchPath
            app.storage[PostgresConnectionKey.self] = (configuration.coreConfiguration, searchPath?.first)
            let postgres = DatabaseConfigurationFactory.postgres(configuration: configuration,
                                                                 maxConnectionsPerEventLoop: settings.databasePoolSize,
                                                                 connectionPoolTimeout: .seconds(Int64(settings.databasePoolWaitSeconds)),
                                                                 sqlLogLevel: .trace)
            app.databases.use(CombinedWrites(inner: postgres.make(), grouping: settings.groupCommit), as: .psql)
        }
    }

    /// Connects once before anything else, so a wrong password, a closed port or an unknown
    /// database stops start-up with exit 78 and the cause, never the password.
    static func checkPostgres(url: String, logger: Logger) async throws {
        guard let configuration = try? SQLPostgresConfiguration(url: url).coreConfiguration else {
            throw SettingsError(variable: "DATABASE_URL", problem: "cannot be parsed as a PostgreSQL URL")
        }
        let place = URLComponents(string: url).map { "\($0.host ?? "?"):\($0.port ?? 5432)/\($0.path.dropFirst())" } ?? "?"
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try? await connection.close()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] != nil {
            let state = error.serverInfo?[.sqlState] ?? ""
            let cause = switch state {
            case "28P01", "28000": "was refused: wrong user name or password"
            case "3D000": "names a database that does not exist"
            default: "was refused by the server (SQLSTATE \(state))"
            }
            throw SettingsError(variable: "DATABASE_URL", problem: "\(cause) (\(place))")
        } catch {
            throw SettingsError(variable: "DATABASE_URL", problem: "cannot be reached at \(place) (\(DatabaseFault.code(error) ?? "\(type(of: error))"))")
        }
    }

    /// Durability settings for the embedded database. WAL persists in the file; `synchronous` and
    /// `foreign_keys` are per connection, and the pool keeps one connection per event loop, so each
    /// loop's connection is set up here before the server takes requests. FULL makes a commit wait for
    /// the WAL to reach the disk: a 2xx means the data survives a power cut.
    static func prepareSQLite(_ app: Application) async throws {
        guard app.databases.configuration(for: .sqlite) != nil else { return }
        for eventLoop in app.eventLoopGroup.makeIterator() {
            let db = app.databases.database(.sqlite, logger: app.logger, on: eventLoop)! as! any SQLDatabase
            try await db.raw("PRAGMA journal_mode = WAL").run()
            try await db.raw("PRAGMA synchronous = FULL").run()
            try await db.raw("PRAGMA foreign_keys = ON").run()
            try await db.raw("PRAGMA busy_timeout = 5000").run()
        }
    }
}

extension Application {
    var sql: any SQLDatabase { db as! any SQLDatabase }
    /// The default database once per event loop. On SQLite each loop's pool holds one connection,
    /// so these are the handles that can read at the same time.
    var databasesOnEveryLoop: [any Database] {
        eventLoopGroup.makeIterator().compactMap { databases.database(logger: logger, on: $0) }
    }
    var isPostgres: Bool { databases.configuration(for: .psql) != nil }
}

extension Request {
    var sql: any SQLDatabase { db as! any SQLDatabase }
}

/// The PostgreSQL connection settings, kept for connections outside the pool (the board relay).
struct PostgresConnectionKey: StorageKey {
    typealias Value = (configuration: PostgresConnection.Configuration, schema: String?)
}
