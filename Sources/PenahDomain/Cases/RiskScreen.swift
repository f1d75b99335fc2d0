/// The structured risk screen (CONTRACT.md's risk factors) and its documented scoring.
///
/// Scoring, as written in the README: any *red flag* — strangulation, threats to kill, access to a
/// weapon — makes the risk `high` on its own (each is among the strongest predictors of lethal
/// violence in the research behind DASH and the Danger Assessment). Otherwise the factors' weights
/// are summed: 6 or more is `high`, 3 or more `elevated`, less `standard`. Professional judgement
/// may raise the level, with a reason; it can never lower it.
public enum RiskFactor: String, CaseCode {
    case strangulation, threatsToKill, weaponAccess, escalation, recentSeparation, pregnancy, stalking,
         victimFearsForLife, childrenAtRisk, substanceAbuse, protectionOrderBreached, priorViolence
    public static let listName = "riskFactor"

    public var isRedFlag: Bool { [.strangulation, .threatsToKill, .weaponAccess].contains(self) }

    public var weight: Int {
        switch self {
        case .strangulation, .threatsToKill, .weaponAccess: 6
        case .escalation, .recentSeparation, .pregnancy, .stalking, .victimFearsForLife, .childrenAtRisk,
             .protectionOrderBreached: 2
        case .substanceAbuse, .priorViolence: 1
        }
    }
}

public enum RiskLevel: String, CaseCode, Comparable {
    case standard, elevated, high
    public static let listName = "riskLevel"
    private var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: RiskLevel, rhs: RiskLevel) -> Bool { lhs.order < rhs.order }
}

public enum RiskScreen {
    public static let highThreshold = 6
    public static let elevatedThreshold = 3

    public static func score(_ present: Set<RiskFactor>) -> Int { present.map(\.weight).reduce(0, +) }

    public static func level(_ present: Set<RiskFactor>) -> RiskLevel {
        if present.contains(where: \.isRedFlag) { return .high }
        let score = score(present)
        return score >= highThreshold ? .high : score >= elevatedThreshold ? .elevated : .standard
    }

    /// Checks a chosen level against the screen: lower is refused, higher needs a reason.
    public static func problems(chosen: RiskLevel, screened: RiskLevel, reason: String?) -> [FieldProblem] {
        if chosen < screened { return [FieldProblem(field: "riskLevel", code: "riskBelowScreen")] }
        let hasReason = !(reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        if chosen > screened && !hasReason { return [FieldProblem(field: "riskReason", code: "required")] }
        return []
    }
}
