import Foundation

/// One section of the joint interview (CONTRACT.md, `POST /cases/{id}/assessments`): the lawyer's
/// `legal` and the psychologist's `psychological`. Both record the same structured facts, so the
/// victim tells her story once and each professional adds what their discipline sees.
public struct AssessmentInput: Codable, Sendable {
    public var section: AssessmentSection
    public var violenceForms: [ViolenceForm]
    public var relationship: Relationship?
    public var riskFactors: [String: Bool]
    public var needs: [Need]
    public var notes: String?
    // The incident and the perpetrator's facts that matter for safety.
    public var incidentDate: String?
    public var incidentDistrict: String?
    public var livesWithPerpetrator: Bool?
    public var childrenPresent: Bool?
    public var earlierIncidents: Bool?
    public var protectionOrderExists: Bool?

    public init(section: AssessmentSection, violenceForms: [ViolenceForm], relationship: Relationship?,
                riskFactors: [String: Bool], needs: [Need], notes: String?) {
        self.section = section; self.violenceForms = violenceForms; self.relationship = relationship
        self.riskFactors = riskFactors; self.needs = needs; self.notes = notes
    }

    public static let maxNotesLength = 10_000

    /// Unknown risk-factor codes, a date in the future or text beyond its limit are 422.
    public func problems(now: Date = Date()) -> [FieldProblem] {
        var found: [FieldProblem] = []
        for key in riskFactors.keys where RiskFactor(rawValue: key) == nil {
            found.append(.init(field: "riskFactors.\(key.prefix(40))", code: "unknownCode"))
        }
        if (notes ?? "").count > Self.maxNotesLength { found.append(.init(field: "notes", code: "tooLong")) }
        if let incidentDate, !incidentDate.isEmpty {
            if let date = RegistrationRules.parseBirthDate(incidentDate) {
                if date > now { found.append(.init(field: "incidentDate", code: "dateInFuture")) }
            } else { found.append(.init(field: "incidentDate", code: RegistrationRules.dateProblem(incidentDate))) }
        }
        if (incidentDistrict ?? "").count > 100 { found.append(.init(field: "incidentDistrict", code: "tooLong")) }
        if violenceForms.isEmpty { found.append(.init(field: "violenceForms", code: "required")) }
        return found
    }

    public var presentFactors: Set<RiskFactor> {
        Set(riskFactors.compactMap { $0.value ? RiskFactor(rawValue: $0.key) : nil })
    }
}

/// The joint decision (`POST /cases/{id}/decision`) with the safe-contact record.
public struct DecisionInput: Codable, Sendable {
    public var needsRehabilitation: Bool
    public var services: [Service]
    public var riskLevel: RiskLevel
    /// Why the level is above the screen's (professional judgement); required then.
    public var riskReason: String?
    public var safeContact: SafeContact?

    public init(needsRehabilitation: Bool, services: [Service], riskLevel: RiskLevel) {
        self.needsRehabilitation = needsRehabilitation; self.services = services; self.riskLevel = riskLevel
    }
}

/// How staff, and later the police, may reach her without putting her at risk.
public struct SafeContact: Codable, Sendable, Equatable {
    public enum Method: String, CaseCode { case phoneCall, sms, inPersonAtCentre, throughRepresentative; public static let listName = "contactMethod" }
    public var methods: [Method]
    public var safeTimes: String?
    public var mayIdentifyAsDost: Bool
    public var voicemailSafe: Bool
    public var smsSafe: Bool
    public var codeWord: String?

    public init(methods: [Method], safeTimes: String? = nil, mayIdentifyAsDost: Bool, voicemailSafe: Bool, smsSafe: Bool, codeWord: String? = nil) {
        self.methods = methods; self.safeTimes = safeTimes; self.mayIdentifyAsDost = mayIdentifyAsDost
        self.voicemailSafe = voicemailSafe; self.smsSafe = smsSafe; self.codeWord = codeWord
    }

    public func problems() -> [FieldProblem] {
        var found: [FieldProblem] = []
        if (safeTimes ?? "").count > 200 { found.append(.init(field: "safeContact.safeTimes", code: "tooLong")) }
        if (codeWord ?? "").count > 60 { found.append(.init(field: "safeContact.codeWord", code: "tooLong")) }
        return found
    }
}

/// What the case's state allows. Every "no" is a 409 with nothing changed.
public enum CaseRules {
    public static func canAssess(status: CaseStatus, eligible: Bool) -> Bool { status.isOpen && eligible }
    public static func canDraftDecision(status: CaseStatus, eligible: Bool, sections: Set<AssessmentSection>) -> Bool {
        canAssess(status: status, eligible: eligible) && sections == Set(AssessmentSection.allCases)
    }
    public static func canRefuse(status: CaseStatus) -> Bool { status.isOpen }

    /// The section a role may write, if any.
    public static func section(for role: Role) -> AssessmentSection? {
        switch role { case .lawyer: .legal; case .psychologist: .psychological; default: nil }
    }
}

extension CaseRules {
    /// Who sees the joint interview's sections and notes (reception and the call centre do not).
    public static func seesInterview(_ role: Role) -> Bool { [.lawyer, .psychologist, .supervisor].contains(role) }
}

/// The incident and perpetrator facts of a section, stored as JSON beside the codes.
public struct AssessmentFacts: Codable, Sendable, Equatable {
    public var incidentDate: String?
    public var incidentDistrict: String?
    public var livesWithPerpetrator: Bool?
    public var childrenPresent: Bool?
    public var earlierIncidents: Bool?
    public var protectionOrderExists: Bool?

    public init(_ input: AssessmentInput) {
        incidentDate = input.incidentDate.flatMap { RegistrationRules.parseBirthDate($0) }.map(BakuFormat.dayKey)
        incidentDistrict = input.incidentDistrict?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        livesWithPerpetrator = input.livesWithPerpetrator
        childrenPresent = input.childrenPresent
        earlierIncidents = input.earlierIncidents
        protectionOrderExists = input.protectionOrderExists
    }
}

extension String {
    public var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension AssessmentInput {
    /// An input with nothing in it (for facts that could not be read back).
    public static var empty: AssessmentInput { AssessmentInput(section: .legal, violenceForms: [], relationship: nil, riskFactors: [:], needs: [], notes: nil) }
}
