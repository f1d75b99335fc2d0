import Crypto
import Fluent
import Foundation
import Vapor

/// `verify-audit` and `GET /api/v1/audit/verify`: every chain recomputed from its first event.
extension AuditLog {
    struct Verification: Content {
        let ok: Bool
        let events: Int
        let firstBrokenEventId: UUID?
    }

    /// Recomputes every chain. Reads pages of 10,000 rows (see `AuditPageReader.Pages`), so memory
    /// stays flat however long the trail is. While one page is checked the next ones are read, by
    /// `readers` in turn (`db` alone if none are given; `Application.databasesOnEveryLoop` reads on
    /// every core); each event's own hash is recomputed on every core at once (it needs only the
    /// row), then one pass checks the links between them.
    static func verify(on db: any Database, readingWith readers: [any Database] = []) async throws -> Verification {
        guard let key = try await db.auditChainKey?.key(on: db).withUnsafeBytes({ Data($0) }) else { throw AuditChainKey.NotPrepared() }
        let heads = try await AuditChainHead.query(on: db).all()
        var count = 0
        var firstBroken: (id: UUID?, at: Int64)?
        func broken(_ id: UUID?, _ at: Int64) {
            if firstBroken == nil || at < firstBroken!.at { firstBroken = (id, at) }
        }
        // Heads and chains are compared both ways: a chain with events and no head (its head row
        // deleted) is checked as if its head were at genesis, so its first event is named; a head
        // without events (an extra row, or every event deleted) is broken too.
        let chainsWithEvents = try await AuditRepository(db: db).chainsWithEvents()
        var known = Dictionary(uniqueKeysWithValues: heads.map { ($0.id!, $0) })
        for chain in chainsWithEvents where known[chain] == nil {
            let orphan = AuditChainHead()
            orphan.id = chain
            orphan.seq = 0
            orphan.hash = "missing"
            known[chain] = orphan
        }
        for head in known.values.sorted(by: { $0.id! < $1.id! }) {
            let chain = head.id!
            if !chainsWithEvents.contains(chain) {
                // Committed heads always have events (a head is made with its chain's first one).
                broken(nil, .min)
                continue
            }
            var prev = genesis
            var lastSeq = 0
            var intact = true
            var keyed = false
            var pages = AuditPageReader.Pages(chain: chain, headSeq: max(head.seq, 1), on: db, readers: readers)
            defer { pages.cancel() }
            pages: while let page = try await pages.next() {
                for checked in try await checkEach(page, chain: chain, key: key) {
                    count += 1
                    // Once a chain is keyed, an unkeyed event after it is a forgery.
                    guard case .read(let event, let hashMatches) = checked,
                          event.seq == lastSeq + 1, event.prevHash == prev, hashMatches,
                          !keyed || event.hash.hasPrefix(keyedPrefix) else {
                        switch checked {
                        case .read(let event, _): broken(event.id, event.occurredMs)
                        // Its time cannot be read either: it counts as the earliest.
                        case .unreadable(let id): broken(id, .min)
                        }
                        intact = false
                        break pages
                    }
                    keyed = keyed || event.hash.hasPrefix(keyedPrefix)
                    prev = event.hash
                    lastSeq = event.seq
                }
            }
            if intact, lastSeq != head.seq || prev != head.hash {
                // The head and the chain disagree: events deleted from the end, a head rolled back
                // or edited, or no head at all. The chain's last event is named.
                let last = try await AuditEvent.query(on: db).filter(\.$chain == chain).sort(\.$seq, .descending).first()
                broken(last?.id, last?.occurredMs ?? 0)
            }
        }
        return Verification(ok: firstBroken == nil, events: count, firstBrokenEventId: firstBroken?.id)
    }

    /// A row as checked: the event and whether its own hash matches, or the id (if even that
    /// can be read) of a row that cannot be decoded.
    private enum Checked: Sendable {
        case read(StoredAuditEvent, hashMatches: Bool)
        case unreadable(UUID?)
    }

    /// Decodes the rows and recomputes each one's hash from its own stored predecessor, in as many
    /// parallel slices as there are cores; the result keeps the rows' order.
    private static func checkEach(_ page: AuditPageReader.Page, chain: String, key: Data) async throws -> [Checked] {
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, page.count / 1000))
        let size = (page.count + slices - 1) / slices
        return try await withThrowingTaskGroup(of: (Int, [Checked]).self) { group in
            for slice in 0..<slices {
                group.addTask {
                    let key = SymmetricKey(data: key)
                    var buffer: [UInt8] = []
                    buffer.reserveCapacity(512)
                    return (slice, (min(slice * size, page.count)..<min((slice + 1) * size, page.count)).map { index in
                        guard let event = try? page.event(index) else { return .unreadable(page.id(index)) }
                        return .read(event, hashMatches: hashMatches(event, chain: chain, key: key, buffer: &buffer))
                    })
                }
            }
            var parts = [[Checked]](repeating: [], count: slices)
            for try await (slice, checked) in group { parts[slice] = checked }
            return parts.flatMap { $0 }
        }
    }
}
