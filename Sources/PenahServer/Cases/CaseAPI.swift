import Fluent
import Foundation
import PenahDomain
import Vapor

/// The case API (CONTRACT.md, "Cases"). Handlers parse, call the case services, and answer.
struct CaseAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let cases = routes.grouped("api", "v1", "cases")
        cases.grouped(IdempotencyMiddleware()).post(use: register).access(.action(.registerCase))
        cases.get(use: list).access(.action(.readCase))
        let one = cases.grouped(":caseID")
        one.get(use: detail).access(.action(.readCase))
        one.on(.POST, "documents", body: .collect(maxSize: "11mb"), use: upload).access(.action(.uploadDocument))
        one.get("documents", ":documentID", use: download).access(.action(.readDocument))
        one.post("assessments", use: assess).access(.action(.writeAssessment))
        one.post("decision", use: draft).access(.action(.decideCase))
        one.post("decision", "sign", use: sign).access(.action(.decideCase))
        one.post("refusal", use: refuse).access(.action(.refuseCase))
        one.get("access-log", use: accessLog).access(.action(.readCaseAccessLog))
        one.post("assignment", use: assign).access(.action(.assignCase))
    }

    struct AssignmentInput: Decodable { let userId: UUID? }

    /// `POST /api/v1/cases/{id}/assignment {userId}`: the supervisor sets the responsible worker.
    @Sendable func assign(_ req: Request) async throws -> CaseAssigning.Assigned {
        let input = try req.decodeJSON(AssignmentInput.self)
        return try await CaseAssigning(db: req.db).assign(caseID: req.parameters.get("caseID", as: UUID.self), to: input.userId,
                                                          staff: try req.requireStaff(), actor: req.auditActor)
    }

    @Sendable func register(_ req: Request) async throws -> Response {
        let input = try req.decodeJSON(RegistrationInput.self)
        let registered = try await CaseRegistration(db: req.db, vault: req.vault).register(input, staff: try req.requireStaff(), actor: req.auditActor)
        return try await registered.encodeResponse(status: .created, for: req)
    }

    @Sendable func list(_ req: Request) async throws -> CaseList.Page {
        var query = CaseList.Query()
        if let status = req.query[String.self, at: "status"], !status.isEmpty {
            guard let parsed = CaseStatus(rawValue: status) else { throw ValidationProblems([.init(field: "status", code: "invalidValue")]) }
            query.status = parsed
        }
        query.text = req.query[String.self, at: "q"]
        query.mine = req.query[String.self, at: "mine"] == "true"
        query.overdue = req.query[String.self, at: "overdue"] == "true"
        query.cursor = req.query[String.self, at: "cursor"]
        if let limit = req.query[String.self, at: "limit"] {
            guard let parsed = Int(limit), (1...200).contains(parsed) else { throw ValidationProblems([.init(field: "limit", code: "outOfRange")]) }
            query.limit = parsed
        }
        return try await req.caseList.list(query, staff: try req.requireStaff(), actor: req.auditActor)
    }

    @Sendable func detail(_ req: Request) async throws -> CaseDetail {
        try await CaseDetail.load(caseID: req.parameters.get("caseID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor,
                                  on: req.db, vault: req.vault, standards: req.application.settings.standards)
    }

    struct Upload: Content { var kind: String; var file: File }
    struct Uploaded: Content { let id: UUID; let kind: String; let sha256: String; let size: Int }

    @Sendable func upload(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        guard req.headers.contentType?.type == "multipart" else { throw Abort(.unsupportedMediaType) }
        let upload: Upload
        do { upload = try req.content.decode(Upload.self) } catch { throw Abort(.badRequest) }
        let document = try await req.caseDocuments.upload(kind: upload.kind, data: Data(buffer: upload.file.data), caseID: req.parameters.get("caseID", as: UUID.self),
                                                          staff: staff, actor: req.auditActor)
        return try await Uploaded(id: document.id!, kind: document.kind.rawValue, sha256: document.sha256, size: document.size)
            .encodeResponse(status: .created, for: req)
    }

    @Sendable func download(_ req: Request) async throws -> Response {
        let (document, data) = try await req.caseDocuments.download(documentID: req.parameters.get("documentID", as: UUID.self),
                                                                   caseID: req.parameters.get("caseID", as: UUID.self),
                                                                   staff: try req.requireStaff(), actor: req.auditActor)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.replaceOrAdd(name: .contentType, value: document.contentType)
        // Always a download, never rendered inline in the application's origin.
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(document.kind.rawValue)-\(document.id!.uuidString.prefix(8)).\(Self.fileExtension(document.contentType))\"")
        return response
    }

    static func fileExtension(_ contentType: String) -> String {
        switch contentType { case "application/pdf": "pdf"; case "image/png": "png"; default: "jpg" }
    }

    struct SectionSaved: Content { let section: String; let updatedAt: Date }

    @Sendable func assess(_ req: Request) async throws -> SectionSaved {
        let input = try req.decodeJSON(AssessmentInput.self)
        let saved = try await req.caseInterview.saveSection(input, caseID: req.parameters.get("caseID", as: UUID.self),
                                                            staff: try req.requireStaff(), actor: req.auditActor)
        return SectionSaved(section: saved.section.rawValue, updatedAt: saved.updatedAt)
    }

    struct DecisionState: Content {
        let needsRehabilitation: Bool; let services: [String]; let riskLevel: RiskLevel; let screenedRiskLevel: RiskLevel
        let lawyerSignedAt: Date?; let psychologistSignedAt: Date?; let inEffect: Bool
        init(_ d: CaseDecision) throws {
            needsRehabilitation = d.needsRehabilitation; services = try Service.list(d.services).map(\.rawValue); riskLevel = d.riskLevel
            screenedRiskLevel = d.screenedLevel; lawyerSignedAt = d.lawyerSignedAt; psychologistSignedAt = d.psychologistSignedAt; inEffect = d.isSigned
        }
    }

    @Sendable func draft(_ req: Request) async throws -> DecisionState {
        let input = try req.decodeJSON(DecisionInput.self)
        return try DecisionState(try await req.caseInterview.draftDecision(input, caseID: req.parameters.get("caseID", as: UUID.self),
                                                                       staff: try req.requireStaff(), actor: req.auditActor))
    }

    @Sendable func sign(_ req: Request) async throws -> DecisionState {
        try DecisionState(try await req.caseInterview.sign(caseID: req.parameters.get("caseID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor))
    }

    struct Refused: Content { let status: String; let ground: String }

    @Sendable func refuse(_ req: Request) async throws -> Refused {
        let input = try req.decodeJSON(CaseRefusal.Input.self)
        try await CaseRefusal(db: req.db, vault: req.vault).refuse(input, caseID: req.parameters.get("caseID", as: UUID.self),
                                                                   staff: try req.requireStaff(), actor: req.auditActor)
        return Refused(status: CaseStatus.refused.rawValue, ground: CaseRefusal.ground)
    }

    struct AccessEntry: Content { let at: Date; let action: String; let role: String; let unitCode: String; let userId: UUID? }
    struct AccessLog: Content { let items: [AccessEntry] }

    /// Who read or changed the case, when, as which role (supervisors and auditors).
    @Sendable func accessLog(_ req: Request) async throws -> AccessLog {
        let (record, _) = try await CaseScope.find(req.parameters.get("caseID", as: UUID.self), for: try req.requireStaff(), .readCaseAccessLog, on: req.db)
        let events = try await AuditEvent.query(on: req.db).filter(\.$recordType == "case").filter(\.$recordID == record.id!.uuidString)
            .sort(\.$occurredMs).limit(1_000).all()
        return AccessLog(items: events.map {
            AccessEntry(at: Date(timeIntervalSince1970: Double($0.occurredMs) / 1000), action: $0.action, role: $0.actorRole,
                        unitCode: $0.unitCode, userId: $0.actorID)
        })
    }
}

extension Request {
    var caseInterview: CaseInterview { CaseInterview(db: db, vault: vault) }
    var caseList: CaseList { CaseList(db: db, vault: vault, standards: application.settings.standards) }
}
