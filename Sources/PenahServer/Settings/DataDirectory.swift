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

    /// Creates the database file empty and 0600 before SQLite opens it (SQLite would make it with
    /// the process umask, often world-readable, and gives its -wal and -shm files the same mode),
    /// and narrows an existing file that is wider.
    static func prepareDatabaseFile(_ path: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            try? fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } else if !fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) {
            throw SettingsError(variable: "PENAH_DATA_DIR", problem: "is not writable: cannot create \(path)")
        }
    }
}
