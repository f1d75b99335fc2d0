import Testing
@testable import PenahDomain

@Suite("The case's progress through the steps")
struct CaseProgressTests {
    func states(_ facts: CaseFacts) -> [CaseProgress.Step: CaseProgress.State] {
        Dictionary(uniqueKeysWithValues: CaseProgress.of(facts).map { ($0.step, $0.state) })
    }
    func line(_ facts: CaseFacts, _ step: CaseProgress.Step) -> CaseProgress.Line { CaseProgress.of(facts).first { $0.step == step }! }

    @Test("just registered: the interview is next for both, the rest waits on it")
    func registered() {
        let facts = CaseFacts(status: .registered, eligible: true, consentReferral: true)
        #expect(states(facts) == [.registration: .done, .interview: .next, .decision: .blocked, .police: .blocked, .placement: .blocked])
        #expect(line(facts, .interview).actors == [.lawyer, .psychologist])
        #expect(line(facts, .decision).reason == "interviewFirst" && line(facts, .police).reason == "legalSectionFirst")
    }

    @Test("the lawyer's section written: the psychologist is next, and the police may be informed")
    func legalWritten() {
        let facts = CaseFacts(status: .assessing, eligible: true, legalSectionWritten: true)
        #expect(line(facts, .interview).actors == [.psychologist])
        #expect(line(facts, .police).state == .next && line(facts, .police).actors == [.lawyer])
        #expect(line(facts, .decision).state == .blocked)
    }

    @Test("decided with the act on file and consent: placement is next; without the act the supervisor may unblock it")
    func placement() {
        var facts = CaseFacts(status: .decided, eligible: true, decisionInEffect: true, needsRehabilitation: true, consentReferral: true,
                              documentKinds: [.policeProtocol], legalSectionWritten: true, psychologicalSectionWritten: true, policeInformed: true)
        #expect(states(facts) == [.registration: .done, .interview: .done, .decision: .done, .police: .done, .placement: .next])
        facts.documentKinds = [.identity]
        #expect(line(facts, .placement).state == .blocked && line(facts, .placement).reason == "actMissing" && line(facts, .placement).actors == [.supervisor])
        facts.actOverridden = true
        #expect(line(facts, .placement).state == .next)
        facts.consentReferral = false
        #expect(line(facts, .placement).reason == "noReferralConsent")
        facts.consentReferral = true
        for (status, state, actor) in [(PlacementStatus.submitted, CaseProgress.State.waiting, Role.sxaOfficer), (.question, .next, .lawyer),
                                       (.approved, .waiting, .shelterStaff)] {
            facts.placementStatus = status
            #expect(line(facts, .placement).state == state && line(facts, .placement).actors.contains(actor), "\(status)")
        }
        facts.placementStatus = .admitted
        #expect(line(facts, .placement).state == .done)
        // SXA refused: a new request may be made.
        facts.placementStatus = .refused
        #expect(line(facts, .placement).state == .next)
        facts.placementStatus = nil; facts.needsRehabilitation = false
        #expect(line(facts, .placement).state == .notNeeded)
    }

    @Test("a notice not yet delivered waits; an ineligible case needs no notice; a refusal stops what is not done")
    func otherEnds() {
        let undelivered = CaseFacts(status: .assessing, eligible: true, legalSectionWritten: true, policeNoticeUndelivered: true)
        #expect(line(undelivered, .police).state == .waiting && line(undelivered, .police).reason == "noticeUndelivered")
        #expect(line(CaseFacts(status: .registered, eligible: false), .police).state == .notNeeded)
        let refused = CaseFacts(status: .refused, eligible: true, legalSectionWritten: true, psychologicalSectionWritten: true)
        #expect(states(refused) == [.registration: .done, .interview: .done, .decision: .stopped, .police: .stopped, .placement: .stopped])
        #expect(line(refused, .police).reason == "refused" && line(refused, .police).actors.isEmpty)
    }
}
