import Foundation

/// A placement request's life (step 5). SXA decides a `submitted` (or `waiting`, or re-opened)
/// request; a question sends it to DOST and back; approval holds places until the person arrives
/// with the admission code (`admitted`) or the hold expires (`holdExpired`, decidable again).
/// `waiting` is the list for "no place now" — recorded as unmet need.
public enum PlacementStatus: String, CaseCode {
    case submitted, question, waiting, approved, holdExpired, admitted, refused
    public static let listName = "placementStatus"

    /// SXA may decide now.
    public var isDecidable: Bool { [.submitted, .question, .waiting, .holdExpired].contains(self) }
    public var isOpen: Bool { self != .admitted && self != .refused }

    /// A held place is gone at its expiry time, to the second, whether or not the job that
    /// records it has run yet.
    public static func holdHasExpired(_ expiresAt: Date?, now: Date) -> Bool { (expiresAt ?? .distantPast) <= now }

    /// The status as it stands at `now`: what pages show and the shelter door goes by.
    public static func current(stored: PlacementStatus, holdExpiresAt: Date?, now: Date) -> PlacementStatus {
        stored == .approved && holdHasExpired(holdExpiresAt, now: now) ? .holdExpired : stored
    }
}

/// The band instead of a birth date: enough to match a shelter, too coarse to identify.
public enum AgeBand: String, CaseCode {
    case under18, from18to24, from25to34, from35to44, from45to54, from55to64, from65
    public static let listName = "ageBand"

    public static func of(birthYear: Int, in year: Int) -> AgeBand {
        switch year - birthYear {
        case ..<18: .under18
        case 18...24: .from18to24
        case 25...34: .from25to34
        case 35...44: .from35to44
        case 45...54: .from45to54
        case 55...64: .from55to64
        default: .from65
        }
    }
}

public enum DischargeReason: String, CaseCode {
    case returnedHomeSafely, independentHousing, movedToRelatives, transferred, leftOnOwn, other
    public static let listName = "dischargeReason"
}

public enum ShelterOperator: String, CaseCode {
    case sxa, ngo
    public static let listName = "shelterOperator"
}

public enum Accessibility: String, CaseCode {
    case wheelchair, hearing, visual, other
    public static let listName = "accessibility"
}

/// An accompanying child as the profile carries it: age and sex only.
public struct ChildProfile: Codable, Sendable, Equatable {
    public var age: Int
    public var sex: Sex
    public init(age: Int, sex: Sex) { self.age = age; self.sex = sex }
}

/// What a shelter takes, and whether a profile fits it.
public struct ShelterIntake: Codable, Sendable, Equatable {
    public var takesWomen = true
    public var takesChildren = true
    /// Boys are taken up to this age (inclusive); nil: no limit.
    public var boysMaxAge: Int?
    public var accessible: [Accessibility] = []
    public var languages: [String] = ["az"]
    /// The shelter's district: a request naming it among the regions to avoid does not fit.
    public var district: String = ""

    public init() {}

    /// Why a profile does not fit, or nil when it does (free places are checked apart, atomically).
    public func misfit(sex: Sex, children: [ChildProfile], accessibilityNeeds: [Accessibility], avoidRegions: [String]) -> Misfit? {
        if sex == .female && !takesWomen { return .women }
        if !children.isEmpty && !takesChildren { return .children }
        if let limit = boysMaxAge, children.contains(where: { $0.sex == .male && $0.age > limit }) { return .boysAge }
        if !Set(accessibilityNeeds).isSubset(of: Set(accessible)) { return .accessibility }
        let avoided = Set(avoidRegions.map { AzText.searchKey($0) })
        if !district.isEmpty && avoided.contains(AzText.searchKey(district)) { return .region }
        return nil
    }

    /// Why a shelter does not take a profile, shown to SXA as `placement.misfit.<code>`.
    public enum Misfit: String, CaseIterable, Codable, Sendable {
        case women, children, boysAge, accessibility, region
        public var messageKey: String { "placement.misfit.\(rawValue)" }
    }
}

/// The one-time code the person brings to the shelter door: the pseudonym's alphabet and check
/// character, so a mistyped code is told apart from a wrong one without a database look-up.
public enum AdmissionCode {
    public static func generate() -> String { Pseudonym.generate() }
    public static func normalise(_ text: String) -> String? { Pseudonym.normalise(text) }
}

/// Who may know where a shelter is. The administrator keeps the registry (names, places,
/// accreditation) but never learns an address: a leaked admin account must not lead anyone to her.
public enum ShelterRules {
    public static func seesLocation(_ role: Role) -> Bool { role == .sxaOfficer || role == .shelterStaff }
}
