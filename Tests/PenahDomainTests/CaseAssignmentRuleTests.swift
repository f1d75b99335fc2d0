import Testing
@testable import PenahDomain

@Suite("Who may be made responsible for a case")
struct CaseAssignmentRuleTests {
    @Test("an active lawyer or psychologist of the case's unit, on a case not refused")
    func rule() {
        #expect(CaseAssignment.problem(caseStatus: .registered, assigneeRole: .lawyer, assigneeActive: true, assigneeInCaseUnit: true) == nil)
        #expect(CaseAssignment.problem(caseStatus: .decided, assigneeRole: .psychologist, assigneeActive: true, assigneeInCaseUnit: true) == nil)
        for role in Role.allCases where ![.lawyer, .psychologist].contains(role) {
            #expect(CaseAssignment.problem(caseStatus: .registered, assigneeRole: role, assigneeActive: true, assigneeInCaseUnit: true) == .notAssignable)
        }
        #expect(CaseAssignment.problem(caseStatus: .registered, assigneeRole: .lawyer, assigneeActive: false, assigneeInCaseUnit: true) == .notAssignable)
        #expect(CaseAssignment.problem(caseStatus: .registered, assigneeRole: .lawyer, assigneeActive: true, assigneeInCaseUnit: false) == .notAssignable)
        #expect(CaseAssignment.problem(caseStatus: .refused, assigneeRole: .lawyer, assigneeActive: true, assigneeInCaseUnit: true) == .caseRefused)
    }
}
