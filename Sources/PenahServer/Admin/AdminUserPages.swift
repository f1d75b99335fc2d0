import PenahDomain
import Vapor

/// Admin pages for accounts (`/admin/users`): invite, edit, disable, reset the second factor, end
/// sessions. No case content is reachable from here.
struct AdminUserPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.adminUsers, use: users).access(.action(.manageUsers))
        routes.post(.adminUsers, use: invite).access(.action(.manageUsers))
        routes.post(.adminUserDisable, use: { try await change($0, done: .accountDisabled, asking: "disable") { a, id, actor in try await a.setActive(id, false, actor: actor); return nil } })
            .access(.action(.manageUsers))
        routes.post(.adminUserEnable, use: { try await change($0, done: .accountEnabled) { a, id, actor in try await a.setActive(id, true, actor: actor); return nil } })
            .access(.action(.manageUsers))
        routes.post(.adminUserResetSecondFactor, use: { try await change($0, done: .accountSaved, asking: "resetSecondFactor") { a, id, actor in try await a.resetSecondFactor(id, actor: actor) } })
            .access(.action(.manageUsers))
        routes.post(.adminUserEndSessions, use: { try await change($0, done: .sessionsEnded, asking: "endSessions") { a, id, actor in try await a.endSessions(id, actor: actor); return nil } })
            .access(.action(.manageSessions))
        routes.get(.adminUser, use: editForm).access(.action(.manageUsers))
        routes.post(.adminUser, use: saveEdit).access(.action(.manageUsers))
    }

    struct UsersContext: Encodable {
        let page: PageFrame
        let users: [StaffAdministration.Row]
        let roles: [SelectOption]
        let units: [SelectOption]
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
        let enrolment = Enrolment(db: req.db, keyring: req.application.keyring, hasher: req.application.bcrypt)
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

    /// Runs an account change; a returned code (second-factor reset) is shown once. A change named
    /// in `asking` (`confirm.<asking>.…`) is destructive and asked about first (see `Confirmation`).
    private func change(_ req: Request, done: DoneBanner, asking: String? = nil,
                        _ action: (StaffAdministration, UUID, AuditActor) async throws -> String?) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        if let asking, !Confirmation.given(req) {
            guard let user = try await StaffUser.find(id, on: req.db) else { throw Abort(.notFound) }
            return try await Confirmation.ask(req, .init(headingKey: "confirm.\(asking).heading", messageKey: "confirm.\(asking).message",
                                                         what: user.username, buttonKey: "admin.users.\(asking)", back: SitePath.adminUsers()))
        }
        let code = try await action(StaffAdministration(db: req.db), id, req.auditActor)
        if let code {
            let username = try await StaffUser.find(id, on: req.db)?.username
            return try await renderUsers(req, status: .ok, issued: (code, username ?? ""))
        }
        return req.redirect(to: SitePath.adminUsers(), done: done)
    }

    private func renderUsers(_ req: Request, status: HTTPStatus, problems: [FieldProblem] = [],
                             issued: (String, String)? = nil, form: InviteForm? = nil) async throws -> Response {
        let unitList = try await UnitService(db: req.db).list()
        var context = UsersContext(
            page: req.staffFrame(titleKey: "admin.users.heading").widened(),
            users: try await StaffAdministration(db: req.db).list(),
            roles: Role.staffRoles.map { SelectOption(value: $0.rawValue, labelKey: $0.messageKey, label: nil) },
            units: unitList.map { SelectOption(value: $0.code, labelKey: nil, label: "\($0.name) (\($0.code))") })
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
        let roles: [SelectOption]
        let units: [SelectOption]
        var form: [String: String]
        var problems: [ErrorPageContext.FieldLine] = []
    }

    @Sendable func editForm(_ req: Request) async throws -> Response {
        let user = try await editableUser(req)
        let unitCode = try await user.$unit.get(on: req.db).code
        return try await renderEdit(req, user, form: ["displayName": user.displayName, "role": user.role.rawValue, "unit": unitCode],
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
        return req.redirect(to: SitePath.adminUsers(), done: .accountSaved)
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
            roles: Role.staffRoles.map { SelectOption(value: $0.rawValue, labelKey: $0.messageKey, label: nil) },
            units: unitList.map { SelectOption(value: $0.code, labelKey: nil, label: "\($0.name) (\($0.code))") },
            form: form, problems: problems.map { .init(field: $0.field, messageKey: $0.messageKey) })
        return try await req.view.render("admin-user-edit", context).encodeResponse(status: status, for: req)
    }
}
