import Foundation
import PenahDomain

/// The case page's pieces built from the case: sections, the decision's rows and form, signatures.
extension CasePage {
    static func sectionView(_ s: CaseDetail.Section, _ language: Language) -> SectionView {
        func names<Code: RawRepresentable<String>>(_ list: String, _ codes: [Code]) -> String {
            codes.isEmpty ? "—" : codes.map { Catalogue.shared.text("code.\(list).\($0.rawValue)", language) }.joined(separator: ", ")
        }
        var rows = [Row(labelKey: "case.interview.violenceForms", text: names("violenceForm", s.violenceForms))]
        if let r = s.relationship { rows.append(Row(labelKey: "case.interview.relationship", textKey: "code.relationship.\(r)")) }
        rows += [Row(labelKey: "case.interview.riskFactors", text: names("riskFactor", s.riskFactors)),
                 Row(labelKey: "case.interview.needs", text: names("need", s.needs))]
        if let date = s.facts.incidentDate.flatMap(RegistrationRules.parseBirthDate) { rows.append(Row(labelKey: "case.interview.incidentDate", text: BakuFormat.date(date))) }
        if let district = s.facts.incidentDistrict { rows.append(Row(labelKey: "case.interview.incidentDistrict", text: district)) }
        for (key, value) in interviewFlags(s.facts) {
            if let value { rows.append(Row(labelKey: "case.interview.\(key)", textKey: value ? "case.page.yes" : "case.page.no")) }
        }
        return SectionView(titleKey: "code.section.\(s.section)", rows: rows, notes: s.notes)
    }

    /// A section's yes/no facts in the order the page shows them, labelled `case.interview.<key>`.
    static func interviewFlags(_ facts: AssessmentFacts?) -> [(String, Bool?)] {
        [("livesWithPerpetrator", facts?.livesWithPerpetrator), ("childrenPresent", facts?.childrenPresent),
         ("earlierIncidents", facts?.earlierIncidents), ("protectionOrderExists", facts?.protectionOrderExists)]
    }

    static func sectionForm(_ section: AssessmentSection, existing: CaseDetail.Section?, typed: AssessmentInput?) -> SectionForm {
        let forms = typed?.violenceForms.map(\.rawValue) ?? existing?.violenceForms.map(\.rawValue) ?? []
        let factors = typed.map { Array($0.presentFactors).map(\.rawValue) } ?? existing?.riskFactors.map(\.rawValue) ?? []
        let needs = typed?.needs.map(\.rawValue) ?? existing?.needs.map(\.rawValue) ?? []
        let facts = typed.map(AssessmentFacts.init) ?? existing?.facts
        let flags = interviewFlags(facts).map { Choice(value: $0.0, labelKey: "case.interview.\($0.0)", selected: $0.1 == true) }
        return SectionForm(section: section.rawValue, violenceForms: Choice.of(ViolenceForm.self, selected: forms),
                           relationships: Choice.of(Relationship.self, selected: [typed?.relationship?.rawValue ?? existing?.relationship ?? ""]),
                           riskFactors: Choice.of(RiskFactor.self, selected: factors), needs: Choice.of(Need.self, selected: needs),
                           notes: typed?.notes ?? existing?.notes ?? "", incidentDate: facts?.incidentDate.flatMap(RegistrationRules.parseBirthDate).map(BakuFormat.date) ?? "",
                           incidentDistrict: facts?.incidentDistrict ?? "", flags: flags)
    }

    static func decisionRows(_ d: CaseDetail.Decision, _ language: Language) -> [Row] {
        let services = d.services.map { Catalogue.shared.text("code.service.\($0)", language) }.joined(separator: ", ")
        return [Row(labelKey: "case.decision.needsRehabilitation", textKey: d.needsRehabilitation ? "case.page.yes" : "case.page.no"),
                Row(labelKey: "case.decision.riskLevel", textKey: d.riskLevel.messageKey),
                Row(labelKey: "case.decision.services", text: services.isEmpty ? "—" : services)]
            + (d.riskReason.map { [Row(labelKey: "case.decision.riskReason", text: $0)] } ?? [])
    }

    static func contactRows(_ c: SafeContact, _ language: Language) -> [Row] {
        let methods = c.methods.map { Catalogue.shared.text($0.messageKey, language) }.joined(separator: ", ")
        return [Row(labelKey: "case.decision.methods", text: methods.isEmpty ? "—" : methods),
            Row(labelKey: "case.decision.safeTimes", text: c.safeTimes ?? "—"),
            Row(labelKey: "case.decision.mayIdentifyAsDost", textKey: c.mayIdentifyAsDost ? "case.page.yes" : "case.page.no"),
            Row(labelKey: "case.decision.voicemailSafe", textKey: c.voicemailSafe ? "case.page.yes" : "case.page.no"),
            Row(labelKey: "case.decision.smsSafe", textKey: c.smsSafe ? "case.page.yes" : "case.page.no"),
            Row(labelKey: "case.decision.codeWord", text: c.codeWord ?? "—")]
    }

    static func signatureRows(_ d: CaseDetail.Decision?) -> [Row] {
        guard let d else { return [] }
        return [Row(labelKey: "code.section.legal", text: d.lawyerSignedAt.map(BakuFormat.dateTime), textKey: d.lawyerSignedAt == nil ? "case.decision.awaiting" : nil),
                Row(labelKey: "code.section.psychological", text: d.psychologistSignedAt.map(BakuFormat.dateTime), textKey: d.psychologistSignedAt == nil ? "case.decision.awaiting" : nil)]
    }

    /// The safe-contact record's yes/no answers, labelled `case.decision.<key>`.
    static func safeContactFlags(_ c: SafeContact?) -> [(String, Bool?)] {
        [("mayIdentifyAsDost", c?.mayIdentifyAsDost), ("voicemailSafe", c?.voicemailSafe), ("smsSafe", c?.smsSafe)]
    }

    static func decisionForm(_ d: CaseDetail.Decision?) -> DecisionForm {
        let c = d?.safeContact
        let flags = safeContactFlags(c).map { Choice(value: $0.0, labelKey: "case.decision.\($0.0)", selected: $0.1 == true) }
        return DecisionForm(services: Choice.of(Service.self, selected: d?.services.map(\.rawValue) ?? []),
                            riskLevels: Choice.of(RiskLevel.self, selected: [(d?.riskLevel ?? d?.screenedRiskLevel ?? .standard).rawValue]),
                            methods: Choice.of(SafeContact.Method.self, selected: c?.methods.map(\.rawValue) ?? []), contactFlags: flags,
                            needsRehabilitation: d?.needsRehabilitation ?? true, riskReason: d?.riskReason ?? "", safeTimes: c?.safeTimes ?? "", codeWord: c?.codeWord ?? "")
    }

    static func signable(_ d: CaseDetail.Decision?, _ section: AssessmentSection?, _ status: CaseStatus) -> Bool {
        guard let d, let section, status.isOpen else { return false }
        return section == .legal ? d.lawyerSignedAt == nil : d.psychologistSignedAt == nil
    }
}
