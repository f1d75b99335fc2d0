import AsyncKit
import FluentKit
import FluentSQLiteDriver
import NIOCore
import PenahDomain
import PostgresNIO

/// Faults that pass: the database is down, restarting, busy, out of disk, or the pool is
/// exhausted; a COMMIT whose outcome is unknown; a sealed value under a master key this node
/// lacks; a stored code its enum does not know. Each is a `503` with `Retry-After`, never a 500, and is logged by its code alone (never
/// the message, which can carry SQL values).
enum DatabaseFault {
    /// A short code naming the fault, or nil when the error is not one of these.
    static func code(_ error: any Error) -> String? {
        switch error {
        case let failure as WriteCombiner.CommitFailed:
            return "commit-unknown(" + (code(failure.underlying) ?? String(reflecting: type(of: failure.underlying))) + ")"
        case is ConnectionPoolTimeoutError: return "pool-timeout"
        case is ConnectionPoolError: return "pool-shutdown"
        case let sqlite as SQLiteError:
            switch sqlite.reason {
            case .busy, .locked, .full, .ioError, .cantOpen, .readOnly, .busyTimeout, .busyInRecovery, .busyInSnapshot,
                 .ioErrorFailedWrite, .ioErrorFailedSync, .ioErrorFailedDirSync, .ioErrorFailedRead:
                return "sqlite-\(sqlite.reason)"
            default: return nil
            }
        case let postgres as PSQLError:
            if postgres.code == .server, let state = postgres.serverInfo?[.sqlState] {
                // 08 connection, 53 resources (53100 disk full), 57 operator intervention
                // (a shutting-down server), 58 system error, 40001/40P01 serialisation and deadlock.
                let passing = ["08", "53", "57", "58"].contains(String(state.prefix(2))) || state == "40001" || state == "40P01"
                return passing ? "postgres-\(state)" : nil
            }
            let connection: [PSQLError.Code] = [.clientClosedConnection, .serverClosedConnection, .connectionError, .poolClosed, .uncleanShutdown]
            return connection.contains(postgres.code) ? "postgres-\(postgres.code)" : nil
        case is ChannelError, is IOError: return "connection"
        case let fluent as FluentError:
            // A stored code that is none of its enum's values (a corrupt or hand-edited row): the
            // record is not read as some default, and the operator learns which column it was.
            if case .invalidField(let name, _, _) = fluent { return "stored-value-unreadable(\(name))" }
            return nil
        case let unknown as UnknownStoredCode: return "stored-value-unreadable(\(unknown.list))"
        case let keyring as MasterKeyring.KeyringError:
            if case .unknownKey = keyring { return "keyring-unknown-key" }
            return nil
        default: return nil
        }
    }

    /// Seconds a client should wait before trying again.
    static let retryAfterSeconds = 5
}
