/// Who may be made responsible for a case, and when (issue 14: a case has a responsible worker, set
/// and changed by the supervisor). One rule for the API and the page.
public enum CaseAssignment {
    /// The workers who interview her and follow her case: a case is theirs to answer for.
    public static let assignableRoles: Set<Role> = [.lawyer, .psychologist]

    public enum Problem: String, Sendable, Equatable {
        /// Not a lawyer or psychologist, disabled, or of another unit than the case's: the field is wrong (422).
        case notAssignable
        /// A refused case has nobody to work on it any more (409).
        case caseRefused
    }

    public static func problem(caseStatus: CaseStatus, assigneeRole: Role, assigneeActive: Bool, assigneeInCaseUnit: Bool) -> Problem? {
        if caseStatus == .refused { return .caseRefused }
        guard assignableRoles.contains(assigneeRole), assigneeActive, assigneeInCaseUnit else { return .notAssignable }
        return nil
    }
}
