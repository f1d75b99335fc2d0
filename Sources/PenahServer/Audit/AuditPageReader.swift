import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import PostgresNIO
import SQLiteNIO

/// One stored audit event as verification reads it: what its hash covers, and its links.
struct StoredAuditEvent: Sendable {
    let id: UUID
    let seq: Int
    let occurredMs: Int64
    let actorID: UUID?
    let prevHash: String
    let hash: String
    /// The text fields of the canonical form, joined by the database (see `AuditEvent.canonical`).
    let tail: String
}

/// Reads one chain's events a page at a time through each driver's own rows, for `verify-audit`.
///
/// Why not SQLKit's rows, as everywhere else: `decode(column:as:)` looks every column up by name
/// and goes through `Decodable`, and on PostgreSQL builds a name-to-index table for every row;
/// that cost more than reading and hashing the events together. Here columns are read by position.
enum AuditPageReader {
    /// A page of undecoded rows. Decoding is left to the caller so it can run in parallel slices.
    /// A row that cannot be decoded (SQLite keeps whatever type is written into a column) is a
    /// broken event, not an error: `id` and `seq` read what they can of it.
    struct Page: Sendable {
        let count: Int
        let event: @Sendable (Int) throws -> StoredAuditEvent
        let id: @Sendable (Int) -> UUID?
        let seq: @Sendable (Int) -> Int?
    }

    struct UnreadableRow: Error {}

    /// Events with `after < seq <= through`, at most `limit` of them, in order.
    static func read(chain: String, after seq: Int, through: Int, limit: Int, on db: any Database) async throws -> Page {
        if let postgres = db as? any PostgresDatabase { return try await read(chain, seq, through, limit, postgres, db.logger) }
        if let sqlite = db as? any SQLiteDatabase { return try await read(chain, seq, through, limit, sqlite) }
        throw UnreadableRow()
    }

    /// A chain's pages, read ahead of the checker. Up to the head's seq the pages are fixed seq
    /// ranges, so a page need not wait for the one before it; past the head (events it does not
    /// know of: forged, or appended during the check) they follow one another until one comes back
    /// empty. The first range is small, so checking starts sooner.
    ///
    /// The ranges are read by the `readers` in turn, two at a time or one per reader. On SQLite a
    /// database handle holds one connection, which reads one page at a time, and reading is most
    /// of the check's cost; with a handle per event loop the pages are read on every core at once.
    /// Each page is read in its own snapshot, which is sound: events up to the head were committed
    /// before the head was read, and events are never changed, only appended.
    struct Pages {
        let chain: String
        let headSeq: Int
        let readers: [any Database]
        private var pending: [Task<Page, any Error>] = []
        private var nextAfter = 0
        private var requested = 0

        static let size = 10_000

        /// `readers`, if none are given, is `db` alone.
        init(chain: String, headSeq: Int, on db: any Database, readers: [any Database] = []) {
            self.chain = chain
            self.headSeq = headSeq
            self.readers = readers.isEmpty ? [db] : readers
            while pending.count < max(2, self.readers.count), nextAfter < headSeq { requestRange() }
        }

        private mutating func requestRange() {
            let after = nextAfter, through = min(headSeq, after == 0 ? 1_000 : after + Self.size)
            let (chain, db) = (chain, readers[requested % readers.count])
            pending.append(Task { try await read(chain: chain, after: after, through: through, limit: through - after, on: db) })
            nextAfter = through
            requested += 1
        }

        /// The next page, or nil when the chain has been read to its end.
        mutating func next() async throws -> Page? {
            if pending.isEmpty {
                let page = try await read(chain: chain, after: max(nextAfter, headSeq), through: .max, limit: Self.size, on: readers[0])
                guard page.count > 0 else { return nil }
                // An unreadable last row ends the check there; nothing after it is needed.
                nextAfter = page.seq(page.count - 1) ?? .max
                return page
            }
            let page = try await pending.removeFirst().value
            if nextAfter < headSeq { requestRange() }
            return page
        }

        /// Stops reading ahead once the checker has found what it was looking for.
        func cancel() { pending.forEach { $0.cancel() } }
    }

    /// The columns in the order both readers take them; the text fields of the canonical form in
    /// `AuditEvent.canonical`'s order. `$1` is the separator, `$2` the chain, `$3` the last seq
    /// read, `$4` the last seq to read, `$5` the page size.
    private static func query(placeholder: (Int) -> String) -> String {
        let s = placeholder(1)
        return """
            SELECT id, seq, occurred_ms, actor_id, prev_hash, hash,
                   actor_role || \(s) || unit_code || \(s) || action || \(s) || record_type || \(s) || COALESCE(record_id, '-')
                   || \(s) || outcome || \(s) || request_id || \(s) || address AS tail
            FROM audit_events WHERE chain = \(placeholder(2)) AND seq > \(placeholder(3)) AND seq <= \(placeholder(4))
            ORDER BY seq LIMIT \(placeholder(5))
            """
    }

    private static let postgresSQL = query { "$\($0)" }
    private static let sqliteSQL = query { "?\($0)" }

    private static func read(_ chain: String, _ seq: Int, _ through: Int, _ limit: Int, _ db: any PostgresDatabase,
                             _ logger: Logger) async throws -> Page {
        var binds = PostgresBindings()
        binds.append(AuditEvent.separator)
        binds.append(chain)
        binds.append(seq)
        binds.append(through)
        binds.append(limit)
        let query = PostgresQuery(unsafeSQL: postgresSQL, binds: binds)
        // The future form collects the rows on the connection's event loop; iterating the async
        // row sequence cost about a microsecond a row more.
        let rows = try await db.withConnection { connection in
            connection.query(query, logger: logger).map(\.rows)
        }.get()
        @Sendable func cell(_ index: Int, _ column: Int) -> PostgresCell? {
            var cells = rows[index].makeIterator()
            for _ in 0..<column { _ = cells.next() }
            return cells.next()
        }
        return Page(count: rows.count, event: { index in
            let (id, seq, occurredMs, actorID, prevHash, hash, tail) =
                try rows[index].decode((UUID, Int, Int64, UUID?, String, String, String).self)
            return StoredAuditEvent(id: id, seq: seq, occurredMs: occurredMs, actorID: actorID, prevHash: prevHash, hash: hash, tail: tail)
        }, id: { try? cell($0, 0)?.decode(UUID.self) }, seq: { try? cell($0, 1)?.decode(Int.self) })
    }

    private static func read(_ chain: String, _ seq: Int, _ through: Int, _ limit: Int, _ db: any SQLiteDatabase) async throws -> Page {
        let rows = try await db.query(sqliteSQL, [.text(AuditEvent.separator), .text(chain), .integer(seq), .integer(through), .integer(limit)])
        return Page(count: rows.count, event: { index in
            let columns = rows[index].columns
            guard columns.count == 7, let id = uuid(columns[0].data), case .integer(let seq) = columns[1].data,
                  case .integer(let occurredMs) = columns[2].data, case .text(let prevHash) = columns[4].data,
                  case .text(let hash) = columns[5].data, case .text(let tail) = columns[6].data else { throw UnreadableRow() }
            let actorID: UUID?
            if case .null = columns[3].data { actorID = nil } else {
                guard let id = uuid(columns[3].data) else { throw UnreadableRow() }
                actorID = id
            }
            return StoredAuditEvent(id: id, seq: seq, occurredMs: Int64(occurredMs), actorID: actorID,
                                    prevHash: prevHash, hash: hash, tail: tail)
        }, id: { rows[$0].column("id").flatMap(uuid) }, seq: { rows[$0].column("seq")?.integer })
    }

    /// Fluent stores a UUID on SQLite as its text; a 16-byte blob is read too.
    private static func uuid(_ data: SQLiteData) -> UUID? {
        switch data {
        case .text(let text): return Hex.uuid(text)
        case .blob(let buffer) where buffer.readableBytes == 16:
            return buffer.withUnsafeReadableBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
        default: return nil
        }
    }
}
