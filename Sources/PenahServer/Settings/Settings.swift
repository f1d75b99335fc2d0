import Foundation
import PenahDomain

/// Everything Penah reads from its environment, read in one place and validated before anything
/// starts, so a bad value stops the process with a message that names the variable.
public struct Settings: Sendable {
    public enum Database: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var dataDirectory: URL
    public var database: Database
    /// Base64 of 32 bytes when given; nil means "use or create the key file in the data dir".
    public var masterKeyBase64: String?
    /// The master key before a rotation, while nodes restart (`PENAH_PREVIOUS_MASTER_KEY`).
    public var previousMasterKeyBase64: String?
    public var policeGatewayURL: URL?
    public var policeGatewaySecret: String?
    public var quickExitURL: String
    public var isProduction: Bool
    /// PostgreSQL connections per event loop (`PENAH_DATABASE_POOL_SIZE`, default 8).
    public var databasePoolSize: Int
    /// How long a request waits for a free PostgreSQL connection before it fails
    /// (`PENAH_DATABASE_POOL_WAIT_SECONDS`, default 10). The test suite runs many servers on two
    /// cores with two connections each and waits longer.
    public var databasePoolWaitSeconds: Int
    public var standards: TimeStandards
    public var notices: NoticeSettings
    public var placement: PlacementSettings
    /// First wait before the board relay reconnects after losing its `LISTEN` connection; it
    /// doubles up to five seconds (`PENAH_BOARD_RELAY_RETRY_MS`, default 250).
    public var boardRelayRetryMilliseconds: Int
    /// Whether the hot paths that ask for it (the queue, audited reads) share one COMMIT with the
    /// writes waiting beside them (`PENAH_GROUP_COMMIT`, `on` by default; `off` gives every write
    /// its own transaction — for measuring what grouping buys, or ruling it out in an incident).
    public var groupCommit: Bool

    /// Reads and validates. Throws `SettingsError` naming the first bad variable.
    public static func load(environment: [String: String], isProduction: Bool) throws -> Settings {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        let dataPath = value("PENAH_DATA_DIR") ?? "./penah-data"
        let dataDirectory = URL(fileURLWithPath: dataPath, isDirectory: true).standardizedFileURL

        let database: Database
        if let url = value("DATABASE_URL") {
            guard let parsed = URLComponents(string: url), ["postgres", "postgresql"].contains(parsed.scheme ?? ""),
                  let host = parsed.host, !host.isEmpty, parsed.path.count > 1 else {
                throw SettingsError(variable: "DATABASE_URL",
                                    problem: "must look like postgres://user:password@host:5432/database")
            }
            database = .postgres(url: url)
        } else if isProduction {
            throw SettingsError(variable: "DATABASE_URL", problem: "is required in production (PostgreSQL)")
        } else {
            database = .sqlite(path: dataDirectory.appendingPathComponent("penah.sqlite").path)
        }

        let masterKey = value("PENAH_MASTER_KEY")
        if let masterKey {
            try MasterKey.validate(base64: masterKey, source: "PENAH_MASTER_KEY")
        } else if isProduction {
            throw SettingsError(variable: "PENAH_MASTER_KEY", problem: "is required in production (base64 of 32 random bytes)")
        } else if case .postgres = database {
            // A key file is one machine's own: nodes sharing one database would each make their
            // own and seal under different keys.
            throw SettingsError(variable: "PENAH_MASTER_KEY",
                                problem: "is required with DATABASE_URL, the same on every node (base64 of 32 random bytes)")
        }

        let previousKey = value("PENAH_PREVIOUS_MASTER_KEY")
        if let previousKey { try MasterKey.validate(base64: previousKey, source: "PENAH_PREVIOUS_MASTER_KEY") }

        var gatewayURL: URL?
        if let raw = value("PENAH_POLICE_GATEWAY_URL") {
            guard let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw SettingsError(variable: "PENAH_POLICE_GATEWAY_URL", problem: "must be an http(s) URL")
            }
            gatewayURL = url
        }
        let gatewaySecret = value("PENAH_POLICE_GATEWAY_SECRET")
        if gatewayURL != nil, (gatewaySecret?.utf8.count ?? 0) < 32 {
            throw SettingsError(variable: "PENAH_POLICE_GATEWAY_SECRET",
                                problem: "must be set, at least 32 characters, when PENAH_POLICE_GATEWAY_URL is")
        }

        let quickExit = value("PENAH_QUICK_EXIT_URL") ?? "https://www.google.com/search?q=hava+proqnozu+Bak%C4%B1"
        guard let exitURL = URL(string: quickExit), exitURL.scheme == "https", exitURL.host != nil else {
            throw SettingsError(variable: "PENAH_QUICK_EXIT_URL", problem: "must be an https URL of a neutral site")
        }

        var poolSize = 8
        if let raw = value("PENAH_DATABASE_POOL_SIZE") {
            guard let parsed = Int(raw), (1...100).contains(parsed) else {
                throw SettingsError(variable: "PENAH_DATABASE_POOL_SIZE", problem: "must be a whole number from 1 to 100")
            }
            poolSize = parsed
        }

        return Settings(
            dataDirectory: dataDirectory, database: database, masterKeyBase64: masterKey, previousMasterKeyBase64: previousKey,
            policeGatewayURL: gatewayURL, policeGatewaySecret: gatewaySecret, quickExitURL: quickExit,
            isProduction: isProduction, databasePoolSize: poolSize,
            databasePoolWaitSeconds: try wholeNumber("PENAH_DATABASE_POOL_WAIT_SECONDS", in: 1...300, value) ?? 10,
            standards: try TimeStandards.load(value),
            notices: try NoticeSettings.load(value, environment: environment),
            placement: try PlacementSettings.load(value),
            boardRelayRetryMilliseconds: try wholeNumber("PENAH_BOARD_RELAY_RETRY_MS", in: 10...60_000, value) ?? 250,
            groupCommit: try onOff("PENAH_GROUP_COMMIT", value) ?? true
        )
    }
}

/// A whole number from the environment within its range, or the error that names the variable.
func wholeNumber(_ name: String, in range: ClosedRange<Int>, _ value: (String) -> String?) throws -> Int? {
    guard let raw = value(name) else { return nil }
    guard let parsed = Int(raw), range.contains(parsed) else {
        throw SettingsError(variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return parsed
}

/// `on` or `off` from the environment, or the error that names the variable.
func onOff(_ name: String, _ value: (String) -> String?) throws -> Bool? {
    switch value(name)?.lowercased() {
    case nil: return nil
    case "on": return true
    case "off": return false
    default: throw SettingsError(variable: name, problem: "must be on or off")
    }
}

/// A configuration value Penah cannot run with.
public struct SettingsError: Error, CustomStringConvertible {
    public let variable: String
    public let problem: String
    public var description: String { "Configuration error: \(variable) \(problem)." }
}
