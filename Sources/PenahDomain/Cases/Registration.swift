import Foundation

/// An application as it arrives (CONTRACT.md, `POST /api/v1/cases`), before any checking.
public struct RegistrationInput: Codable, Sendable {
    public struct Applicant: Codable, Sendable {
        public var kind: ApplicantKind
        public var name: String?
        public var organisation: String?
        public var relationship: String?
        public var authorityDocument: String?
        public init(kind: ApplicantKind) { self.kind = kind }
    }
    public struct Victim: Codable, Sendable {
        public var firstName: String
        public var lastName: String
        public var patronymic: String?
        public var birthDate: String
        public var sex: Sex
        public var residence: Residence
        public var fin: String?
        public var documentType: IdentityDocumentType
        public var documentNumber: String
        public var phone: String?
        public var address: String?
        public var preferredLanguage: String?
        public var interpreterNeeded: Bool?
        /// A person under guardianship needs their legal representative, like a minor.
        public var underGuardianship: Bool?
        public init(firstName: String, lastName: String, birthDate: String, sex: Sex, residence: Residence,
                    documentType: IdentityDocumentType, documentNumber: String) {
            self.firstName = firstName; self.lastName = lastName; self.birthDate = birthDate; self.sex = sex
            self.residence = residence; self.documentType = documentType; self.documentNumber = documentNumber
        }
    }
    public struct Consent: Codable, Sendable {
        public var services: Bool
        public var referral: Bool?
        public var capturedAs: ConsentCapture
        public var witnessedBy: String?
        public init(services: Bool, capturedAs: ConsentCapture) { self.services = services; self.capturedAs = capturedAs }
    }

    public var ticketId: UUID?
    public var channel: Channel
    public var applicant: Applicant
    public var victim: Victim
    public var consent: Consent

    public init(channel: Channel, applicant: Applicant, victim: Victim, consent: Consent) {
        self.channel = channel; self.applicant = applicant; self.victim = victim; self.consent = consent
    }
}

/// The identity that goes into the vault, normalised. Nothing here is ever stored in the clear.
public struct VictimIdentity: Codable, Sendable, Equatable {
    public var firstName: String
    public var lastName: String
    public var patronymic: String?
    public var birthDate: String          // yyyy-MM-dd
    public var fin: String?
    public var documentType: IdentityDocumentType
    public var documentNumber: String
    public var phone: String?             // +994… or another international number
    public var address: String?
    public var applicantName: String?
    public var applicantOrganisation: String?
    public var applicantRelationship: String?
    public var authorityDocument: String?
    public var consentWitness: String?

    /// "R. Ə." — what lists show instead of the name.
    public var initials: String {
        [firstName, lastName].compactMap { $0.first.map { AzText.uppercased(String($0)) + "." } }.joined(separator: " ")
    }
    public var fullName: String { [lastName, firstName, patronymic].compactMap { $0 }.joined(separator: " ") }
}

/// A registration that passed every rule.
public struct ValidRegistration: Sendable {
    public let identity: VictimIdentity
    public let birthDate: Date
    public let isMinor: Bool
    public let warnings: [FieldProblem]
}

public enum RegistrationRules {
    public static let maxNameLength = 100
    public static let maxTextLength = 300

    /// Checks every rule and either returns the normalised registration or every problem found.
    public static func validate(_ input: RegistrationInput, now: Date = Date()) -> Result<ValidRegistration, RegistrationProblems> {
        var problems: [FieldProblem] = []
        var warnings: [FieldProblem] = []
        func text(_ value: String?, _ field: String, required: Bool = false, limit: Int = maxTextLength) -> String? {
            let trimmed = value.map { AzText.nfc($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? ""
            if trimmed.isEmpty { if required { problems.append(.init(field: field, code: "required")) }; return nil }
            if trimmed.count > limit { problems.append(.init(field: field, code: "tooLong")); return nil }
            if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
                problems.append(.init(field: field, code: "invalidCharacters")); return nil
            }
            return trimmed
        }
        let v = input.victim, a = input.applicant
        let firstName = text(v.firstName, "victim.firstName", required: true, limit: maxNameLength)
        let lastName = text(v.lastName, "victim.lastName", required: true, limit: maxNameLength)
        let patronymic = text(v.patronymic, "victim.patronymic", limit: maxNameLength)
        let address = text(v.address, "victim.address")
        let documentNumber = text(v.documentNumber, "victim.documentNumber", required: true, limit: 40)

        var birth: Date?
        if let parsed = parseBirthDate(v.birthDate) {
            if parsed > now { problems.append(.init(field: "victim.birthDate", code: "birthDateInFuture")) }
            else if parsed < now.addingTimeInterval(-130 * 365.25 * 86_400) { problems.append(.init(field: "victim.birthDate", code: "outOfRange")) }
            else { birth = parsed }
        } else {
            problems.append(.init(field: "victim.birthDate", code: dateProblem(v.birthDate)))
        }

        var fin: String?
        if let raw = text(v.fin, "victim.fin", limit: 20) {
            if let parsed = FIN(raw) { fin = parsed.value } else { problems.append(.init(field: "victim.fin", code: "invalidFIN")) }
        }
        if let documentNumber, v.documentType == .idCard, IdentityDocumentNumber.shape(of: documentNumber) == .unrecognised {
            warnings.append(.init(field: "victim.documentNumber", code: "documentNumberUnusual"))
        }
        var phone: String?
        if let raw = text(v.phone, "victim.phone", limit: 40) {
            if let local = PhoneNumber(raw) { phone = local.e164 }
            else if let international = internationalPhone(raw) { phone = international }
            else { problems.append(.init(field: "victim.phone", code: "invalidPhone")) }
        }
        if let language = v.preferredLanguage, !language.isEmpty, Language(rawValue: language) == nil,
           !(language.count <= 8 && language.allSatisfy { $0.isASCII && $0.isLetter }) {
            problems.append(.init(field: "victim.preferredLanguage", code: "invalidValue"))
        }

        // Who applies, and what that requires.
        let applicantName = text(a.name, "applicant.name", required: [.relative, .legalRepresentative, .other].contains(a.kind), limit: 200)
        let organisation = text(a.organisation, "applicant.organisation", required: [.municipality, .ngo].contains(a.kind), limit: 200)
        let relationship = text(a.relationship, "applicant.relationship", limit: 100)
        let authority = text(a.authorityDocument, "applicant.authorityDocument", required: a.kind == .legalRepresentative, limit: 200)
        let isMinor = birth.map { age(birthDate: $0, at: now) < 18 } ?? false
        if (isMinor || v.underGuardianship == true) && a.kind != .legalRepresentative {
            problems.append(.init(field: "applicant.kind", code: isMinor ? "minorNeedsRepresentative" : "wardNeedsRepresentative"))
        }

        // Consent to the service is always the victim's (or her representative's); without it the case cannot go on.
        if !input.consent.services { problems.append(.init(field: "consent.services", code: "consentRequired")) }
        let witness = text(input.consent.witnessedBy, "consent.witnessedBy", required: input.consent.capturedAs == .oral, limit: 200)
        if input.channel == .legalRepresentative && a.kind != .legalRepresentative {
            problems.append(.init(field: "channel", code: "channelNeedsRepresentative"))
        }

        guard problems.isEmpty, let firstName, let lastName, let documentNumber, let birth else {
            return .failure(RegistrationProblems(problems: problems, warnings: warnings))
        }
        let identity = VictimIdentity(
            firstName: firstName, lastName: lastName, patronymic: patronymic, birthDate: BakuFormat.dayKey(birth), fin: fin,
            documentType: v.documentType, documentNumber: AzText.uppercased(documentNumber), phone: phone, address: address,
            applicantName: applicantName, applicantOrganisation: organisation, applicantRelationship: relationship,
            authorityDocument: authority, consentWitness: witness)
        return .success(ValidRegistration(identity: identity, birthDate: birth, isMinor: isMinor, warnings: warnings))
    }

    /// `yyyy-MM-dd` (the API) or `dd.MM.yyyy` (the forms), as a Baku calendar day.
    public static func parseBirthDate(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count == 10, trimmed.dropFirst(4).first == "-" {
            let parts = trimmed.split(separator: "-")
            guard parts.count == 3 else { return nil }
            return BakuFormat.parseDate("\(parts[2]).\(parts[1]).\(parts[0])")
        }
        return BakuFormat.parseDate(trimmed)
    }

    /// Why a date was not read: `noSuchDay` when it is written right but names no day of the
    /// calendar ("31.02.2030"), `invalidDate` when it is not written as a date at all.
    public static func dateProblem(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: trimmed.contains("-") ? "-" : ".", omittingEmptySubsequences: false)
        let digits = parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        let shaped = digits && (trimmed.contains("-") ? parts.map(\.count) == [4, 2, 2] : parts.map(\.count) == [2, 2, 4])
        return shaped && parseBirthDate(trimmed) == nil ? "noSuchDay" : "invalidDate"
    }

    public static func age(birthDate: Date, at now: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = BakuFormat.timeZone
        return calendar.dateComponents([.year], from: birthDate, to: now).year ?? 0
    }

    /// A foreign number in international form: `+` and 8–15 digits (E.164), spaces and hyphens allowed.
    public static func internationalPhone(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("+"), trimmed.dropFirst().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == " " || $0 == "-") }) else { return nil }
        let digits = trimmed.filter(\.isNumber)
        guard (8...15).contains(digits.count), digits.first != "0" else { return nil }
        return "+" + digits
    }
}

public struct RegistrationProblems: Error, Sendable {
    public let problems: [FieldProblem]
    public let warnings: [FieldProblem]
}
