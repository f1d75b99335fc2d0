import Fluent
import Foundation
import PenahDomain
import Vapor

/// `/notices/{id}/letter`: the notice as an A4 letter for delivery by hand, rendered from its frozen
/// content (escaped like every template value). Opening it reads her identity, so it is audited. It is
/// in Azerbaijani, the police's language, unless `?lang=` asks for another.
struct NoticeLetter {
    struct Context: Encodable {
        let page: PageFrame
        let number: String
        let caseNumber: String
        let unitName: String
        let created: String
        let urgencyKey: String
        let rows: [CasePage.Row]
        let legalBasis: String
        let caseID: UUID
    }

    @Sendable static func render(_ req: Request) async throws -> View {
        let staff = try req.requireStaff()
        let notice = try await NoticeTracking(db: req.db).find(req.parameters.get("noticeID", as: UUID.self), for: staff, .readNotice)
        guard notice.channel != .alreadyKnown else { throw Abort(.notFound) }
        let body = try NoticeBody.decode(try await req.vault.open(notice.body, field: "notice.body"))
        try await AuditLog.record(on: req.db, actor: req.auditActor, action: "notice.read", recordType: "case", recordID: notice.caseID.uuidString)
        // In the addressee's language, Azerbaijani, whatever the reader's, unless the switcher chose another.
        if Language(code: req.requestedLanguageCode ?? "") == nil { req.render(in: .az) }
        let language = req.language
        func names(_ list: String, _ codes: [String]) -> String {
            codes.isEmpty ? "—" : codes.map { Catalogue.shared.text("code.\(list).\($0)", language) }.joined(separator: ", ")
        }
        func yes(_ value: Bool?) -> String? { value.map { $0 ? "case.page.yes" : "case.page.no" } }
        let v = body.victim
        var rows = [
            CasePage.Row(labelKey: "case.print.person", text: [v.lastName, v.firstName, v.patronymic].compactMap { $0 }.joined(separator: " ")),
            CasePage.Row(labelKey: "case.form.birthDate", text: RegistrationRules.parseBirthDate(v.birthDate).map(BakuFormat.date) ?? v.birthDate),
            CasePage.Row(labelKey: "case.interview.violenceForms", text: names("violenceForm", body.incident.violenceForms)),
            CasePage.Row(labelKey: "case.interview.incidentDate", text: body.incident.date.flatMap(RegistrationRules.parseBirthDate).map(BakuFormat.date) ?? "—"),
            CasePage.Row(labelKey: "case.interview.incidentDistrict", text: body.incident.district ?? "—"),
            CasePage.Row(labelKey: "case.interview.relationship", text: body.incident.relationship.map { Catalogue.shared.text("code.relationship.\($0)", language) } ?? "—"),
            CasePage.Row(labelKey: "notice.prosecution", textKey: "code.prosecution.\(v.prosecution)"),
        ]
        let flags: [(String, Bool?)] = [
            ("case.interview.childrenPresent", body.incident.childrenPresent), ("case.interview.livesWithPerpetrator", body.perpetrator.livesWithVictim),
            ("notice.weaponAccess", body.perpetrator.weaponAccess), ("notice.threatsToKill", body.perpetrator.threatsToKill),
            ("notice.strangulation", body.perpetrator.strangulation), ("case.interview.earlierIncidents", body.perpetrator.earlierIncidents),
            ("case.interview.protectionOrderExists", body.perpetrator.protectionOrderExists)]
        for (label, value) in flags { if let answer = yes(value) { rows.append(CasePage.Row(labelKey: label, textKey: answer)) } }
        if let c = v.safeContact {
            rows.append(CasePage.Row(labelKey: "case.decision.methods", text: names("contactMethod", c.methods)))
            rows.append(CasePage.Row(labelKey: "case.decision.safeTimes", text: c.safeTimes ?? "—"))
            if let phone = c.phone { rows.append(CasePage.Row(labelKey: "case.form.phone", text: PhoneNumber(phone)?.national ?? phone)) }
            rows.append(CasePage.Row(labelKey: "case.decision.mayIdentifyAsDost", textKey: c.mayIdentifyAsDost ? "case.page.yes" : "case.page.no"))
            rows.append(CasePage.Row(labelKey: "case.decision.voicemailSafe", textKey: c.voicemailSafe ? "case.page.yes" : "case.page.no"))
            rows.append(CasePage.Row(labelKey: "case.decision.codeWord", text: c.codeWord ?? "—"))
        }
        let unit = try await Unit.find(notice.unitID, on: req.db)
        return try await req.view.render("notice-letter", Context(
            page: req.staffFrame(titleKey: "notice.letter.heading"), number: notice.number, caseNumber: body.caseNumber,
            unitName: unit?.name ?? body.unitCode, created: BakuFormat.dateTime(notice.createdAt), urgencyKey: "code.noticeUrgency.\(notice.urgency.rawValue)",
            rows: rows, legalBasis: body.legalBasis, caseID: notice.caseID))
    }
}
