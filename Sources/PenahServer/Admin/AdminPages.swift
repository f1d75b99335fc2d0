import PenahDomain
import Vapor

/// Admin pages: accounts (`/admin/users`) and units (`/admin/units`). No case content is reachable
/// from here.
struct AdminPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("users", use: users).access(.action(.manageUsers))
        admin.post("users", use: invite).access(.action(.manageUsers))
        admin.post("users", ":id", "disable", use: { try await change($0) { a, id, actor in try await a.setActive(id, false, actor: actor); return nil } })
            .access(.action(.manageUsers))
        admin.post("users", ":id", "enable", use: { try await change($0) { a, id, actor in try await a.setActive(id, true, actor: actor); return nil } })
            .access(.action(.manageUsers))
        admin.post("users", ":id", "reset-second-factor", use: { try await change($0) { a, id, actor in try await a.resetSecondFactor(id, actor: actor) } })
            .access(.action(.manageUsers))
        admin.post("users", ":id", "end-sessions", use: { try await change($0) { a, id, actor in try await a.endSessions(id, actor: actor); return nil } })
            .access(.action(.manageSessions))
        admin.get("users", ":id", use: editForm).access(.action(.manageUsers))
        admin.post("users", ":id", use: saveEdit).access(.action(.manageUsers))
        admin.get("units", use: units).access(.action(.manageUnits))
        admin.post("units", use: createUnit).access(.action(.manageUnits))
    }

    struct Option: Encodable { let value: String; let labelKey: String?; let label: String? }

    struct UsersContext: Encodable {
        let page: PageFrame
        let users: [StaffAdministration.Row]
        let roles: [Option]
        let units: [Option]
        var problems: [ErrorPageContext.FieldLine] = []
        var issuedCode: String?
        var issuedFor: String?
        var form: [String: String] = [:]
    }

    struct InviteForm: Content {
        var username: String?
        var displayName: String?
        var role: String?
        var unit: String?
    }

    @Sendable func users(_ req: Request) async throws -> Response {
        try await renderUsers(req, status: .ok)
    }

    @Sendable func invite(_ req: Request) async throws -> Response {
        let form = (try? req.content.decode(InviteForm.self)) ?? InviteForm()
        let enrolment = Enrolment(db: req.db, masterKey: req.application.masterKey, hasher: req.application.bcrypt)
        guard let role = form.role.flatMap(Role.init(rawValue:)), !role.isServiceRole else {
            return try await renderUsers(req, status: .unprocessableEntity, problems: [.init(field: "role", code: "required")], form: form)
        }
        do {
            let (user, code) = try await enrolment.invite(username: form.username ?? "", displayName: form.displayName,
                                                          role: role, unitCode: form.unit ?? "", actor: req.auditActor)
            return try await renderUsers(req, status: .created, issued: (code, user.username))
        } catch let validation as ValidationProblems {
            return try await renderUsers(req, status: .unprocessableEntity, problems: validation.problems, form: form)
        }
    }

    /// Runs an account change; a returned code (second-factor reset) is shown once.
    private func change(_ req: Request, _ action: (StaffAdministration, UUID, AuditActor) async throws -> String?) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let code = try await action(StaffAdministration(db: req.db), id, req.auditActor)
        if let code {
            let username = try await StaffUser.find(id, on: req.db)?.username
            return try await renderUsers(req, status: .ok, issued: (code, username ?? ""))
        }
        return req.redirect(to: "/admin/users", redirectType: .normal)
    }

    private func renderUsers(_ req: Request, status: HTTPStatus, problems: [FieldProblem] = [],
                             issued: (String, String)? = nil, form: InviteForm? = nil) async throws -> Response {
        let unitList = try await UnitService(db: req.db).list()
        var context = UsersContext(
            page: req.staffFrame(titleKey: "admin.users.heading"),
            users: try await StaffAdministration(db: req.db).list(),
            roles: Role.staffRoles.map { Option(value: $0.rawValue, labelKey: $0.messageKey, label: nil) },
            units: unitList.map { Option(value: $0.code, labelKey: nil, label: "\($0.name) (\($0.code))") })
        context.problems = problems.map { .init(field: $0.field, messageKey: $0.messageKey) }
        context.issuedCode = issued?.0
        context.issuedFor = issued?.1
        if let form {
            context.form = ["username": form.username ?? "", "displayName": form.displayName ?? "",
                            "role": form.role ?? "", "unit": form.unit ?? ""].mapValues { String($0.prefix(200)) }
        }
        return try await req.view.render("admin-users", context).encodeResponse(status: status, for: req)
    }

    // MARK: editing an account

    struct EditContext: Encodable {
        let page: PageFrame
        let id: UUID
        let username: String
        let roles: [Option]
        let units: [Option]
        var form: [String: String]
        var problems: [ErrorPageContext.FieldLine] = []
    }

    @Sendable func editForm(_ req: Request) async throws -> Response {
        let user = try await editableUser(req)
        let unitCode = try await user.$unit.get(on: req.db).code
        return try await renderEdit(req, user, form: ["displayName": user.displayName, "role": user.roleCode, "unit": unitCode],
                                    problems: [], status: .ok)
    }

    @Sendable func saveEdit(_ req: Request) async throws -> Response {
        let user = try await editableUser(req)
        let form = (try? req.content.decode(InviteForm.self)) ?? InviteForm()
        let values = ["displayName": form.displayName ?? "", "role": form.role ?? "", "unit": form.unit ?? ""].mapValues { String($0.prefix(200)) }
        guard let role = form.role.flatMap(Role.init(rawValue:)) else {
            return try await renderEdit(req, user, form: values, problems: [.init(field: "role", code: "required")], status: .unprocessableEntity)
        }
        do {
            try await StaffAdministration(db: req.db).update(try user.requireID(), displayName: form.displayName ?? "", role: role,
                                                             unitCode: form.unit ?? "", actor: req.auditActor)
        } catch let validation as ValidationProblems {
            return try await renderEdit(req, user, form: values, problems: validation.problems, status: .unprocessableEntity)
        }
        return req.redirect(to: "/admin/users", redirectType: .normal)
    }

    private func editableUser(_ req: Request) async throws -> StaffUser {
        guard let id = req.parameters.get("id", as: UUID.self), let user = try await StaffUser.find(id, on: req.db), !user.isService else {
            throw Abort(.notFound)
        }
        return user
    }

    private func renderEdit(_ req: Request, _ user: StaffUser, form: [String: String], problems: [FieldProblem], status: HTTPStatus) async throws -> Response {
        let unitList = try await UnitService(db: req.db).list()
        let context = EditContext(
            page: req.staffFrame(titleKey: "admin.users.edit"), id: try user.requireID(), username: user.username,
            roles: Role.staffRoles.map { Option(value: $0.rawValue, labelKey: $0.messageKey, label: nil) },
            units: unitList.map { Option(value: $0.code, labelKey: nil, label: "\($0.name) (\($0.code))") },
            form: form, problems: problems.map { .init(field: $0.field, messageKey: $0.messageKey) })
        return try await req.view.render("admin-user-edit", context).encodeResponse(status: status, for: req)
    }

    // MARK: units

    struct UnitsContext: Encodable {
        let page: PageFrame
        let units: [StaffPages.Context.UnitRow]
        let kinds: [Option]
        let parents: [Option]
        var problems: [ErrorPageContext.FieldLine] = []
        var form: [String: String] = [:]
    }

    struct UnitForm: Content {
        var code: String?
        var kind: String?
        var name: String?
        var parent: String?
        var capacity: String?
    }

    @Sendable func units(_ req: Request) async throws -> Response {
        try await renderUnits(req, status: .ok)
    }

    @Sendable func createUnit(_ req: Request) async throws -> Response {
        let form = (try? req.content.decode(UnitForm.self)) ?? UnitForm()
        guard let kind = form.kind.flatMap(UnitKind.init(rawValue:)) else {
            return try await renderUnits(req, status: .unprocessableEntity, problems: [.init(field: "kind", code: "required")], form: form)
        }
        let capacityText = form.capacity?.trimmingCharacters(in: .whitespaces) ?? ""
        let capacity = capacityText.isEmpty ? nil : Int(capacityText)
        if !capacityText.isEmpty, capacity == nil {
            return try await renderUnits(req, status: .unprocessableEntity, problems: [.init(field: "capacity", code: "invalidValue")], form: form)
        }
        let parent = form.parent.flatMap { $0.isEmpty ? nil : $0 }
        do {
            _ = try await UnitService(db: req.db).create(code: form.code ?? "", kind: kind, name: form.name ?? "",
                                                         parentCode: parent, capacity: capacity, actor: req.auditActor)
        } catch let validation as ValidationProblems {
            return try await renderUnits(req, status: .unprocessableEntity, problems: validation.problems, form: form)
        }
        return req.redirect(to: "/admin/units", redirectType: .normal)
    }

    private func renderUnits(_ req: Request, status: HTTPStatus, problems: [FieldProblem] = [], form: UnitForm? = nil) async throws -> Response {
        let list = try await UnitService(db: req.db).list()
        var context = UnitsContext(
            page: req.staffFrame(titleKey: "admin.units.heading"),
            units: list.map { .init(code: $0.code, name: $0.name, kindKey: "unit.kind.\($0.kind)", parentCode: $0.parentCode) },
            kinds: UnitKind.allCases.map { Option(value: $0.rawValue, labelKey: $0.messageKey, label: nil) },
            parents: list.map { Option(value: $0.code, labelKey: nil, label: "\($0.name) (\($0.code))") })
        context.problems = problems.map { .init(field: $0.field, messageKey: $0.messageKey) }
        if let form {
            context.form = ["code": form.code ?? "", "name": form.name ?? "", "kind": form.kind ?? "",
                            "parent": form.parent ?? "", "capacity": form.capacity ?? ""].mapValues { String($0.prefix(200)) }
        }
        return try await req.view.render("admin-units", context).encodeResponse(status: status, for: req)
    }
}
