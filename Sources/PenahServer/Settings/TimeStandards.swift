/// The service card's time standards (fields 12–18), in minutes. They are settings, not literals,
/// because the ministry revises them.
public struct TimeStandards: Sendable, Equatable {
    public var operatorMinutes = 60
    public var frontOfficeMinutes = 60
    public var backOfficeMinutes = 24 * 60
    public var totalMinutes = 24 * 60

    static func load(_ value: (String) -> String?) throws -> TimeStandards {
        var standards = TimeStandards()
        func minutes(_ name: String, _ keyPath: WritableKeyPath<TimeStandards, Int>) throws {
            guard let raw = value(name) else { return }
            guard let parsed = Int(raw), (1...(7 * 24 * 60)).contains(parsed) else {
                throw SettingsError(variable: name, problem: "must be a whole number of minutes between 1 and 10080")
            }
            standards[keyPath: keyPath] = parsed
        }
        try minutes("PENAH_STANDARD_OPERATOR_MINUTES", \.operatorMinutes)
        try minutes("PENAH_STANDARD_FRONT_OFFICE_MINUTES", \.frontOfficeMinutes)
        try minutes("PENAH_STANDARD_BACK_OFFICE_MINUTES", \.backOfficeMinutes)
        try minutes("PENAH_STANDARD_TOTAL_MINUTES", \.totalMinutes)
        return standards
    }
}
