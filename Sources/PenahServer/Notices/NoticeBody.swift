import Foundation
import PenahDomain

/// What goes to the police (CONTRACT.md, "Outbound"): the minimum they need to act and to reach her
/// safely. Drawn from the lawyer's section only — never the psychological section, its notes, or the
/// needs assessment — and from the safe-contact record; her phone only when a call or SMS is safe.
struct NoticeBody: Codable, Sendable, Equatable {
    struct Incident: Codable, Sendable, Equatable {
        let violenceForms: [String]
        let date: String?
        let district: String?
        let relationship: String?
        let childrenPresent: Bool?
    }
    struct Perpetrator: Codable, Sendable, Equatable {
        let livesWithVictim: Bool?
        let weaponAccess: Bool
        let earlierIncidents: Bool?
        let protectionOrderExists: Bool?
        let threatsToKill: Bool
        let strangulation: Bool
    }
    struct Contact: Codable, Sendable, Equatable {
        let methods: [String]
        let safeTimes: String?
        let phone: String?
        let mayIdentifyAsDost: Bool
        let voicemailSafe: Bool
        let smsSafe: Bool
        let codeWord: String?
    }
    struct Victim: Codable, Sendable, Equatable {
        let lastName: String
        let firstName: String
        let patronymic: String?
        let birthDate: String
        let prosecution: String
        let safeContact: Contact?
    }

    let noticeId: UUID
    let number: String
    let caseNumber: String
    let unitCode: String
    let urgency: String
    let riskLevel: String?
    let createdAt: Date
    let legalBasis: String
    let incident: Incident
    let perpetrator: Perpetrator
    let victim: Victim

    static let legalBasis = "Law of the Republic of Azerbaijan No. 1058-IIIQ \"On the prevention of domestic violence\"; DOST service 09-03-00-00, step 4"

    static func make(id: UUID, number: String, caseNumber: String, unitCode: String, urgency: NoticeUrgency, createdAt: Date,
                     legal: CaseDetail.Section, decision: CaseDetail.Decision?, victim: CaseDetail.Victim,
                     prosecution: ProsecutionPosition) -> NoticeBody {
        let factors = Set(legal.riskFactors)
        let contact = decision?.safeContact.map { c in
            let phoneSafe = c.methods.contains(.phoneCall) || (c.methods.contains(.sms) && c.smsSafe)
            return Contact(methods: c.methods.map(\.rawValue), safeTimes: c.safeTimes, phone: phoneSafe ? victim.phone : nil,
                           mayIdentifyAsDost: c.mayIdentifyAsDost, voicemailSafe: c.voicemailSafe, smsSafe: c.smsSafe, codeWord: c.codeWord)
        }
        return NoticeBody(
            noticeId: id, number: number, caseNumber: caseNumber, unitCode: unitCode, urgency: urgency.rawValue,
            riskLevel: decision?.riskLevel.rawValue, createdAt: createdAt, legalBasis: legalBasis,
            incident: Incident(violenceForms: legal.violenceForms.map(\.rawValue), date: legal.facts.incidentDate, district: legal.facts.incidentDistrict,
                               relationship: legal.relationship, childrenPresent: legal.facts.childrenPresent),
            perpetrator: Perpetrator(livesWithVictim: legal.facts.livesWithPerpetrator, weaponAccess: factors.contains(.weaponAccess),
                                     earlierIncidents: legal.facts.earlierIncidents, protectionOrderExists: legal.facts.protectionOrderExists,
                                     threatsToKill: factors.contains(.threatsToKill), strangulation: factors.contains(.strangulation)),
            victim: Victim(lastName: victim.lastName, firstName: victim.firstName, patronymic: victim.patronymic, birthDate: victim.birthDate,
                           prosecution: prosecution.rawValue, safeContact: contact))
    }

    /// The exact bytes sent and signed: stable key order, ISO dates.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    static func decode(_ data: Data) throws -> NoticeBody {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(NoticeBody.self, from: data)
    }
}
