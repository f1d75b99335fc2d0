import Foundation
import Testing
@testable import PenahDomain
@testable import PenahServer

/// The keys the code builds at run time (`code.<list>.<code>`, `error.<code>`, `case.interview.<key>`
/// and the rest): a missing one would show its key on a page, in any of the three languages.
@Suite("Every key the code builds is in the catalogue")
struct CatalogueKeysTests {
    static func codes<T: CaseCode>(_ type: T.Type) -> [String] { T.allCases.map(\.messageKey) }

    static var builtKeys: [String] {
        var keys: [String] = []
        keys += codes(NoticeStatus.self) + codes(NoticeUrgency.self) + codes(NoticeChannel.self) + codes(ProsecutionPosition.self)
        keys += codes(PlacementStatus.self) + codes(AgeBand.self) + codes(DischargeReason.self) + codes(ShelterOperator.self)
        keys += codes(Accessibility.self) + codes(RiskFactor.self) + codes(RiskLevel.self) + codes(SafeContact.Method.self) + codes(Channel.self)
        keys += codes(ApplicantKind.self) + codes(Sex.self) + codes(Residence.self) + codes(IdentityDocumentType.self)
        keys += codes(ConsentCapture.self) + codes(ViolenceForm.self) + codes(Relationship.self) + codes(Need.self) + codes(Service.self)
        keys += codes(AssessmentSection.self) + codes(DocumentKind.self) + codes(AnswerChannel.self) + codes(CaseStatus.self)
        keys += Role.allCases.map(\.messageKey) + UnitKind.allCases.map(\.messageKey)
        keys += TicketStatus.allCases.map { "queue.status.\($0.rawValue)" }
        keys += [OutboxState.pending, .done, .failed].map { "notice.esdas.\($0.rawValue)" }
        keys += ShelterIntake.Misfit.allCases.map(\.messageKey)
        keys += ["dost", "sxa"].map { "placement.side.\($0)" }
        keys += CasePage.interviewFlags(nil).map { "case.interview.\($0.0)" }
        keys += CasePage.safeContactFlags(nil).map { "case.decision.\($0.0)" }
        keys += CasePrint.Document.allCases.map { "case.print.\($0.rawValue)" }
        keys += Language.allCases.map { "lang.name.\($0.rawValue)" }
        keys += CaseClock.Kind.allCases.map { "clock.\($0.rawValue)" }
        keys += CaseStatus.allCases.map { "work.next.\($0.rawValue)" }
        keys += DoneBanner.allCases.map(\.messageKey)
        keys += NotificationKind.allCases.map(\.messageKey)
        keys += ["error.noSuchDay", "error.invalidDate"]
        keys += CaseIntakePage.spokenLanguages.map { "lang.name.\($0)" }
        keys += CaseProgress.Step.allCases.map { "progress.step.\($0.rawValue)" }
        keys += ["done", "next", "waiting", "blocked", "notNeeded", "stopped"].map { "progress.state.\($0)" }
        keys += ["refused", "interviewFirst", "ineligible", "legalSectionFirst", "admissionAtDoor", "sxaAsked", "sxaDecides",
                 "noRehabilitation", "decisionFirst", "noReferralConsent", "actMissing", "noticeUndelivered"].map { "progress.why.\($0)" }
        return keys
    }

    /// Every `code: "…"` a validation problem is made with, anywhere in the sources: each is shown
    /// as `error.<code>`.
    static func problemCodes() throws -> Set<String> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Sources").standardized
        let pattern = try Regex(#"field: [^\n]*?code: "([a-zA-Z]+)""#)
        var codes: Set<String> = []
        for case let url as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)! where url.pathExtension == "swift" {
            for match in try String(contentsOf: url, encoding: .utf8).matches(of: pattern) {
                if let code = match.output[1].substring { codes.insert(String(code)) }
            }
        }
        return codes
    }

    @Test("each built key exists in az, ru and en", arguments: Language.allCases)
    func builtKeysExist(_ language: Language) throws {
        let known = Set(Catalogue.shared.entries[language]?.keys.map { $0 } ?? [])
        let missing = Self.builtKeys.filter { !known.contains($0) }
        #expect(missing == [], "\(language): \(missing)")
        #expect(Self.builtKeys.count > 150, "the list is real")
    }

    @Test("each validation code in the sources has its error message in az, ru and en", arguments: Language.allCases)
    func problemCodesExist(_ language: Language) throws {
        let codes = try Self.problemCodes()
        #expect(codes.count > 20, "the scan found the sources: \(codes.count)")
        let known = Set(Catalogue.shared.entries[language]?.keys.map { $0 } ?? [])
        let missing = codes.map { "error.\($0)" }.filter { !known.contains($0) }.sorted()
        #expect(missing == [], "\(language): \(missing)")
    }
    /// Every `field: "…"` a validation problem names, anywhere in the sources.
    static func problemFields() throws -> Set<String> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Sources").standardized
        let pattern = try Regex(#"field: "([a-zA-Z.]+)""#)
        var fields: Set<String> = []
        for case let url as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)! where url.pathExtension == "swift" {
            for match in try String(contentsOf: url, encoding: .utf8).matches(of: pattern) {
                if let field = match.output[1].substring { fields.insert(String(field)) }
            }
        }
        return fields
    }

    @Test("every field a validation problem names has a label, so no page shows its code (`shelterId:`, `to:`)")
    func problemFieldsHaveLabels() throws {
        let fields = try Self.problemFields()
        #expect(fields.count > 40, "the scan found the sources: \(fields.count)")
        // The forms' own label prefixes; `lines` adds the shared `field.` ones the generic error page uses.
        let forms = ["case.form.", "case.interview.", "case.decision.", "case.refusal.", "case.doc.", "notice.", "placement.form.", "shelter.form."]
        let unlabelled = fields.sorted().filter { FormProblems.lines([FieldProblem(field: $0, code: "required")], labelPrefixes: forms).first?.labelKey == nil }
        #expect(unlabelled == [], "\(unlabelled)")
    }
}
