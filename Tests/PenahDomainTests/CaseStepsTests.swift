import Testing
@testable import PenahDomain

@Suite("What may happen next on a case (CaseSteps)")
struct CaseStepsTests {
    /// A case ready for a placement request; each test breaks one fact.
    static let ready = CaseFacts(status: .decided, eligible: true, decisionInEffect: true, needsRehabilitation: true,
                                 consentReferral: true, documentKinds: [.forensicReport], legalSectionWritten: true)

    @Test("a placement request needs every one of its conditions")
    func placement() {
        #expect(CaseSteps.mayRequestPlacement(Self.ready))
        let broken: [(String, (inout CaseFacts) -> Void)] = [
            ("not decided", { $0.status = .assessing }),
            ("refused", { $0.status = .refused }),
            ("decision not in effect", { $0.decisionInEffect = false }),
            ("no rehabilitation", { $0.needsRehabilitation = false }),
            ("no referral consent", { $0.consentReferral = false }),
            ("no act", { $0.documentKinds = [.identity, .authority] }),
            ("a request open", { $0.placementOpen = true }),
        ]
        for (label, change) in broken {
            var facts = Self.ready
            change(&facts)
            #expect(!CaseSteps.mayRequestPlacement(facts), "\(label)")
        }
        var overridden = Self.ready
        overridden.documentKinds = []
        overridden.actOverridden = true
        #expect(CaseSteps.mayRequestPlacement(overridden), "a supervisor's override stands in for the act")
    }

    @Test("identity papers and letters are not an act; the override is for a missing act only")
    func act() {
        #expect(!CaseSteps.hasConfirmingAct([.identity, .authority]))
        for kind in DocumentKind.allCases where ![.identity, .authority].contains(kind) {
            #expect(CaseSteps.hasConfirmingAct([kind]), "\(kind)")
        }
        var missing = Self.ready
        missing.documentKinds = [.identity]
        #expect(CaseSteps.mayOverrideAct(missing))
        #expect(!CaseSteps.mayOverrideAct(Self.ready))
    }

    @Test("the police: informed once the legal section is written, never for a refused or ineligible case; 'already know' needs their protocol")
    func police() {
        var facts = CaseFacts(status: .assessing, eligible: true, legalSectionWritten: true)
        #expect(CaseSteps.mayInformPolice(facts))
        facts.legalSectionWritten = false
        #expect(!CaseSteps.mayInformPolice(facts))
        #expect(!CaseSteps.mayInformPolice(CaseFacts(status: .refused, eligible: true, legalSectionWritten: true)))
        #expect(!CaseSteps.mayInformPolice(CaseFacts(status: .assessing, eligible: false, legalSectionWritten: true)))
        #expect(CaseSteps.mayRecordPoliceAlreadyKnow(CaseFacts(status: .registered, eligible: true, documentKinds: [.policeProtocol])))
        #expect(!CaseSteps.mayRecordPoliceAlreadyKnow(CaseFacts(status: .registered, eligible: true, documentKinds: [.forensicReport])))
        #expect(!CaseSteps.mayRecordPoliceAlreadyKnow(CaseFacts(status: .registered, eligible: false, documentKinds: [.policeProtocol])))
        #expect(!CaseSteps.mayRecordPoliceAlreadyKnow(CaseFacts(status: .refused, eligible: true, documentKinds: [.policeProtocol])))
    }
}
