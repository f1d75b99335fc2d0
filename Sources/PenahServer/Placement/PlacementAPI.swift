import Fluent
import Foundation
import PenahDomain
import Vapor

/// CONTRACT.md "Placement (anonymous)" and "Units and shelters", plus the question thread, the
/// override, stays' services and extensions. Nothing an SXA officer or shelter staff can read here
/// carries identity: their answers are built from `PlacementView` and `ShelterRegistry.Entry`.
struct PlacementAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("shelters", use: shelters).access(.action(.readShelters))
        api.post("shelters", ":shelterID", use: updateShelter).access(.action(.manageShelters))
        api.post("shelters", ":shelterID", "admissions", use: admit).access(.action(.admitToShelter))
        api.get("shelters", ":shelterID", "stays", use: stays).access(.action(.manageStay))
        let fromCase = api.grouped("cases", ":caseID")
        fromCase.grouped(IdempotencyMiddleware()).post("placement-requests", use: submit).access(.action(.requestPlacement))
        fromCase.post("placement-override", use: override).access(.action(.overridePlacementAct))
        let requests = api.grouped("placement-requests")
        requests.get(use: inbox).access(.action(.readPlacementInbox))
        requests.get(":requestID", use: show).access(.action(.readPlacementInbox))
        requests.post(":requestID", "decision", use: decide).access(.action(.decidePlacement))
        requests.post(":requestID", "questions", use: ask).access(.action(.decidePlacement))
        requests.post(":requestID", "answers", use: answer).access(.action(.requestPlacement))
        let stay = api.grouped("stays", ":stayID")
        stay.post("discharge", use: discharge).access(.action(.manageStay))
        stay.post("services", use: services).access(.action(.manageStay))
        stay.post("extension", use: extend).access(.action(.decidePlacement))
    }

    struct Shelter: Content {
        let id: UUID; let unitCode: String; let name: String; let capacity: Int; let occupied: Int; let held: Int; let free: Int
        let operatorCode: String; let accreditedFrom: String?; let accreditedTo: String?; let intake: ShelterIntake
        /// Only for SXA and the shelter's own staff (`ShelterRules.seesLocation`, applied by the registry).
        let location: String?

        init(_ e: ShelterRegistry.Entry) {
            id = e.id; unitCode = e.unitCode; name = e.name; capacity = e.capacity; occupied = e.occupied; held = e.held; free = e.free
            operatorCode = e.operatorCode; accreditedFrom = e.accreditedFrom; accreditedTo = e.accreditedTo; intake = e.intake
            location = e.location
        }
    }
    struct Shelters: Content { let items: [Shelter] }

    @Sendable func shelters(_ req: Request) async throws -> Shelters {
        let staff = try req.requireStaff()
        return Shelters(items: try await ShelterRegistry(db: req.db).list(for: staff).map(Shelter.init))
    }

    @Sendable func updateShelter(_ req: Request) async throws -> Shelter {
        let staff = try req.requireStaff()
        let input = try req.decodeJSON(ShelterRegistry.ProfileInput.self)
        let entry = try await ShelterRegistry(db: req.db).update(input, shelterID: req.parameters.get("shelterID", as: UUID.self), staff: staff, actor: req.auditActor)
        return Shelter(entry)
    }

    struct Submitted: Content { let id: UUID; let pseudonym: String; let status: String; let dueAt: Date }

    @Sendable func submit(_ req: Request) async throws -> Response {
        let input = try req.decodeJSON(PlacementService.Input.self)
        let request = try await req.placements.submit(input, caseID: req.parameters.get("caseID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        return try await Submitted(id: request.id!, pseudonym: request.pseudonym, status: request.status.rawValue, dueAt: request.dueAt)
            .encodeResponse(status: .created, for: req)
    }

    struct Reason: Content { var reason: String }

    @Sendable func override(_ req: Request) async throws -> HTTPStatus {
        let input = try req.decodeJSON(Reason.self)
        try await req.placements.override(reason: input.reason, caseID: req.parameters.get("caseID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        return .created
    }

    @Sendable func inbox(_ req: Request) async throws -> SXAInbox.Page {
        var status: PlacementStatus?
        if let raw = req.query[String.self, at: "status"], !raw.isEmpty {
            guard let parsed = PlacementStatus(rawValue: raw) else { throw ValidationProblems([.init(field: "status", code: "invalidValue")]) }
            status = parsed
        }
        var limit = 50
        if let raw = req.query[String.self, at: "limit"] {
            guard let parsed = Int(raw), (1...200).contains(parsed) else { throw ValidationProblems([.init(field: "limit", code: "outOfRange")]) }
            limit = parsed
        }
        return SXAInbox.Page(items: try await SXAInbox(db: req.db).list(status: status, limit: limit), nextCursor: nil)
    }

    struct Detail: Content { let request: PlacementView; let shelters: [SXAInbox.Fit]; let thread: [PlacementThread.Line] }

    @Sendable func show(_ req: Request) async throws -> Detail {
        let item = try await SXAInbox(db: req.db).item(req.parameters.get("requestID", as: UUID.self))
        return Detail(request: item.request, shelters: item.shelters, thread: try await PlacementThread(db: req.db, vault: req.vault).lines(of: item.request.id))
    }

    @Sendable func decide(_ req: Request) async throws -> PlacementView {
        let input = try req.decodeJSON(SXADecisions.Input.self)
        return try PlacementView(try await req.sxaDecisions.decide(input, requestID: req.parameters.get("requestID", as: UUID.self),
                                                               staff: try req.requireStaff(), actor: req.auditActor))
    }

    struct Text: Content { var text: String }

    @Sendable func ask(_ req: Request) async throws -> HTTPStatus {
        let input = try req.decodeJSON(Text.self)
        try await req.sxaDecisions.ask(input.text, requestID: req.parameters.get("requestID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        return .created
    }

    @Sendable func answer(_ req: Request) async throws -> HTTPStatus {
        let input = try req.decodeJSON(Text.self)
        try await req.placements.answer(input.text, requestID: req.parameters.get("requestID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        return .created
    }

    struct Code: Content { var admissionCode: String }

    @Sendable func admit(_ req: Request) async throws -> Response {
        let input = try req.decodeJSON(Code.self)
        let admitted = try await req.shelterDoor.admit(code: input.admissionCode, shelterID: req.parameters.get("shelterID", as: UUID.self),
                                                       staff: try req.requireStaff(), actor: req.auditActor, address: req.auditActor.address)
        return try await admitted.encodeResponse(status: .created, for: req)
    }

    struct StayView: Content {
        let id: UUID; let pseudonym: String; let startedAt: Date; let plannedEnd: Date; let dischargedAt: Date?; let dischargeReason: String?
        let services: [String]
        init(_ s: ShelterStay) throws {
            id = s.id!; pseudonym = s.pseudonym; startedAt = s.startedAt; plannedEnd = s.plannedEnd; dischargedAt = s.dischargedAt
            dischargeReason = s.dischargeReason; services = try Service.list(s.services).map(\.rawValue)
        }
    }
    struct Stays: Content { let items: [StayView] }

    @Sendable func stays(_ req: Request) async throws -> Stays {
        let (shelter, _) = try await ShelterRegistry(db: req.db).find(req.parameters.get("shelterID", as: UUID.self), for: try req.requireStaff(), .manageStay)
        let rows = try await ShelterStay.query(on: req.db).filter(\.$shelterID == shelter.id!).sort(\.$startedAt, .descending).limit(200).all()
        return Stays(items: try rows.map(StayView.init))
    }

    struct Discharge: Content { var reason: DischargeReason }

    @Sendable func discharge(_ req: Request) async throws -> StayView {
        let input = try req.decodeJSON(Discharge.self)
        return try StayView(try await req.shelterDoor.discharge(reason: input.reason, stayID: req.parameters.get("stayID", as: UUID.self),
                                                            staff: try req.requireStaff(), actor: req.auditActor))
    }

    struct Services: Content { var services: [Service] }

    @Sendable func services(_ req: Request) async throws -> StayView {
        let input = try req.decodeJSON(Services.self)
        return try StayView(try await req.shelterDoor.recordServices(input.services, stayID: req.parameters.get("stayID", as: UUID.self),
                                                                 staff: try req.requireStaff(), actor: req.auditActor))
    }

    struct Extension: Content { var until: String }

    @Sendable func extend(_ req: Request) async throws -> StayView {
        let input = try req.decodeJSON(Extension.self)
        guard let until = RFC3339.parse(input.until) ?? RegistrationRules.parseBirthDate(input.until) else {
            throw ValidationProblems([.init(field: "until", code: "invalidValue")])
        }
        return try StayView(try await req.shelterDoor.extend(until: until, stayID: req.parameters.get("stayID", as: UUID.self),
                                                         staff: try req.requireStaff(), actor: req.auditActor))
    }
}

extension Request {
    var placements: PlacementService { PlacementService(db: db, vault: vault, settings: application.settings) }
    var sxaDecisions: SXADecisions { SXADecisions(db: db, vault: vault, settings: application.settings) }
    var shelterDoor: ShelterDoor { ShelterDoor(db: db, vault: vault, settings: application.settings) }
}
