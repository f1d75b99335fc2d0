/// The code lists of CONTRACT.md ("Code lists" and the case endpoints). Stored as their raw strings;
/// each has a message key `code.<list>.<value>` in all three languages.
public protocol CaseCode: RawRepresentable, CaseIterable, Codable, Hashable, Sendable where RawValue == String {
    static var listName: String { get }
}

extension CaseCode {
    public var messageKey: String { "code.\(Self.listName).\(rawValue)" }
    /// Parses a stored comma-separated list strictly: a value the enum lacks (a corrupt or
    /// hand-edited row) throws, never vanishes — a risk factor dropped in silence would lower her
    /// risk level, a need dropped would hide it from the shelter.
    public static func list(_ stored: String) throws -> [Self] {
        try stored.split(separator: ",").map { code in
            guard let value = Self(rawValue: String(code)) else { throw UnknownStoredCode(list: listName) }
            return value
        }
    }
    public static func store(_ values: [Self]) -> String {
        allCases.filter(values.contains).map(\.rawValue).joined(separator: ",")
    }
}

/// A stored code list holds a value its enum does not know. It names the list, never the value.
public struct UnknownStoredCode: Error, Equatable, Sendable {
    public let list: String
}

public enum Channel: String, CaseCode { case inPerson, legalRepresentative, callCentre, electronic; public static let listName = "channel" }
public enum ApplicantKind: String, CaseCode {
    case victim, relative, legalRepresentative, municipality, ngo, other
    public static let listName = "applicant"
    /// Who may apply without the victim's own recorded consent.
    public var speaksForVictim: Bool { self == .victim || self == .legalRepresentative }
}
public enum Sex: String, CaseCode { case female, male; public static let listName = "sex" }
public enum Residence: String, CaseCode {
    case citizen, foreignerPermanent, statelessPermanent, other
    public static let listName = "residence"
    /// Card field 10: who may receive the service.
    public var isEligible: Bool { self != .other }
}
public enum IdentityDocumentType: String, CaseCode { case idCard, passport, residencePermit, birthCertificate; public static let listName = "documentType" }
public enum ConsentCapture: String, CaseCode { case signature, oral; public static let listName = "consentCapture" }
public enum ViolenceForm: String, CaseCode { case physical, psychological, economic, sexual; public static let listName = "violenceForm" }
public enum Relationship: String, CaseCode {
    case spouse, formerSpouse, unmarriedPartner, parent, child, grandparent, grandchild, sibling, adoptiveParent,
         adoptedChild, guardian, spouseRelative, otherRelative, other
    public static let listName = "relationship"
}
public enum Need: String, CaseCode {
    case safety, shelter, health, psychologicalSupport, legalAid, economic, children, educationEmployment, housing
    public static let listName = "need"
}
public enum Service: String, CaseCode {
    case shelter, psychologicalSupport, legalAid, medical, socialAssistance, childSupport, employmentSupport, interpreter
    public static let listName = "service"
}
public enum AssessmentSection: String, CaseCode { case legal, psychological; public static let listName = "section" }
public enum DocumentKind: String, CaseCode {
    case identity, policeProtocol, protectionOrderShort, protectionOrderLong, forensicReport, courtDecision, otherAct, authority
    public static let listName = "documentKind"
    /// Card field 21: the acts that confirm the violence.
    public var confirmsViolence: Bool { ![.identity, .authority].contains(self) }
}
/// How a refusal reached the person (card field 8).
public enum AnswerChannel: String, CaseCode { case inPerson, legalRepresentative, callCentre; public static let listName = "answerChannel" }
public enum CaseStatus: String, CaseCode {
    /// Registered; the interview may start. `assessing` once a section exists, `decided` once both signed.
    case registered, assessing, decided, refused
    public static let listName = "caseStatus"
    public var isOpen: Bool { self == .registered || self == .assessing }
}
