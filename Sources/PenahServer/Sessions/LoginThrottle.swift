import Fluent
import Foundation

/// Slows down failed sign-ins; never locks anyone out. Three counters: the account at this address
/// (tight), the address (catches spraying across accounts) and the account from anywhere (loose,
/// with a short cap, so an attacker elsewhere can delay a real user by a minute at most).
struct LoginThrottle {
    let db: any Database

    struct Rule { let prefix: String; let freeFailures: Int; let maxDelay: Double }
    static let rules = [
        Rule(prefix: "pair", freeFailures: 10, maxDelay: 15 * 60),
        Rule(prefix: "address", freeFailures: 30, maxDelay: 15 * 60),
        Rule(prefix: "account", freeFailures: 50, maxDelay: 60),
    ]
    /// Failures older than this are forgotten.
    static let window: Double = 15 * 60

    static func keys(username: String, address: String) -> [(Rule, String)] {
        let user = username.lowercased().prefix(64)
        return [(rules[0], "pair:\(user)|\(address)"), (rules[1], "address:\(address)"), (rules[2], "account:\(user)")]
    }

    /// Seconds to wait before another attempt is considered, or nil to go ahead.
    func retryAfter(username: String, address: String, now: Date = Date()) async throws -> Int? {
        var entries: [String: LoginThrottleEntry] = [:]
        for (_, key) in Self.keys(username: username, address: address) { entries[key] = try await LoginThrottleEntry.find(key, on: db) }
        return Self.wait(entries, username: username, address: address, now: now)
    }

    private static func wait(_ entries: [String: LoginThrottleEntry], username: String, address: String, now: Date) -> Int? {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        var wait = 0.0
        for (rule, key) in keys(username: username, address: address) {
            guard let entry = entries[key] else { continue }
            let age = Double(nowMs - entry.lastFailureMs) / 1000
            guard age < window, entry.failures >= rule.freeFailures else { continue }
            let delay = min(pow(2, Double(entry.failures - rule.freeFailures)), rule.maxDelay)
            wait = max(wait, delay - age)
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }

    /// Decides and counts an attempt in one transaction, *before* the password or code is checked:
    /// either it must wait (nothing is counted), or it is counted as a failure now and `recordSuccess`
    /// takes that back if it succeeds. Why: checked first and counted after bcrypt, forty attempts
    /// sent at once were all let through. The counters' rows are locked (PostgreSQL) or the write
    /// lock held (SQLite) from the check to the count, so concurrent attempts queue here.
    func admit(username: String, address: String, now: Date = Date()) async throws -> Int? {
        let keys = Self.keys(username: username, address: address).map(\.1)
        return try await db.writeTransaction { db in
            var entries: [String: LoginThrottleEntry] = [:]
            let nowMs = Int64(now.timeIntervalSince1970 * 1000)
            // In name order, so two attempts on overlapping counters cannot deadlock.
            for key in keys.sorted() {
                entries[key] = try await LoginThrottleRepository.locked(key, on: db)
            }
            if let wait = Self.wait(entries, username: username, address: address, now: now) { return wait }
            for entry in entries.values {
                let stale = Double(nowMs - entry.lastFailureMs) / 1000 >= Self.window
                entry.failures = stale ? 1 : entry.failures + 1
                entry.lastFailureMs = nowMs
                try await entry.update(on: db)
            }
            return nil
        }
    }

    func recordFailure(username: String, address: String, now: Date = Date()) async throws {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        for (_, key) in Self.keys(username: username, address: address) {
            if let entry = try await LoginThrottleEntry.find(key, on: db) {
                let stale = Double(nowMs - entry.lastFailureMs) / 1000 >= Self.window
                entry.failures = stale ? 1 : entry.failures + 1
                entry.lastFailureMs = nowMs
                try await entry.update(on: db)
            } else {
                let entry = LoginThrottleEntry()
                entry.id = key
                entry.failures = 1
                entry.lastFailureMs = nowMs
                try await entry.create(on: db)
            }
        }
    }

    /// A success clears the account-at-address counter and takes back the attempt `admit`
    /// counted on the others: an attacker's address stays slowed by its own failures.
    func recordSuccess(username: String, address: String) async throws {
        let keys = Self.keys(username: username, address: address)
        try await LoginThrottleEntry.query(on: db).filter(\.$id == keys[0].1).delete()
        for (_, key) in keys.dropFirst() {
            guard let entry = try await LoginThrottleEntry.find(key, on: db), entry.failures > 0 else { continue }
            entry.failures -= 1
            try await entry.update(on: db)
        }
    }
}
