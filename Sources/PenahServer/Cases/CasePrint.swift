import Foundation
import PenahDomain
import Vapor

/// `/cases/{id}/print/{application|decision|refusal}`: A4 documents in the victim's language
/// (`?in=az|ru|en`, or the language switcher, to choose another). Opening one reads the case, so it is audited like the page.
/// The printed decision leaves out the safe-contact record and the risk details: paper leaves the
/// centre and may be found by the person she is fleeing.
struct CasePrint {
    enum Document: String, CaseIterable { case application, decision, refusal }

    /// A signature line: who signs, and the date beside it — when the decision's professionals
    /// signed it, else the day of printing (signed on paper then).
    struct Signature: Encodable { let labelKey: String; let date: String }

    struct Context: Encodable {
        let page: PageFrame
        let titleKey: String
        let number: String
        let unitName: String
        let printedOn: String
        let rows: [CasePage.Row]
        let paragraphs: [String]
        let signatures: [Signature]
        let languages: [Choice]
        let document: String
        let id: UUID
    }

    @Sendable static func render(_ req: Request) async throws -> View {
        let staff = try req.requireStaff()
        guard let document = Document(rawValue: req.parameters.get("document") ?? "") else { throw Abort(.notFound) }
        let detail = try await CaseDetail.load(caseID: req.parameters.get("caseID", as: UUID.self), staff: staff, actor: req.auditActor,
                                               on: req.db, vault: req.vault, standards: req.application.settings.standards)
        // `?in=` names the document's language; the switcher's `?lang=` does too; else hers.
        let language = req.query[String.self, at: "in"].flatMap(Language.init(rawValue:))
            ?? req.requestedLanguageCode.flatMap(Language.init(code:))
            ?? (document == .refusal ? detail.refusal?.language : nil)
            ?? detail.victim.preferredLanguage.flatMap(Language.init(rawValue:)) ?? .az
        req.render(in: language)
        let v = detail.victim
        let name = [v.lastName, v.firstName, v.patronymic].compactMap { $0 }.joined(separator: " ")
        var rows = [CasePage.Row(labelKey: "case.print.person", text: name),
                    CasePage.Row(labelKey: "case.form.birthDate", text: RegistrationRules.parseBirthDate(v.birthDate).map(BakuFormat.date) ?? v.birthDate)]
        var paragraphs: [String] = []
        let printedOn = BakuFormat.date(Date())
        var signatures = [Signature(labelKey: "case.print.signature", date: printedOn)]
        func text(_ key: String) -> String { Catalogue.shared.text(key, language) }
        switch document {
        case .application:
            rows += [CasePage.Row(labelKey: "case.form.documentType", textKey: "code.documentType.\(v.documentType.rawValue)"),
                     CasePage.Row(labelKey: "case.form.documentNumber", text: v.documentNumber),
                     CasePage.Row(labelKey: "case.form.applicantKind", textKey: "code.applicant.\(detail.applicant.kind.rawValue)"),
                     CasePage.Row(labelKey: "case.form.channel", textKey: "code.channel.\(detail.channel.rawValue)"),
                     CasePage.Row(labelKey: "case.form.consentServices", textKey: detail.consent.services ? "case.page.yes" : "case.page.no"),
                     CasePage.Row(labelKey: "case.form.consentReferral", textKey: detail.consent.referral ? "case.page.yes" : "case.page.no"),
                     CasePage.Row(labelKey: "case.print.date", text: BakuFormat.dateTime(detail.registeredAt))]
            if let applicant = detail.applicant.name { rows.insert(CasePage.Row(labelKey: "case.form.applicantName", text: applicant), at: 2) }
            paragraphs = [text("case.print.free")]
            signatures = ["case.print.applicantSignature", "case.print.staffSignature"].map { Signature(labelKey: $0, date: printedOn) }
        case .decision:
            guard let decision = detail.decision, decision.inEffect else { throw Abort(.conflict) }
            let services = decision.services.map { text("code.service.\($0)") }.joined(separator: ", ")
            rows += [CasePage.Row(labelKey: "case.decision.needsRehabilitation", textKey: decision.needsRehabilitation ? "case.page.yes" : "case.page.no"),
                     CasePage.Row(labelKey: "case.decision.services", text: services.isEmpty ? "—" : services)]
            paragraphs = [text("case.print.free")]
            // In effect means both signed; the times are theirs, not the printer's.
            signatures = [Signature(labelKey: "code.section.legal", date: decision.lawyerSignedAt.map(BakuFormat.dateTime) ?? "—"),
                          Signature(labelKey: "code.section.psychological", date: decision.psychologistSignedAt.map(BakuFormat.dateTime) ?? "—")]
        case .refusal:
            guard let refusal = detail.refusal else { throw Abort(.conflict) }
            rows += [CasePage.Row(labelKey: "case.print.date", text: refusal.refusedAt.map(BakuFormat.dateTime)),
                     CasePage.Row(labelKey: "case.refusal.answeredVia", textKey: "code.answerChannel.\(refusal.answeredVia)")]
            paragraphs = [text("case.refusal.ground"), refusal.explanation, text("case.refusal.legalReference"), text("case.refusal.appeal")]
        }
        let unit = try await UnitService(db: req.db).find(code: detail.unitCode)
        return try await req.view.render("case-print", Context(
            page: req.staffFrame(titleKey: "case.print.\(document.rawValue)"), titleKey: "case.print.\(document.rawValue)", number: detail.number,
            unitName: unit?.name ?? detail.unitCode, printedOn: printedOn, rows: rows, paragraphs: paragraphs,
            signatures: signatures,
            languages: Language.allCases.map { Choice(value: $0.rawValue, labelKey: "lang.name.\($0.rawValue)", selected: $0 == language) },
            document: document.rawValue, id: detail.id))
    }
}
