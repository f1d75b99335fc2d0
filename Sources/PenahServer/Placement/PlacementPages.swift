import Fluent
import Foundation
import PenahDomain
import Vapor

/// SXA's pages (the inbox, one request with the shelters that fit, current stays) and the DOST
/// side's forms on the case page (request, override, answer) with the printable admission slip.
struct PlacementPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.sxaInbox, use: inbox).access(.action(.readPlacementInbox))
        routes.get(.sxaRequest, use: request).access(.action(.readPlacementInbox))
        routes.post(.sxaDecision, use: decide).access(.action(.decidePlacement))
        routes.post(.sxaQuestions, use: ask).access(.action(.decidePlacement))
        routes.get(.sxaStays, use: stays).access(.action(.readPlacementInbox))
        routes.post(.sxaStayExtension, use: extend).access(.action(.decidePlacement))
        routes.post(.casePlacement, use: submit).access(.action(.requestPlacement))
        routes.post(.casePlacementOverride, use: override).access(.action(.overridePlacementAct))
        routes.post(.casePlacementAnswer, use: answer).access(.action(.requestPlacement))
        routes.get(.admissionSlip, use: AdmissionSlip.render).access(.action(.requestPlacement))
    }

    // MARK: SXA

    struct InboxContext: Encodable { let page: PageFrame; let rows: [RequestLine] }

    @Sendable func inbox(_ req: Request) async throws -> View {
        let rows = try await SXAInbox(db: req.db).list(status: nil, limit: 200).map { RequestLine($0, req.language) }
        return try await req.view.render("sxa-inbox", InboxContext(page: req.staffFrame(titleKey: "placement.inbox.heading"), rows: rows))
    }

    struct RequestContext: Encodable {
        let page: PageFrame
        let line: RequestLine
        let shelters: [FitLine]
        let thread: [ThreadLine]
        let decidable: Bool
        let problems: [ErrorPageContext.FieldLine]
    }

    @Sendable func request(_ req: Request) async throws -> View { try await renderRequest(req, problems: []) }

    func renderRequest(_ req: Request, problems: [FieldProblem]) async throws -> View {
        let item = try await SXAInbox(db: req.db).item(req.parameters.get("requestID", as: UUID.self))
        let thread = try await PlacementThread(db: req.db, vault: req.vault).lines(of: item.request.id).map(ThreadLine.init)
        var page = req.staffFrame(titleKey: "placement.request.heading")
        if DoneBanner.named(in: req) == .approved, let shelterID = try await PlacementRequest.find(item.request.id, on: req.db)?.shelterID {
            page.doneWhat = try await Unit.find(shelterID, on: req.db)?.name
        }
        return try await req.view.render("sxa-request", RequestContext(
            page: page, line: RequestLine(item.request, req.language),
            shelters: item.shelters.map { FitLine(shelterId: $0.shelterId, name: $0.name, free: $0.free, fits: $0.fits, misfitKey: $0.misfit?.messageKey) },
            thread: thread, decidable: item.request.status.isDecidable,
            problems: FormProblems.lines(problems, labelPrefixes: ["placement.form."])))
    }

    private func backToRequest(_ req: Request, _ action: () async throws -> DoneBanner) async throws -> Response {
        do {
            let done = try await action()
            return req.redirect(to: SitePath.sxaRequest(req.parameters.get("requestID") ?? ""), done: done)
        } catch let validation as ValidationProblems {
            return try await renderRequest(req, problems: validation.problems).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable func decide(_ req: Request) async throws -> Response {
        try await backToRequest(req) {
            let input = SXADecisions.Input(decision: req.formValue("decision", limit: 20) ?? "",
                                           shelterId: req.formValue("shelterId", limit: 40).flatMap(UUID.init(uuidString:)),
                                           explanation: req.formValue("explanation", limit: 4_001))
            let decided = try await req.sxaDecisions.decide(input, requestID: req.parameters.get("requestID", as: UUID.self),
                                                            staff: try req.requireStaff(), actor: req.auditActor)
            return switch decided.status {
            case .approved: .approved
            case .refused: .placementRefused
            default: .placementWaiting
            }
        }
    }

    @Sendable func ask(_ req: Request) async throws -> Response {
        try await backToRequest(req) {
            try await req.sxaDecisions.ask(req.formValue("text", limit: 2_001) ?? "", requestID: req.parameters.get("requestID", as: UUID.self),
                                           staff: try req.requireStaff(), actor: req.auditActor)
            return .questionSent
        }
    }

    struct StaysContext: Encodable {
        struct Row: Encodable { let id: UUID; let pseudonym: String; let shelter: String; let started: String; let plannedEnd: String; let plannedEndInput: String }
        let page: PageFrame
        let rows: [Row]
    }

    @Sendable func stays(_ req: Request) async throws -> View {
        let stays = try await ShelterStay.query(on: req.db).filter(\.$dischargedAt == nil).sort(\.$plannedEnd).limit(500).all()
        let names = Dictionary(uniqueKeysWithValues: try await Unit.query(on: req.db).filter(\.$kind == .shelter).all().map { ($0.id!, $0.name) })
        let rows = stays.map { StaysContext.Row(id: $0.id!, pseudonym: $0.pseudonym, shelter: names[$0.shelterID] ?? "", started: BakuFormat.date($0.startedAt),
                                                plannedEnd: BakuFormat.date($0.plannedEnd), plannedEndInput: BakuFormat.date($0.plannedEnd.addingTimeInterval(90 * 86_400))) }
        return try await req.view.render("sxa-stays", StaysContext(page: req.staffFrame(titleKey: "placement.stays.heading"), rows: rows))
    }

    @Sendable func extend(_ req: Request) async throws -> Response {
        let typed = req.formValue("until", limit: 20) ?? ""
        guard let until = RegistrationRules.parseBirthDate(typed) else {
            throw ValidationProblems([.init(field: "until", code: RegistrationRules.dateProblem(typed))])
        }
        _ = try await req.shelterDoor.extend(until: until, stayID: req.parameters.get("stayID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        return req.redirect(to: SitePath.sxaStays(), done: .stayExtended)
    }

    // MARK: DOST, on the case page

    private func backToCase(_ req: Request, done: DoneBanner, _ action: () async throws -> Void) async throws -> Response {
        try await CasePage.afterForm(req, caseID: req.parameters.get("caseID", as: UUID.self), done: done, action)
    }

    @Sendable func submit(_ req: Request) async throws -> Response {
        try await backToCase(req, done: .placementRequested) {
            var problems: [FieldProblem] = []
            let urgency = NoticeUrgency(rawValue: req.formValue("urgency", limit: 20) ?? "")
            if urgency == nil { problems.append(.init(field: "urgency", code: "invalidValue")) }
            var children: [ChildProfile] = []
            let ages = req.formValues("childAge").prefix(13), sexes = req.formValues("childSex")
            for (i, raw) in ages.enumerated() where !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let age = Int(raw.trimmingCharacters(in: .whitespaces)), let sex = Sex(rawValue: i < sexes.count ? sexes[i] : "") else {
                    problems.append(.init(field: "children", code: "invalidValue")); continue
                }
                children.append(ChildProfile(age: age, sex: sex))
            }
            let access = CaseForms.codes(Accessibility.self, req, "accessibility", problems: &problems)
            // The earliest admission as a Baku date: midnight of that day, sent on as RFC 3339.
            var earliest: String?
            if let raw = req.formValue("earliestAdmission", limit: 20)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                if let day = RegistrationRules.parseBirthDate(raw) { earliest = ISO8601DateFormatter().string(from: day) }
                else { problems.append(.init(field: "earliestAdmission", code: RegistrationRules.dateProblem(raw))) }
            }
            guard problems.isEmpty, let urgency else { throw ValidationProblems(problems) }
            let regions = (req.formValue("avoidRegions", limit: 700) ?? "").split(separator: ",").map(String.init)
            let input = PlacementService.Input(urgency: urgency, children: children, language: req.formValue("language", limit: 9)?.nilIfEmpty,
                                               interpreterNeeded: CaseForms.flag(req, "interpreterNeeded"), accessibilityNeeds: access,
                                               earliestAdmission: earliest, avoidRegions: regions)
            _ = try await req.placements.submit(input, caseID: req.parameters.get("caseID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func override(_ req: Request) async throws -> Response {
        try await backToCase(req, done: .actOverridden) {
            try await req.placements.override(reason: req.formValue("reason", limit: 2_001) ?? "", caseID: req.parameters.get("caseID", as: UUID.self),
                                              staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func answer(_ req: Request) async throws -> Response {
        try await backToCase(req, done: .answerSent) {
            try await req.placements.answer(req.formValue("text", limit: 2_001) ?? "", requestID: req.parameters.get("requestID", as: UUID.self),
                                            staff: try req.requireStaff(), actor: req.auditActor)
        }
    }
}

/// A request as a line of an SXA page: the profile in words, the clock.
struct RequestLine: Encodable {
    let id: UUID; let pseudonym: String; let statusKey: String; let riskKey: String; let urgencyKey: String
    let sexKey: String; let ageKey: String; let children: String; let needs: String; let access: String; let avoid: String
    let language: String; let interpreter: Bool; let due: String; let overdue: Bool; let left: String?; let places: Int
    let emergencyOverride: Bool; let earliest: String?

    init(_ v: PlacementView, _ language: Language) {
        func text(_ key: String) -> String { Catalogue.shared.text(key, language) }
        id = v.id; pseudonym = v.pseudonym; statusKey = "code.placementStatus.\(v.status.rawValue)"; riskKey = v.riskLevel.messageKey
        urgencyKey = v.urgency.messageKey; sexKey = "code.sex.\(v.sex.rawValue)"; ageKey = "code.ageBand.\(v.ageBand)"
        children = v.children.isEmpty ? "—" : v.children.map { "\($0.age) (\(text("child.sex.\($0.sex.rawValue)")))" }.joined(separator: ", ")
        needs = v.needs.isEmpty ? "—" : v.needs.map { text("code.need.\($0.rawValue)") }.joined(separator: ", ")
        access = v.accessibilityNeeds.isEmpty ? "—" : v.accessibilityNeeds.map { text("code.accessibility.\($0.rawValue)") }.joined(separator: ", ")
        avoid = v.avoidRegions.isEmpty ? "—" : v.avoidRegions.joined(separator: ", ")
        self.language = v.language ?? "—"; interpreter = v.interpreterNeeded; due = BakuFormat.dateTime(v.dueAt); overdue = v.overdue
        left = v.secondsLeft.map { ClockSpan.text(seconds: $0, language) }; places = v.places; emergencyOverride = v.emergencyOverride
        earliest = v.earliestAdmission.map(BakuFormat.date)
    }
}

struct FitLine: Encodable { let shelterId: UUID; let name: String; let free: Int; let fits: Bool; let misfitKey: String? }

struct ThreadLine: Encodable {
    let sideKey: String; let text: String; let at: String
    init(_ line: PlacementThread.Line) { sideKey = "placement.side.\(line.side)"; text = line.text; at = BakuFormat.dateTime(line.at) }
}
