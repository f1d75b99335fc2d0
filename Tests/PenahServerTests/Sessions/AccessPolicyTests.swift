import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("One authorisation policy")
struct AccessPolicyTests {
    @Test("every route declares its access; none is left to chance")
    func everyRouteDeclared() async throws {
        try await withPenah { app in
            let undeclared = app.routes.all.filter { $0.declaredAccess == nil }.map(\.description)
            #expect(undeclared == [])
        }
    }

    @Test("admin and auditor have no action beyond administration and audit")
    func noCaseContentForAdminOrAuditor() {
        let allowedForAdmin: Set<Action> = [.staffHome, .signOut, .readApiDescription, .listUnits, .manageUnits, .manageUsers, .manageSessions, .viewMetrics,
                                            .readShelters, .manageShelters]
        // A case's access log says who touched it and when, never what it says (CONTRACT.md gives it to auditors).
        let allowedForAuditor: Set<Action> = [.staffHome, .signOut, .readApiDescription, .listUnits, .verifyAudit, .readAudit, .viewMetrics,
                                              .readCaseAccessLog]
        #expect(Set(AccessPolicy.table[.admin]!.keys).isSubset(of: allowedForAdmin))
        #expect(Set(AccessPolicy.table[.auditor]!.keys).isSubset(of: allowedForAuditor))
        #expect(!AccessPolicy.allows(.admin, .verifyAudit))
        #expect(!AccessPolicy.allows(.reception, .manageUsers))
    }

    /// Walks every route for every role and compares the outcome with the table: allowed → neither
    /// 401 nor 404; not allowed → 404. Each request gets a fresh session so sign-out routes do not
    /// disturb the others.
    @Test("every role × route outcome matches the table", arguments: Role.allCases)
    func walk(role: Role) async throws {
        try await withPenah { app in
            let staff = try await app.makeStaff(role == .lawEnforcementGateway ? .admin : role)
            if role == .lawEnforcementGateway {
                staff.user.role = role
                staff.user.isService = true
                try await staff.user.update(on: app.db)
            }
            let (caseID, documentID, noticeID) = try await caseWithDocument(in: Application.defaultUnit(for: role == .lawEnforcementGateway ? .admin : role), app)
            // A placement approved and admitted, so shelter, request and stay routes name real records.
            let placedCase = try await app.decidedCase()
            let requestID = try await app.placementRequest(caseID: placedCase)
            let code = try await app.approve(requestID, caseID: placedCase)
            let door = try await app.caller(.shelterStaff)
            let admitted = try await door.send(.POST, "/api/v1/shelters/\(try await app.shelterID())/admissions", ["admissionCode": code])
            let stayID = try #require(admitted.object["stayId"] as? String, "\(admitted.text)")
            for route in app.routes.all {
                guard case .action(let action) = route.declaredAccess else { continue }
                if route.streamsForever, AccessPolicy.allows(role, action) { continue }
                // Parameters name real records in the caller's own unit (a colleague's account, a
                // ticket), so "allowed" can be told apart from "not found".
                let unitCode = Application.defaultUnit(for: role == .lawEnforcementGateway ? .admin : role)
                let isTicketRoute = route.path.contains { $0.description == "tickets" }
                var parts: [String] = []
                for component in route.path {
                    switch component {
                    case .constant(let value): parts.append(value)
                    case .parameter("unitCode") where route.path.first?.description == "shelter": parts.append("SHELTER-SXA-1")
                    case .parameter("unitCode"): parts.append(unitCode)
                    case .parameter("desk"): parts.append("1")
                    case .parameter("action"): parts.append("recall")
                    case .parameter("code"): parts.append("BAKU-2")
                    case .parameter("caseID"): parts.append(caseID)
                    case .parameter("documentID"): parts.append(documentID)
                    case .parameter("document"): parts.append("application")
                    case .parameter("noticeID"): parts.append(noticeID)
                    case .parameter("shelterID"): parts.append(try await app.shelterID().uuidString)
                    case .parameter("requestID"): parts.append(requestID.uuidString)
                    case .parameter("stayID"): parts.append(stayID)
                    case .parameter("notificationID"):
                        let own = StaffNotification()
                        own.id = UUID(); own.userID = try staff.user.requireID(); own.kind = .sxaQuestion
                        own.label = "BAKU-1-2026-000001"; own.link = "/staff"; own.createdAt = Date()
                        try await own.create(on: app.db)
                        parts.append(own.id!.uuidString)
                    case .parameter where isTicketRoute: parts.append(try await ticket(in: unitCode, app))
                    case .parameter: parts.append(try await app.makeStaff(.reception).user.requireID().uuidString)
                    case .anything, .catchall: parts.append("x")
                    }
                }
                let path = "/" + parts.joined(separator: "/")
                var headers: HTTPHeaders
                let isAPI = path.hasPrefix("/api/") || path == "/metrics"
                var body: ByteBuffer?
                if isAPI {
                    headers = .bearer(try await app.token(for: staff))
                    headers.add(name: .contentType, value: "application/json")
                    body = ByteBuffer(string: "{}")
                } else {
                    let session = try await app.webSession(for: staff)
                    headers = .session(session.cookie)
                    headers.add(name: .contentType, value: "application/x-www-form-urlencoded")
                    body = formBody([("csrf", session.csrf)])
                }
                let response = try await app.send(route.method, path, headers: headers, body: body)
                let label = "\(role) \(route.method) \(path)"
                if AccessPolicy.allows(role, action) {
                    #expect(response.status != .notFound && response.status != .unauthorized, "\(label) → \(response.status)")
                } else {
                    #expect(response.status == .notFound, "\(label) → \(response.status)")
                }
                #expect(response.status != .internalServerError, "\(label) \(response.body.string.prefix(300))")
            }
        }
    }

    /// A waiting ticket in the unit, or a random id where the unit has no queue.
    func ticket(in unitCode: String, _ app: Application) async throws -> String {
        guard let unit = try await UnitService(db: app.db).find(code: unitCode), unit.kind.servesVisitors else {
            return UUID().uuidString
        }
        return try await app.queue.issue(unit: unit, priority: .standard, actor: .system("t"))
            .requireID().uuidString
    }

    /// A case with a document and a notice in the unit (or in BAKU-1 where the unit takes no cases).
    func caseWithDocument(in unitCode: String, _ app: Application) async throws -> (String, String, String) {
        let unit = try await UnitService(db: app.db).find(code: unitCode)
        let home = unit?.kind.servesVisitors == true || unit?.kind == .hq ? unitCode : "BAKU-1"
        let reception = try await app.makeStaff(.reception, unit: home)
        let context = StaffContext(userID: try reception.user.requireID(), username: reception.username, displayName: "t", role: .reception,
                                   unitCode: home, unitName: home, session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil))
        let input = try JSONDecoder().decode(RegistrationInput.self, from: JSONSerialization.data(withJSONObject: sampleApplication(fin: nil, phone: nil)))
        let registered = try await CaseRegistration(db: app.db, vault: app.vault()).register(input, staff: context, actor: .system("t"))
        let documents = CaseDocuments(db: app.db, vault: app.vault(), directory: app.settings.dataDirectory.appendingPathComponent("documents"))
        let document = try await documents.upload(kind: "policeProtocol", data: Data("%PDF-1.4 test".utf8), caseID: registered.id,
                                                  staff: context, actor: .system("t"))
        let lawyer = try await app.makeStaff(.lawyer, unit: home)
        let lawyerContext = StaffContext(userID: try lawyer.user.requireID(), username: lawyer.username, displayName: "t", role: .lawyer,
                                         unitCode: home, unitName: home, session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil))
        let section = try JSONDecoder().decode(AssessmentInput.self, from: JSONSerialization.data(withJSONObject: Application.section("legal")))
        _ = try await CaseInterview(db: app.db, vault: app.vault()).saveSection(section, caseID: registered.id, staff: lawyerContext, actor: .system("t"))
        let notice = try await NoticeService(db: app.db, vault: app.vault(), settings: app.settings)
            .create(.init(urgency: .routine), caseID: registered.id, staff: lawyerContext, actor: .system("t"))
        return (registered.id.uuidString, try document.requireID().uuidString, try notice.requireID().uuidString)
    }

    @Test("without credentials: API routes say 401, pages send to sign-in")
    func anonymous() async throws {
        try await withPenah { app in
            for route in app.routes.all {
                guard case .action = route.declaredAccess else { continue }
                let path = "/" + route.path.map { if case .constant(let v) = $0 { v } else { UUID().uuidString } }.joined(separator: "/")
                let response = try await app.send(route.method, path)
                if path.hasPrefix("/api/") {
                    #expect(response.status == .unauthorized, "\(path)")
                } else if route.method == .GET {
                    #expect(response.status == .seeOther && response.headers.first(name: .location) == "/login", "\(path)")
                } else {
                    #expect(response.status == .forbidden, "\(path): unsafe request without a CSRF token")
                }
            }
        }
    }
}
