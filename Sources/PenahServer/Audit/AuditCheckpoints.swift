import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Signed checkpoints of every chain's head, kept outside the database (a file, and the log). A
/// chain whose newest events were deleted and whose head was rolled back verifies on its own, but
/// no longer reaches the seq and hash a checkpoint recorded: that is how truncation is caught.
/// The signature is an HMAC under the audit chain key, so checkpoints cannot be forged either.
struct AuditCheckpoint: Codable, Equatable, Sendable {
    let chain: String
    let seq: Int
    let hash: String
    let at: Date
    var signature: String = ""

    private var signedText: String { ["checkpoint", chain, String(seq), hash, String(Int64(at.timeIntervalSince1970))].joined(separator: "\u{1F}") }

    func signed(with key: SymmetricKey) -> AuditCheckpoint {
        var copy = self
        copy.signature = Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(signedText.utf8), using: key))
        return copy
    }

    func isAuthentic(under key: SymmetricKey) -> Bool { signed(with: key).signature == signature }
}

enum AuditCheckpoints {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// The current head of every chain, signed.
    static func take(on db: any Database, now: Date = Date()) async throws -> [AuditCheckpoint] {
        guard let key = try await db.auditChainKey?.key(on: db) else { throw AuditChainKey.NotPrepared() }
        let at = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        return try await AuditChainHead.query(on: db).sort(\.$id).all()
            .map { AuditCheckpoint(chain: $0.id!, seq: $0.seq, hash: $0.hash, at: at).signed(with: key) }
    }

    /// Appends one JSON line per checkpoint to `file` (created 0600) and flushes it to disk.
    static func append(_ checkpoints: [AuditCheckpoint], to file: URL) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: file.path) {
            guard fm.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CommandFailure("cannot create \(file.path)")
            }
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        for checkpoint in checkpoints {
            try handle.write(contentsOf: try encoder.encode(checkpoint) + Data("\n".utf8))
        }
        try handle.synchronize()
    }

    /// The newest authentic checkpoint per chain in `file`; lines that are not authentic count as
    /// broken (returned apart), since only a holder of the key could have written them.
    static func read(_ file: URL, key: SymmetricKey) throws -> (newest: [String: AuditCheckpoint], forged: Int) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        var newest: [String: AuditCheckpoint] = [:], forged = 0
        let text = try String(contentsOf: file, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let checkpoint = try? decoder.decode(AuditCheckpoint.self, from: Data(line.utf8)), checkpoint.isAuthentic(under: key) else {
                forged += 1
                continue
            }
            if checkpoint.seq >= newest[checkpoint.chain]?.seq ?? -1 { newest[checkpoint.chain] = checkpoint }
        }
        return (newest, forged)
    }

    /// Chains that no longer reach their checkpoint: the event at the checkpoint's seq is gone or
    /// has another hash (the chain was truncated, or rewritten from there).
    static func unmet(_ file: URL, on db: any Database) async throws -> [String] {
        guard let key = try await db.auditChainKey?.key(on: db) else { throw AuditChainKey.NotPrepared() }
        let (newest, forged) = try read(file, key: key)
        var unmet: [String] = forged > 0 ? ["(\(forged) checkpoint line(s) not signed by this trail's key)"] : []
        let repository = AuditRepository(db: db)
        for (chain, checkpoint) in newest.sorted(by: { $0.key < $1.key }) {
            if try await repository.hash(chain: chain, seq: checkpoint.seq) != checkpoint.hash { unmet.append(chain) }
        }
        return unmet
    }

    static func defaultFile(_ settings: Settings) -> URL { settings.dataDirectory.appendingPathComponent("audit-checkpoints.jsonl") }
}

/// `penah audit checkpoint [--out FILE]`: prints the signed heads and appends them to the file.
struct AuditCommand: AsyncCommandGroup {
    var help: String { "Audit trail checkpoints." }
    var commands: [String: any AnyAsyncCommand] { ["checkpoint": AuditCheckpointCommand()] }
}

struct AuditCheckpointCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "out", help: "File the checkpoints are appended to (default: audit-checkpoints.jsonl in the data dir)") var out: String?
    }
    var help: String { "Write a signed checkpoint of every audit chain's head." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let file = signature.out.map { URL(fileURLWithPath: $0) } ?? AuditCheckpoints.defaultFile(app.settings)
        let checkpoints = try await AuditCheckpoints.take(on: app.db)
        try AuditCheckpoints.append(checkpoints, to: file)
        for checkpoint in checkpoints {
            context.console.print(String(decoding: try AuditCheckpoints.encoder.encode(checkpoint), as: UTF8.self))
        }
        context.console.print("Wrote \(checkpoints.count) checkpoint(s) to \(file.path).")
    }
}

/// In `serve`: a checkpoint of every chain each hour, to the log and the checkpoint file.
enum AuditCheckpointJob {
    static func make() -> PeriodicJob {
        PeriodicJob("audit checkpoint", every: .seconds(3600)) { app in
            let checkpoints = try await AuditCheckpoints.take(on: app.db)
            try AuditCheckpoints.append(checkpoints, to: AuditCheckpoints.defaultFile(app.settings))
            for checkpoint in checkpoints {
                app.logger.notice("audit checkpoint", metadata: ["chain": .string(checkpoint.chain), "seq": .stringConvertible(checkpoint.seq),
                                                                 "hash": .string(checkpoint.hash), "signature": .string(checkpoint.signature)])
            }
        }
    }
}
