import Fluent
import Foundation
import PenahDomain
import Vapor

/// `/cases/{id}`: the whole case for the people working on it — identity (the view is audited),
/// documents, clocks, the joint interview (lawyer, psychologist, supervisor only), the decision
/// with its two signatures, and refusal. Each action posts a plain form and comes back here.
struct CasePage {
    struct Row: Encodable { let labelKey: String; var text: String? = nil; var textKey: String? = nil }
    struct DocumentRow: Encodable { let id: UUID; let kindKey: String; let size: String; let uploaded: String }
    struct SectionView: Encodable { let titleKey: String; let rows: [Row]; let notes: String? }
    struct SectionForm: Encodable {
        let section: String; let violenceForms, relationships, riskFactors, needs: [Choice]
        let notes: String; let incidentDate: String; let incidentDistrict: String; let flags: [Choice]
    }
    struct DecisionForm: Encodable { let services, riskLevels, methods, contactFlags: [Choice]; let needsRehabilitation: Bool; let riskReason, safeTimes, codeWord: String }

    struct Context: Encodable {
        let page: PageFrame
        let id: UUID
        let number: String
        let pseudonym: String
        let statusKey: String
        let eligible: Bool
        let identity: [Row]
        let applicant: [Row]
        let consent: [Row]
        let duplicates: [CaseRegistration.Duplicate]
        let clocks: [ClockLine]
        let documents: [DocumentRow]
        let actOutstanding: Bool
        let documentKinds: [Choice]
        let canUpload: Bool
        let seesInterview: Bool
        let sections: [SectionView]
        let screenedLevel: String?
        let sectionForm: SectionForm?
        let decision: [Row]?
        let safeContact: [Row]?
        let signatures: [Row]
        let inEffect: Bool
        let decisionForm: DecisionForm?
        let canSign: Bool
        let refusal: [Row]?
        let canRefuse: Bool
        let answerChannels: [Choice]
        let languages: [Choice]
        let problems: [ErrorPageContext.FieldLine]
        let police: PoliceSection?
        let placement: PlacementSection?
        let progress: [ProgressLine]
        /// The page's sections this reader has, for the in-page navigation.
        let contents: [SectionLink]
        let showsRefusal: Bool
        let responsible: ResponsibleSection
    }

    /// Who answers for the case, and for a supervisor the form that changes it (see `CaseAssigning`).
    struct ResponsibleSection: Encodable {
        let name: String?
        let options: [SelectOption]?
        let selected: String?

        static func of(caseID: UUID, status: CaseStatus, staff: StaffContext, db: any Database) async throws -> ResponsibleSection {
            guard let record = try await CaseRecord.find(caseID, on: db) else { throw Abort(.notFound) }
            let name = try await record.responsibleID.asyncMap { try await StaffUser.find($0, on: db)?.displayName } ?? nil
            guard AccessPolicy.allows(staff.role, .assignCase), status != .refused else { return ResponsibleSection(name: name, options: nil, selected: nil) }
            let options = try await CaseAssigning.candidates(unitID: record.$unit.id, on: db).map { user in
                SelectOption(value: user.id!.uuidString, labelKey: nil, label: user.displayName + " · " + Catalogue.shared.text(user.role.messageKey, .fallback))
            }
            return ResponsibleSection(name: name, options: options, selected: record.responsibleID?.uuidString)
        }
    }

    struct SectionLink: Encodable { let href: String; let labelKey: String }

    /// One step of the progress view (see `CaseProgress`), linked to its section on the page.
    struct ProgressLine: Encodable {
        let stepKey: String; let state: String; let stateKey: String; let who: String?; let whyKey: String?; let href: String

        init(_ line: CaseProgress.Line, href: String, _ language: Language) {
            stepKey = "progress.step.\(line.step.rawValue)"; state = line.state.rawValue; stateKey = "progress.state.\(line.state.rawValue)"
            who = line.actors.isEmpty ? nil : line.actors.map { Catalogue.shared.text($0.messageKey, language) }.joined(separator: ", ")
            whyKey = line.reason.map { "progress.why.\($0)" }; self.href = href
        }
    }

    /// Step 5 on the case: the request to SXA, its state and code, the thread, the override.
    struct PlacementSection: Encodable {
        struct Line: Encodable { let sideKey: String; let text: String; let at: String }
        let id: UUID?; let statusKey: String?; let submitted: String?; let due: String?; let decided: String?
        let code: String?; let validUntil: String?; let refusal: String?
        /// The shelter SXA approved her into, by name (never its address): DOST tells her where to go.
        var shelter: String?
        /// No request, and nothing this reader can do yet: the section says so instead of standing empty.
        var nothingYet = false
        let admitted: String?; let plannedEnd: String?; let discharged: String?; let outcomeKey: String?; let services: String?
        let thread: [Line]; let awaitsAnswer: Bool
        let canRequest: Bool; let actOutstanding: Bool; let canOverride: Bool
        let urgencies, access: [Choice]
    }

    /// Step 4 on the case: its notices, and what the reader may do about them.
    struct PoliceSection: Encodable {
        let notices: [NoticeLine]
        let canInform: Bool
        let canRetry: Bool
        let protocolOnFile: Bool
        let urgencies, prosecutions: [Choice]
    }

    @Sendable static func show(_ req: Request) async throws -> View {
        try await render(req, problems: [])
    }

    /// Runs a form posted from the case page: back to the case when it succeeds; field problems
    /// re-render the page with them listed (422).
    static func afterForm(_ req: Request, caseID: UUID?, sectionInput: AssessmentInput? = nil, done: DoneBanner,
                          _ action: () async throws -> Void) async throws -> Response {
        do {
            try await action()
            return req.redirect(to: SitePath.case(caseID?.uuidString ?? ""), done: done)
        } catch let validation as ValidationProblems {
            return try await render(req, problems: validation.problems, sectionInput: sectionInput, caseID: caseID)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    static func render(_ req: Request, problems: [FieldProblem], sectionInput: AssessmentInput? = nil, caseID: UUID? = nil) async throws -> View {
        let staff = try req.requireStaff()
        let detail = try await CaseDetail.load(caseID: caseID ?? req.parameters.get("caseID", as: UUID.self), staff: staff, actor: req.auditActor,
                                               on: req.db, vault: req.vault, standards: req.application.settings.standards)
        // What may happen next is the domain's answer, the same one the services give.
        guard let record = try await CaseRecord.find(detail.id, on: req.db) else { throw Abort(.notFound) }
        let facts = try await CaseFacts.load(record, on: req.db)
        let v = detail.victim
        let yes = "case.page.yes", no = "case.page.no"
        var identity: [Row] = [Row(labelKey: "case.form.lastName", text: v.lastName), Row(labelKey: "case.form.firstName", text: v.firstName)]
        if let p = v.patronymic { identity.append(Row(labelKey: "case.form.patronymic", text: p)) }
        identity += [Row(labelKey: "case.form.birthDate", text: BakuFormat.date(RegistrationRules.parseBirthDate(v.birthDate) ?? Date())),
                     Row(labelKey: "case.form.sex", textKey: "code.sex.\(v.sex.rawValue)"), Row(labelKey: "case.form.residence", textKey: "code.residence.\(v.residence.rawValue)"),
                     Row(labelKey: "case.form.fin", text: v.fin ?? "—"), Row(labelKey: "case.form.documentType", textKey: "code.documentType.\(v.documentType.rawValue)"),
                     Row(labelKey: "case.form.documentNumber", text: v.documentNumber),
                     Row(labelKey: "case.form.phone", text: v.phone.map { PhoneNumber($0)?.national ?? $0 } ?? "—"),
                     Row(labelKey: "case.form.address", text: v.address ?? "—"), Row(labelKey: "case.form.preferredLanguage",
                         text: v.preferredLanguage.map { CaseIntakePage.spokenLanguages.contains($0) ? Catalogue.shared.text("lang.name.\($0)", req.language) : $0 } ?? "—"),
                     Row(labelKey: "case.form.interpreterNeeded", textKey: v.interpreterNeeded ? yes : no)]
        var applicant = [Row(labelKey: "case.form.applicantKind", textKey: "code.applicant.\(detail.applicant.kind.rawValue)"),
                         Row(labelKey: "case.form.channel", textKey: "code.channel.\(detail.channel.rawValue)")]
        for (key, value) in [("case.form.applicantName", detail.applicant.name), ("case.form.applicantOrganisation", detail.applicant.organisation),
                             ("case.form.applicantRelationship", detail.applicant.relationship), ("case.form.authorityDocument", detail.applicant.authorityDocument)] {
            if let value { applicant.append(Row(labelKey: key, text: value)) }
        }
        var consent = [Row(labelKey: "case.form.consentServices", textKey: detail.consent.services ? yes : no),
                       Row(labelKey: "case.form.consentReferral", textKey: detail.consent.referral ? yes : no),
                       Row(labelKey: "case.form.consentCapturedAs", textKey: "code.consentCapture.\(detail.consent.capturedAs.rawValue)")]
        if let witness = detail.consent.witnessedBy { consent.append(Row(labelKey: "case.form.witnessedBy", text: witness)) }

        let status = detail.status
        let mySection = CaseRules.section(for: staff.role)
        let signedDecision = detail.decision?.inEffect == true
        let canAssess = mySection != nil && CaseRules.canAssess(status: status, eligible: detail.eligible) && !signedDecision
        let existingMine = detail.assessments?.first { $0.section == mySection }
        let bothSections = Set(detail.assessments?.map(\.section) ?? []) == Set(AssessmentSection.allCases)

        let police = try await policeSection(detail, facts: facts, staff: staff, db: req.db)
        var placement = placementSection(detail, facts: facts, staff: staff, language: req.language)
        if let section = placement { placement?.nothingYet = section.statusKey == nil && !section.canRequest && !section.canOverride }
        if placement?.statusKey != nil, AccessPolicy.allows(staff.role, .requestPlacement),
           let shelterID = try await PlacementOnCase.latest(caseID: detail.id, on: req.db)?.shelterID {
            placement?.shelter = try await Unit.find(shelterID, on: req.db)?.name
        }
        let canRefuse = AccessPolicy.allows(staff.role, .refuseCase) && CaseRules.canRefuse(status: status)
        let showsRefusal = canRefuse || detail.refusal != nil
        // A step links to its section, or to the nearest one this reader has.
        let anchors: [CaseProgress.Step: String] = [
            .registration: "#identity-h", .interview: detail.assessments != nil ? "#interview-h" : "#decision-h", .decision: "#decision-h",
            .police: police != nil ? "#police-h" : "#decision-h", .placement: placement != nil ? "#placement-h" : "#decision-h",
        ]
        let contents = [("#progress-h", "progress.heading"), ("#clocks-h", "case.page.clocks"), ("#responsible-h", "case.assign.heading"),
                        ("#identity-h", "case.page.identity"),
                        ("#docs-h", "case.doc.heading")]
            + (detail.assessments != nil ? [("#interview-h", "case.interview.heading")] : []) + [("#decision-h", "case.decision.heading")]
            + (police != nil ? [("#police-h", "notice.heading")] : []) + (placement != nil ? [("#placement-h", "placement.heading")] : [])
            + (showsRefusal ? [("#refusal-h", "case.refusal.heading")] : [])

        return try await req.view.render("case", Context(
            page: req.staffFrame(titleKey: "case.list.heading"), id: detail.id, number: detail.number, pseudonym: detail.pseudonym,
            statusKey: detail.status.messageKey, eligible: detail.eligible, identity: identity, applicant: applicant, consent: consent,
            duplicates: detail.duplicates, clocks: detail.clocks.map { ClockLine($0, req.language) },
            documents: detail.documents.map { DocumentRow(id: $0.id, kindKey: "code.documentKind.\($0.kind)", size: BakuFormat.number(Double($0.size) / 1024, fractionDigits: 1) + " KB", uploaded: BakuFormat.dateTime($0.uploadedAt)) },
            actOutstanding: detail.actOutstanding, documentKinds: Choice.of(DocumentKind.self, selected: []),
            canUpload: AccessPolicy.allows(staff.role, .uploadDocument) && status != .refused,
            seesInterview: detail.assessments != nil, sections: (detail.assessments ?? []).map { sectionView($0, req.language) },
            screenedLevel: detail.screenedRiskLevel.map { Catalogue.shared.text($0.messageKey, req.language) },
            sectionForm: canAssess ? sectionForm(mySection!, existing: existingMine, typed: sectionInput) : nil,
            decision: detail.decision.map { decisionRows($0, req.language) }, safeContact: detail.decision?.safeContact.map { contactRows($0, req.language) },
            signatures: signatureRows(detail.decision), inEffect: signedDecision,
            decisionForm: mySection != nil && bothSections && status.isOpen && !signedDecision ? decisionForm(detail.decision) : nil,
            canSign: signable(detail.decision, mySection, status),
            refusal: detail.refusal.map { [Row(labelKey: "case.refusal.heading", textKey: "case.refusal.ground"), Row(labelKey: "case.refusal.explanation", text: $0.explanation),
                                          Row(labelKey: "case.refusal.answeredVia", textKey: "code.answerChannel.\($0.answeredVia)")] },
            canRefuse: canRefuse,
            answerChannels: Choice.of(AnswerChannel.self, selected: [staff.role == .callCentre ? "callCentre" : "inPerson"]),
            languages: Language.allCases.map { Choice(value: $0.rawValue, labelKey: "lang.name.\($0.rawValue)", selected: $0.rawValue == (v.preferredLanguage ?? "az")) },
            problems: FormProblems.lines(problems, labelPrefixes: ["case.interview.", "case.decision.", "case.refusal.", "case.doc.", "notice.", "placement.form."]),
            police: police, placement: placement,
            progress: CaseProgress.of(facts).map { ProgressLine($0, href: anchors[$0.step] ?? "#decision-h", req.language) },
            contents: contents.map { SectionLink(href: $0.0, labelKey: $0.1) }, showsRefusal: showsRefusal,
            responsible: try await ResponsibleSection.of(caseID: detail.id, status: status, staff: staff, db: req.db)))
    }

    static func placementSection(_ detail: CaseDetail, facts: CaseFacts, staff: StaffContext, language: Language) -> PlacementSection? {
        guard AccessPolicy.allows(staff.role, .requestPlacement) || detail.placement != nil else { return nil }
        let p = detail.placement
        let decision = detail.decision
        let services = p.map { $0.servicesGiven.map { Catalogue.shared.text("code.service.\($0.rawValue)", language) }.joined(separator: ", ") }
        return PlacementSection(
            id: p?.id, statusKey: p.map { "code.placementStatus.\($0.status.rawValue)" }, submitted: p.map { BakuFormat.dateTime($0.submittedAt) },
            due: p.map { BakuFormat.dateTime($0.dueAt) }, decided: p?.decidedAt.map(BakuFormat.dateTime),
            code: p?.admissionCode, validUntil: p?.holdExpiresAt.map(BakuFormat.dateTime), refusal: p?.refusal,
            admitted: p?.admittedAt.map(BakuFormat.date), plannedEnd: p?.plannedEnd.map(BakuFormat.date), discharged: p?.dischargedAt.map(BakuFormat.date),
            outcomeKey: p?.dischargeReason.map { "code.dischargeReason.\($0)" }, services: services?.nilIfEmpty,
            thread: (p?.thread ?? []).map { PlacementSection.Line(sideKey: "placement.side.\($0.side)", text: $0.text, at: BakuFormat.dateTime($0.at)) },
            awaitsAnswer: p?.status == .question && AccessPolicy.allows(staff.role, .requestPlacement),
            canRequest: AccessPolicy.allows(staff.role, .requestPlacement) && CaseSteps.mayRequestPlacement(facts),
            actOutstanding: !CaseSteps.hasConfirmingAct(facts) && !facts.actOverridden && !(p?.emergencyOverride ?? false),
            canOverride: AccessPolicy.allows(staff.role, .overridePlacementAct) && CaseSteps.mayOverrideAct(facts),
            urgencies: Choice.of(NoticeUrgency.self, selected: [NoticeUrgency.effective(asked: .routine, risk: decision?.riskLevel).rawValue]),
            access: Choice.of(Accessibility.self, selected: []))
    }

    static func policeSection(_ detail: CaseDetail, facts: CaseFacts, staff: StaffContext, db: any Database) async throws -> PoliceSection? {
        guard AccessPolicy.allows(staff.role, .readNotice) else { return nil }
        let notices = try await NoticeRecord.query(on: db).filter(\.$caseID == detail.id).sort(\.$createdAt).all()
        let mayInform = AccessPolicy.allows(staff.role, .informPolice)
        return PoliceSection(notices: try await NoticeLine.lines(notices, on: db), canInform: mayInform && CaseSteps.mayInformPolice(facts),
                             canRetry: AccessPolicy.allows(staff.role, .retryNotice),
                             protocolOnFile: mayInform && CaseSteps.mayRecordPoliceAlreadyKnow(facts),
                             urgencies: Choice.of(NoticeUrgency.self, selected: [NoticeUrgency.effective(asked: .routine, risk: detail.decision?.riskLevel).rawValue]),
                             prosecutions: Choice.of(ProsecutionPosition.self, selected: ["undecided"]))
    }

}
