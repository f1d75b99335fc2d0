import Foundation
import PenahDomain

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
    /// ESDAS document registration (`PENAH_ESDAS_URL`, `PENAH_ESDAS_TOKEN`); unset: no registration.
    public var esdasURL: URL?
    public var esdasToken: String?
    /// The routes every unit uses (`PENAH_NOTICE_CHANNELS`, comma-separated), and per unit
    /// (`PENAH_NOTICE_CHANNELS_<UNIT>`, the code with `-` as `_`, e.g. `PENAH_NOTICE_CHANNELS_KARABAKH_AGDAM=letter`).
    public var routes: Set<DeliveryRoute> = [.policeGateway, .esdas]
    public var unitRoutes: [String: Set<DeliveryRoute>] = [:]

    public func routes(forUnit code: String) -> Set<DeliveryRoute> {
        unitRoutes[code.uppercased().replacingOccurrences(of: "-", with: "_")] ?? routes
    }

    static func load(_ value: (String) -> String?, environment: [String: String] = [:]) throws -> NoticeSettings {
        var settings = NoticeSettings()
        func number(_ name: String, _ range: ClosedRange<Int>, _ keyPath: WritableKeyPath<NoticeSettings, Int>) throws {
            if let parsed = try wholeNumber(name, in: range, value) { settings[keyPath: keyPath] = parsed }
        }
        try number("PENAH_NOTICE_MAX_ATTEMPTS", 1...100, \.maxAttempts)
        try number("PENAH_NOTICE_RETRY_BASE_MS", 1...600_000, \.retryBaseMilliseconds)
        try number("PENAH_NOTICE_ACK_LIMIT_MINUTES", 1...(30 * 24 * 60), \.acknowledgementLimitMinutes)
        if let runs = try onOff("PENAH_DELIVERY_WORKER", value) { settings.runsWorker = runs }
        if let raw = value("PENAH_ESDAS_URL") {
            guard let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw SettingsError(variable: "PENAH_ESDAS_URL", problem: "must be an http(s) URL")
            }
            guard let token = value("PENAH_ESDAS_TOKEN") else {
                throw SettingsError(variable: "PENAH_ESDAS_TOKEN", problem: "must be set when PENAH_ESDAS_URL is")
            }
            settings.esdasURL = url
            settings.esdasToken = token
        }
        func routes(_ name: String, _ raw: String) throws -> Set<DeliveryRoute> {
            let parts = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let parsed = parts.compactMap(DeliveryRoute.init(rawValue:))
            guard parsed.count == parts.count, !parsed.isEmpty else {
                throw SettingsError(variable: name, problem: "must list policeGateway, letter or esdas, comma-separated")
            }
            return Set(parsed)
        }
        if let raw = value("PENAH_NOTICE_CHANNELS") { settings.routes = try routes("PENAH_NOTICE_CHANNELS", raw) }
        let prefix = "PENAH_NOTICE_CHANNELS_"
        for name in environment.keys.sorted() where name.hasPrefix(prefix) && name.count > prefix.count {
            guard let raw = value(name) else { continue }
            settings.unitRoutes[String(name.dropFirst(prefix.count))] = try routes(name, raw)
        }
        return settings
    }
}
