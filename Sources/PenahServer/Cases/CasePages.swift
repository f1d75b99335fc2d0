import Foundation
import PenahDomain
import Vapor

/// The case pages: worklist, registration, the case itself and its printables. Every action is a
/// plain form with the session's CSRF token that goes through the same services as the API and
/// comes back to the case page; a field problem re-renders the page with the problem named.
struct CasePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.cases, use: CaseListPage.render).access(.action(.readCase))
        routes.get(.caseNew, use: CaseIntakePage.show).access(.action(.registerCase))
        routes.post(.caseNew, use: CaseIntakePage.submit).access(.action(.registerCase))
        routes.get(.case, use: CasePage.show).access(.action(.readCase))
        // The CSRF check gathers a multipart body itself (up to 11 MB), so the route streams it.
        routes.on(.POST, SitePath.caseDocuments.components, body: .collect(maxSize: "11mb"), use: upload).access(.action(.uploadDocument))
        routes.get(.caseDocument, use: CaseAPI().download).access(.action(.readDocument))
        routes.post(.caseAssessment, use: assess).access(.action(.writeAssessment))
        routes.post(.caseDecision, use: draft).access(.action(.decideCase))
        routes.post(.caseDecisionSign, use: sign).access(.action(.decideCase))
        routes.post(.caseRefusal, use: refuse).access(.action(.refuseCase))
        routes.post(.caseAssignment, use: assign).access(.action(.assignCase))
        routes.get(.casePrint, use: CasePrint.render).access(.action(.readCase))
    }

    private func perform(_ req: Request, sectionInput: AssessmentInput? = nil, done: DoneBanner,
                         _ action: () async throws -> Void) async throws -> Response {
        try await CasePage.afterForm(req, caseID: req.parameters.get("caseID", as: UUID.self), sectionInput: sectionInput, done: done, action)
    }

    @Sendable func upload(_ req: Request) async throws -> Response {
        try await perform(req, done: .documentUploaded) {
            let kind = req.formValue("kind", limit: 40) ?? ""
            guard let file = try? req.content.get(File.self, at: "file") else {
                throw ValidationProblems([.init(field: "file", code: "required")])
            }
            _ = try await req.caseDocuments.upload(kind: kind, data: Data(buffer: file.data), caseID: req.parameters.get("caseID", as: UUID.self),
                                                   staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func assess(_ req: Request) async throws -> Response {
        let parsed = CaseForms.assessment(req)
        return try await perform(req, sectionInput: parsed.input, done: .sectionSaved) {
            guard parsed.problems.isEmpty, let input = parsed.input else { throw ValidationProblems(parsed.problems) }
            _ = try await req.caseInterview.saveSection(input, caseID: req.parameters.get("caseID", as: UUID.self),
                                                        staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func draft(_ req: Request) async throws -> Response {
        try await perform(req, done: .decisionDrafted) {
            let input = try CaseForms.decision(req)
            _ = try await req.caseInterview.draftDecision(input, caseID: req.parameters.get("caseID", as: UUID.self),
                                                          staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func sign(_ req: Request) async throws -> Response {
        try await perform(req, done: .decisionSigned) {
            _ = try await req.caseInterview.sign(caseID: req.parameters.get("caseID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func assign(_ req: Request) async throws -> Response {
        try await perform(req, done: .assigned) {
            _ = try await CaseAssigning(db: req.db).assign(caseID: req.parameters.get("caseID", as: UUID.self),
                                                           to: req.formValue("userId", limit: 40).flatMap(UUID.init(uuidString:)),
                                                           staff: try req.requireStaff(), actor: req.auditActor)
        }
    }

    @Sendable func refuse(_ req: Request) async throws -> Response {
        let caseID = req.parameters.get("caseID", as: UUID.self)
        // Irreversible: a refusal that would be accepted is asked about first.
        if !Confirmation.given(req), let input = try? CaseForms.refusal(req),
           (try? await CaseRefusal(db: req.db, vault: req.vault).check(input, caseID: caseID, staff: try req.requireStaff())) != nil {
            return try await Confirmation.ask(req, .init(headingKey: "confirm.refuse.heading", messageKey: "confirm.refuse.message",
                                                         buttonKey: "case.refusal.submit", back: SitePath.case(caseID?.uuidString ?? ""),
                                                         fields: ["explanation", "answeredVia", "language"]))
        }
        return try await perform(req, done: .refused) {
            let input = try CaseForms.refusal(req)
            try await CaseRefusal(db: req.db, vault: req.vault).refuse(input, caseID: req.parameters.get("caseID", as: UUID.self),
                                                                       staff: try req.requireStaff(), actor: req.auditActor)
        }
    }
}
