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
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        var wait = 0.0
        for (rule, key) in Self.keys(username: username, address: address) {
            guard let entry = try await LoginThrottleEntry.find(key, on: db) else { continue }
            let age = Double(nowMs - entry.lastFailureMs) / 1000
            guard age < Self.window, entry.failures >= rule.freeFailures else { continue }
            let delay = min(pow(2, Double(entry.failures - rule.freeFailures)), rule.maxDelay)
            wait = max(wait, delay - age)
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
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

    /// A success clears the account-at-address counter only: an attacker's address stays slowed.
    func recordSuccess(username: String, address: String) async throws {
        let (_, pair) = Self.keys(username: username, address: address)[0]
        try await LoginThrottleEntry.query(on: db).filter(\.$id == pair).delete()
    }
}
