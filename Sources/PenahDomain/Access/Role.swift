/// Staff roles (DESIGN.md, "Who uses it"), plus the service role other systems use.
public enum Role: String, CaseIterable, Sendable, Codable {
    case reception, lawyer, psychologist, supervisor, callCentre, sxaOfficer, shelterStaff, auditor, admin
    /// Not a person: the police side's gateway, acknowledging notices through the API.
    case lawEnforcementGateway
    /// Not a person: the entrance kiosk, a device enrolled by an administrator that can issue its
    /// unit's tickets and nothing else (no staff header, no case, no way out of its page).
    case kiosk

    public var isServiceRole: Bool { self == .lawEnforcementGateway }
    public var isDeviceRole: Bool { self == .kiosk }
    /// The roles people hold (what the admin pages offer).
    public static var staffRoles: [Role] { allCases.filter { !$0.isServiceRole && !$0.isDeviceRole } }
    public var messageKey: String { "role.\(rawValue)" }

    /// Unit kinds a member of this role may belong to.
    public func fits(_ kind: UnitKind) -> Bool {
        switch self {
        case .reception, .lawyer, .psychologist, .callCentre: kind.servesVisitors || kind == .hq
        case .supervisor: kind.servesVisitors || kind == .hq
        case .sxaOfficer: kind == .sxa
        case .shelterStaff: kind == .shelter
        case .auditor, .admin, .lawEnforcementGateway: kind == .hq
        case .kiosk: kind.servesVisitors
        }
    }
}

/// How far a permission reaches. Ordered: each includes the ones before it.
public enum Scope: Int, Comparable, Sendable, Codable {
    case own, unit, region, all
    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rawValue < rhs.rawValue }
}
