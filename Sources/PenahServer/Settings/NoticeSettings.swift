/// How notices to the police are delivered and watched.
public struct NoticeSettings: Sendable, Equatable {
    /// Attempts before a notice is `failed` and supervisors are alerted (`PENAH_NOTICE_MAX_ATTEMPTS`).
    public var maxAttempts = 8
    /// First retry delay; doubles per attempt up to five minutes, with jitter (`PENAH_NOTICE_RETRY_BASE_MS`).
    public var retryBaseMilliseconds = 2_000
    /// A notice unacknowledged this long shows on the supervisors' list (`PENAH_NOTICE_ACK_LIMIT_MINUTES`).
    public var acknowledgementLimitMinutes = 240
    /// Whether this node runs the delivery worker (`PENAH_DELIVERY_WORKER=off` to keep a node out).
    public var runsWorker = true

    static func load(_ value: (String) -> String?) throws -> NoticeSettings {
        var settings = NoticeSettings()
        func number(_ name: String, _ range: ClosedRange<Int>, _ keyPath: WritableKeyPath<NoticeSettings, Int>) throws {
            guard let raw = value(name) else { return }
            guard let parsed = Int(raw), range.contains(parsed) else {
                throw SettingsError(variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            settings[keyPath: keyPath] = parsed
        }
        try number("PENAH_NOTICE_MAX_ATTEMPTS", 1...100, \.maxAttempts)
        try number("PENAH_NOTICE_RETRY_BASE_MS", 1...600_000, \.retryBaseMilliseconds)
        try number("PENAH_NOTICE_ACK_LIMIT_MINUTES", 1...(30 * 24 * 60), \.acknowledgementLimitMinutes)
        if let raw = value("PENAH_DELIVERY_WORKER") {
            guard ["on", "off"].contains(raw) else { throw SettingsError(variable: "PENAH_DELIVERY_WORKER", problem: "must be on or off") }
            settings.runsWorker = raw == "on"
        }
        return settings
    }
}
