import Fluent
import Foundation
import PenahDomain
import Vapor

/// The shelter registry pages (admin, SXA; a shelter's staff see their own) and the shelter's own
/// pages: the door, where the admission code is entered, and its stays.
struct ShelterPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.shelters, use: registry).access(.action(.readShelters))
        routes.get(.shelterEdit, use: edit).access(.action(.manageShelters))
        routes.post(.shelterEdit, use: save).access(.action(.manageShelters))
        routes.get(.shelter, use: home).access(.action(.manageStay))
        routes.post(.shelterAdmissions, use: admit).access(.action(.admitToShelter))
        routes.post(.shelterDischarge, use: discharge).access(.action(.manageStay))
        routes.post(.shelterServices, use: services).access(.action(.manageStay))
    }

    struct Row: Encodable {
        let id: UUID; let name: String; let operatorKey: String; let accreditedTo: String?; let capacity, occupied, held, free: Int; let location: String?
        init(_ s: PlacementAPI.Shelter) {
            id = s.id; name = s.name; operatorKey = "code.shelterOperator.\(s.operatorCode)"; accreditedTo = s.accreditedTo
            capacity = s.capacity; occupied = s.occupied; held = s.held; free = s.free; location = s.location
        }
    }
    struct RegistryContext: Encodable { let page: PageFrame; let rows: [Row]; let canEdit: Bool }

    @Sendable func registry(_ req: Request) async throws -> View {
        let staff = try req.requireStaff()
        let rows = try await ShelterRegistry(db: req.db).list(for: staff).map { Row(PlacementAPI.Shelter($0)) }
        return try await req.view.render("shelters", RegistryContext(page: req.staffFrame(titleKey: "shelter.registry.heading"), rows: rows,
                                                                     canEdit: AccessPolicy.allows(staff.role, .manageShelters)))
    }

    struct EditContext: Encodable {
        let page: PageFrame; let shelter: PlacementAPI.Shelter; let operators: [Choice]; let access: [Choice]
        let languages: String; let showLocation: Bool; let problems: [ErrorPageContext.FieldLine]
    }

    @Sendable func edit(_ req: Request) async throws -> View { try await renderEdit(req, problems: []) }

    func renderEdit(_ req: Request, problems: [FieldProblem]) async throws -> View {
        let staff = try req.requireStaff()
        let registry = ShelterRegistry(db: req.db)
        let (unit, _) = try await registry.find(req.parameters.get("shelterID", as: UUID.self), for: staff, .manageShelters)
        let shelter = PlacementAPI.Shelter(try await registry.entry(unit, for: staff))
        return try await req.view.render("shelter-edit", EditContext(
            page: req.staffFrame(titleKey: "shelter.edit.heading"), shelter: shelter,
            operators: Choice.of(ShelterOperator.self, selected: [shelter.operatorCode]), access: Choice.of(Accessibility.self, selected: shelter.intake.accessible.map(\.rawValue)),
            languages: shelter.intake.languages.joined(separator: ", "), showLocation: ShelterRules.seesLocation(staff.role),
            problems: FormProblems.lines(problems, labelPrefixes: ["shelter.form."])))
    }

    @Sendable func save(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let id = req.parameters.get("shelterID", as: UUID.self)
        do {
            var problems: [FieldProblem] = []
            var intake = ShelterIntake()
            intake.takesWomen = CaseForms.flag(req, "takesWomen")
            intake.takesChildren = CaseForms.flag(req, "takesChildren")
            if let raw = req.formValue("boysMaxAge", limit: 4), !raw.isEmpty {
                if let age = Int(raw) { intake.boysMaxAge = age } else { problems.append(.init(field: "boysMaxAge", code: "invalidValue")) }
            }
            intake.accessible = CaseForms.codes(Accessibility.self, req, "accessible", problems: &problems)
            intake.languages = (req.formValue("languages", limit: 100) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            intake.district = (req.formValue("district", limit: 61) ?? "").trimmingCharacters(in: .whitespaces)
            guard let op = ShelterOperator(rawValue: req.formValue("operator", limit: 10) ?? "") else { throw ValidationProblems([.init(field: "operator", code: "invalidValue")]) }
            guard problems.isEmpty else { throw ValidationProblems(problems) }
            let registry = ShelterRegistry(db: req.db)
            let location = req.formValue("location", limit: 301)
            _ = try await registry.update(.init(operatorCode: op, accreditedFrom: req.formValue("accreditedFrom", limit: 20)?.nilIfEmpty,
                                                accreditedTo: req.formValue("accreditedTo", limit: 20)?.nilIfEmpty, intake: intake, location: location),
                                          shelterID: id, staff: staff, actor: req.auditActor)
            return req.redirect(to: SitePath.shelters(), done: .shelterSaved)
        } catch let validation as ValidationProblems {
            return try await renderEdit(req, problems: validation.problems).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    // MARK: the shelter's own pages

    struct HomeContext: Encodable {
        struct Stay: Encodable { let id: UUID; let pseudonym: String; let started: String; let plannedEnd: String; let services: String; let open: Bool; let outcomeKey: String? }
        let page: PageFrame; let unitCode: String; let name: String; let free: Int; let capacity: Int
        let admitted: PlacementAPI.Admitted?; let admittedLine: RequestLine?
        let stays: [Stay]; let reasons: [Choice]; let services: [Choice]; let problems: [ErrorPageContext.FieldLine]
    }

    private func shelter(_ req: Request, _ action: Action) async throws -> (Unit, ShelterProfile) {
        guard let unit = try await UnitService(db: req.db).find(code: req.parameters.get("unitCode") ?? "") else { throw Abort(.notFound) }
        return try await ShelterRegistry(db: req.db).find(unit.id, for: try req.requireStaff(), action)
    }

    @Sendable func home(_ req: Request) async throws -> View { try await renderHome(req, admitted: nil, problems: []) }

    func renderHome(_ req: Request, admitted: ShelterDoor.Admitted?, problems: [FieldProblem]) async throws -> View {
        let (unit, _) = try await shelter(req, .manageStay)
        let entry = try await ShelterRegistry(db: req.db).entry(unit)
        let stays = try await ShelterStay.query(on: req.db).filter(\.$shelterID == unit.id!).sort(\.$startedAt, .descending).limit(200).all()
        let language = req.language
        return try await req.view.render("shelter-home", HomeContext(
            page: req.staffFrame(titleKey: "shelter.home.heading"), unitCode: unit.code, name: unit.name, free: entry.free, capacity: entry.capacity,
            admitted: admitted.map { PlacementAPI.Admitted(stayId: $0.stayId, pseudonym: $0.pseudonym) },
            admittedLine: admitted.map { RequestLine($0.profile, language) },
            stays: stays.map { s in
                HomeContext.Stay(id: s.id!, pseudonym: s.pseudonym, started: BakuFormat.date(s.startedAt), plannedEnd: BakuFormat.date(s.plannedEnd),
                                 services: try Service.list(s.services).map { Catalogue.shared.text($0.messageKey, language) }.joined(separator: ", "),
                                 open: s.dischargedAt == nil, outcomeKey: s.dischargeReason.map { "code.dischargeReason.\($0)" })
            },
            reasons: Choice.of(DischargeReason.self, selected: []), services: Choice.of(Service.self, selected: []),
            problems: FormProblems.lines(problems, labelPrefixes: ["shelter.form."])))
    }

    @Sendable func admit(_ req: Request) async throws -> Response {
        let (unit, _) = try await shelter(req, .admitToShelter)
        do {
            let admitted = try await req.shelterDoor.admit(code: req.formValue("admissionCode", limit: 20) ?? "", shelterID: unit.id,
                                                           staff: try req.requireStaff(), actor: req.auditActor, address: req.auditActor.address)
            return try await renderHome(req, admitted: admitted, problems: []).encodeResponse(status: .created, for: req)
        } catch let validation as ValidationProblems {
            return try await renderHome(req, admitted: nil, problems: validation.problems).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable func discharge(_ req: Request) async throws -> Response {
        let (unit, _) = try await shelter(req, .manageStay)
        guard let reason = DischargeReason(rawValue: req.formValue("reason", limit: 40) ?? "") else {
            return try await renderHome(req, admitted: nil, problems: [.init(field: "reason", code: "invalidValue")]).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let stayID = req.parameters.get("stayID", as: UUID.self)
        if !Confirmation.given(req) {
            let stay = try await req.shelterDoor.stay(stayID, for: try req.requireStaff(), .manageStay)
            guard stay.dischargedAt == nil else { throw Abort(.conflict) }
            return try await Confirmation.ask(req, .init(headingKey: "confirm.discharge.heading", messageKey: "confirm.discharge.message",
                                                         what: stay.pseudonym, buttonKey: "stay.discharge", back: SitePath.shelter(unit.code),
                                                         fields: ["reason"]))
        }
        _ = try await req.shelterDoor.discharge(reason: reason, stayID: stayID, staff: try req.requireStaff(), actor: req.auditActor)
        return req.redirect(to: SitePath.shelter(unit.code), done: .discharged)
    }

    @Sendable func services(_ req: Request) async throws -> Response {
        let (unit, _) = try await shelter(req, .manageStay)
        var problems: [FieldProblem] = []
        let services = CaseForms.codes(Service.self, req, "services", problems: &problems)
        guard problems.isEmpty else { return try await renderHome(req, admitted: nil, problems: problems).encodeResponse(status: .unprocessableEntity, for: req) }
        _ = try await req.shelterDoor.recordServices(services, stayID: req.parameters.get("stayID", as: UUID.self), staff: try req.requireStaff(), actor: req.auditActor)
        return req.redirect(to: SitePath.shelter(unit.code), done: .servicesRecorded)
    }
}

extension PlacementAPI {
    /// What the door page shows after admission.
    struct Admitted: Encodable { let stayId: UUID; let pseudonym: String }
}
