import Foundation

enum DataDirectory {
    /// Creates the data directory (0700: it holds the database and possibly the key file) and checks
    /// it is usable, so a bad path fails with one clear message instead of a database error later.
    static func prepare(_ url: URL) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw SettingsError(variable: "PENAH_DATA_DIR", problem: "points to \(url.path), which is not a directory")
            }
        } else {
            do {
                try fm.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SettingsError(variable: "PENAH_DATA_DIR", problem: "cannot be created at \(url.path)")
            }
        }
        guard fm.isReadableFile(atPath: url.path), fm.isWritableFile(atPath: url.path) else {
            throw SettingsError(variable: "PENAH_DATA_DIR", problem: "at \(url.path) is not readable and writable by this user")
        }
    }
}
