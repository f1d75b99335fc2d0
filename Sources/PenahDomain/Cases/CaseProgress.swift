/// The steps of the service as one case stands in them, for the case page's progress view: each is
/// done, next (with who acts), waiting on another party, blocked (with why), not needed, or stopped
/// because the application was refused. Decided from the same facts as `CaseSteps`, so the view never
/// offers what the services would refuse.
public enum CaseProgress {
    public enum Step: String, CaseIterable, Sendable { case registration, interview, decision, police, placement }
    public enum State: String, Sendable { case done, next, waiting, blocked, notNeeded, stopped }

    public struct Line: Sendable, Equatable {
        public let step: Step
        public let state: State
        /// Who acts next on this step (next or waiting).
        public let actors: [Role]
        /// Why the step is waiting or blocked, as a message name (`progress.why.<reason>`).
        public let reason: String?

        init(_ step: Step, _ state: State, _ actors: [Role] = [], why reason: String? = nil) {
            self.step = step; self.state = state; self.actors = actors; self.reason = reason
        }
    }

    public static func of(_ facts: CaseFacts) -> [Line] {
        let lines = [
            Line(.registration, .done),
            interview(facts),
            decision(facts),
            police(facts),
            placement(facts),
        ]
        guard facts.status == .refused else { return lines }
        return lines.map { $0.state == .done || $0.state == .notNeeded ? $0 : Line($0.step, .stopped, why: "refused") }
    }

    private static func interview(_ facts: CaseFacts) -> Line {
        let missing = [facts.legalSectionWritten ? nil : Role.lawyer, facts.psychologicalSectionWritten ? nil : .psychologist].compactMap { $0 }
        return missing.isEmpty ? Line(.interview, .done) : Line(.interview, .next, missing)
    }

    private static func decision(_ facts: CaseFacts) -> Line {
        if facts.decisionInEffect { return Line(.decision, .done) }
        guard facts.legalSectionWritten && facts.psychologicalSectionWritten else { return Line(.decision, .blocked, why: "interviewFirst") }
        return Line(.decision, .next, [.lawyer, .psychologist])
    }

    private static func police(_ facts: CaseFacts) -> Line {
        if facts.policeInformed { return Line(.police, .done) }
        if facts.policeNoticeUndelivered { return Line(.police, .waiting, [.supervisor], why: "noticeUndelivered") }
        if !facts.eligible { return Line(.police, .notNeeded, why: "ineligible") }
        return CaseSteps.mayInformPolice(facts) ? Line(.police, .next, [.lawyer]) : Line(.police, .blocked, why: "legalSectionFirst")
    }

    private static func placement(_ facts: CaseFacts) -> Line {
        switch facts.placementStatus {
        case .admitted?: return Line(.placement, .done)
        case .approved?: return Line(.placement, .waiting, [.shelterStaff], why: "admissionAtDoor")
        case .question?: return Line(.placement, .next, [.lawyer, .psychologist], why: "sxaAsked")
        case .submitted?, .waiting?, .holdExpired?: return Line(.placement, .waiting, [.sxaOfficer], why: "sxaDecides")
        case .refused?, nil: break
        }
        if facts.decisionInEffect && !facts.needsRehabilitation { return Line(.placement, .notNeeded, why: "noRehabilitation") }
        if CaseSteps.mayRequestPlacement(facts) { return Line(.placement, .next, [.lawyer, .psychologist]) }
        if !facts.decisionInEffect { return Line(.placement, .blocked, why: "decisionFirst") }
        if !facts.consentReferral { return Line(.placement, .blocked, why: "noReferralConsent") }
        return Line(.placement, .blocked, [.supervisor], why: "actMissing")
    }
}
