import Crypto
import Foundation

/// The master key that wraps the data keys of the identity vault. Given in `PENAH_MASTER_KEY`, or —
/// for the embedded set-up only — kept in `<data dir>/master.key`, created on first run with mode 0600.
struct MasterKey: Sendable {
    /// Kept as bytes because `SymmetricKey` is not `Sendable`; a key is made on use.
    private let bytes: Data
    var key: SymmetricKey { SymmetricKey(data: bytes) }
    /// Short fingerprint stored beside sealed values so keys can rotate.
    let id: String
    let createdFile: Bool

    static func validate(base64: String, source: String) throws {
        guard let data = Data(base64Encoded: base64), data.count == 32 else {
            throw SettingsError(variable: source, problem: "must be base64 of exactly 32 bytes")
        }
    }

    /// Loads the key from settings or the key file, creating the file if neither exists.
    static func load(_ settings: Settings) throws -> MasterKey {
        if let base64 = settings.masterKeyBase64 {
            return MasterKey(data: Data(base64Encoded: base64)!, createdFile: false)
        }
        let file = settings.dataDirectory.appendingPathComponent("master.key")
        let fm = FileManager.default
        if fm.fileExists(atPath: file.path) {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw SettingsError(variable: "PENAH_DATA_DIR", problem: "holds a key file \(file.path) that cannot be read")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            try validate(base64: trimmed, source: "the key file \(file.path)")
            return MasterKey(data: Data(base64Encoded: trimmed)!, createdFile: false)
        }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // Created with 0600 from the start: no moment where another user could read it.
        guard fm.createFile(atPath: file.path, contents: Data((bytes.base64EncodedString() + "\n").utf8),
                            attributes: [.posixPermissions: 0o600]) else {
            throw SettingsError(variable: "PENAH_DATA_DIR", problem: "is not writable: cannot create \(file.path)")
        }
        return MasterKey(data: bytes, createdFile: true)
    }

    init(data: Data, createdFile: Bool) {
        bytes = data
        id = Hex.encode(SHA256.hash(data: Data("penah-key-id".utf8) + data).prefix(4))
        self.createdFile = createdFile
    }
}
