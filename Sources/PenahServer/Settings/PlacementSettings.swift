/// Placement: how long an admission code holds its places, and the planned length of a stay.
public struct PlacementSettings: Sendable, Equatable {
    /// `PENAH_ADMISSION_CODE_HOURS`, default 24: an unused code then expires and frees the places.
    public var admissionCodeHours = 24
    /// `PENAH_STAY_DAYS`, default 180 (SXA's own shelter; extendable by SXA).
    public var stayDays = 180

    static func load(_ value: (String) -> String?) throws -> PlacementSettings {
        var settings = PlacementSettings()
        func number(_ name: String, _ range: ClosedRange<Int>, _ keyPath: WritableKeyPath<PlacementSettings, Int>) throws {
            if let parsed = try wholeNumber(name, in: range, value) { settings[keyPath: keyPath] = parsed }
        }
        try number("PENAH_ADMISSION_CODE_HOURS", 1...168, \.admissionCodeHours)
        try number("PENAH_STAY_DAYS", 1...730, \.stayDays)
        return settings
    }
}
