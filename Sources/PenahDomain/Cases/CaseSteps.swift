/// What a case is, as far as the next steps care: gathered by the server from its rows.
public struct CaseFacts: Sendable, Equatable {
    public var status: CaseStatus
    /// The service card's eligibility (residence), fixed at registration.
    public var eligible: Bool
    /// The joint decision is signed by both the lawyer and the psychologist.
    public var decisionInEffect: Bool
    public var needsRehabilitation: Bool
    public var consentReferral: Bool
    public var documentKinds: [DocumentKind]
    /// A supervisor recorded why she must be placed before the act is on file.
    public var actOverridden: Bool
    public var placementOpen: Bool
    public var legalSectionWritten: Bool
    public var psychologicalSectionWritten: Bool
    /// A notice reached the police (sent or acknowledged), or they already knew.
    public var policeInformed: Bool
    /// A notice is written but not delivered yet (queued, or its delivery failed).
    public var policeNoticeUndelivered: Bool
    /// The latest placement request's status, if one was made.
    public var placementStatus: PlacementStatus?

    public init(status: CaseStatus, eligible: Bool, decisionInEffect: Bool = false, needsRehabilitation: Bool = false,
                consentReferral: Bool = false, documentKinds: [DocumentKind] = [], actOverridden: Bool = false,
                placementOpen: Bool = false, legalSectionWritten: Bool = false, psychologicalSectionWritten: Bool = false,
                policeInformed: Bool = false, policeNoticeUndelivered: Bool = false, placementStatus: PlacementStatus? = nil) {
        self.status = status
        self.eligible = eligible
        self.decisionInEffect = decisionInEffect
        self.needsRehabilitation = needsRehabilitation
        self.consentReferral = consentReferral
        self.documentKinds = documentKinds
        self.actOverridden = actOverridden
        self.placementOpen = placementOpen
        self.legalSectionWritten = legalSectionWritten
        self.psychologicalSectionWritten = psychologicalSectionWritten
        self.policeInformed = policeInformed
        self.policeNoticeUndelivered = policeNoticeUndelivered
        self.placementStatus = placementStatus
    }
}

/// The steps after the interview, defined once: the case page asks these to decide what to offer,
/// and the services ask the same to refuse (409) what the page would not offer.
public enum CaseSteps {
    /// A document that confirms the violence (a medical certificate, a police protocol, …) is on
    /// file; identity papers and letters from an authority do not count.
    public static func hasConfirmingAct(_ kinds: [DocumentKind]) -> Bool {
        kinds.contains(where: \.confirmsViolence)
    }

    public static func hasConfirmingAct(_ facts: CaseFacts) -> Bool { hasConfirmingAct(facts.documentKinds) }

    /// SXA may be asked for a shelter place: a decision in effect that she needs rehabilitation,
    /// her consent to the pseudonymous referral, the act on file or a supervisor's override, and no
    /// request already open.
    public static func mayRequestPlacement(_ facts: CaseFacts) -> Bool {
        facts.status == .decided && facts.decisionInEffect && facts.needsRehabilitation && facts.consentReferral
            && (hasConfirmingAct(facts) || facts.actOverridden) && !facts.placementOpen
    }

    /// The supervisor's override is offered, and taken, only while the act is missing.
    public static func mayOverrideAct(_ facts: CaseFacts) -> Bool { !hasConfirmingAct(facts) }

    /// The police may be informed: an eligible case not refused, once the lawyer's section (where
    /// the incident is told) is written. A second notice is a new incident and allowed.
    public static func mayInformPolice(_ facts: CaseFacts) -> Bool {
        facts.eligible && facts.status != .refused && facts.legalSectionWritten
    }

    /// The police already know (their protocol is the act on file): the step is recorded as done.
    public static func mayRecordPoliceAlreadyKnow(_ facts: CaseFacts) -> Bool {
        facts.eligible && facts.status != .refused && facts.documentKinds.contains(.policeProtocol)
    }
}
