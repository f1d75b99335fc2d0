import PenahDomain
import Vapor

/// Admin page for units (`/admin/units`): the list and a form to create one.
struct AdminUnitPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.adminUnits, use: units).access(.action(.manageUnits))
        routes.post(.adminUnits, use: createUnit).access(.action(.manageUnits))
        routes.get(.adminUnit, use: editForm).access(.action(.manageUnits))
        routes.post(.adminUnit, use: saveEdit).access(.action(.manageUnits))
    }

    struct EditContext: Encodable {
        let page: PageFrame
        let code: String
        let kindKey: String
        let isShelter: Bool
        let servesVisitors: Bool
        var form: [String: String]
        var problems: [ErrorPageContext.FieldLine] = []
    }

    struct EditForm: Content {
        var name: String?
        var capacity: String?
        var desks: String?
    }

    @Sendable func editForm(_ req: Request) async throws -> Response {
        guard let unit = try await UnitService(db: req.db).find(code: req.parameters.get("code") ?? "") else { throw Abort(.notFound) }
        let form = ["name": unit.name, "capacity": unit.capacity.map(String.init) ?? "", "desks": String(unit.desks)]
        return try await renderEdit(req, unit, form: form, problems: [], status: .ok)
    }

    @Sendable func saveEdit(_ req: Request) async throws -> Response {
        let service = UnitService(db: req.db)
        guard let unit = try await service.find(code: req.parameters.get("code") ?? "") else { throw Abort(.notFound) }
        let form = (try? req.content.decode(EditForm.self)) ?? EditForm()
        let values = ["name": form.name ?? "", "capacity": form.capacity ?? "", "desks": form.desks ?? ""].mapValues { String($0.prefix(200)) }
        func number(_ text: String?, _ field: String) throws -> Int? {
            let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
            if trimmed.isEmpty { return nil }
            guard let value = Int(trimmed) else { throw ValidationProblems([.init(field: field, code: "invalidValue")]) }
            return value
        }
        do {
            try await service.update(code: unit.code, name: form.name ?? "", capacity: try number(form.capacity, "capacity"),
                                     desks: try number(form.desks, "desks"), actor: req.auditActor)
        } catch let validation as ValidationProblems {
            return try await renderEdit(req, unit, form: values, problems: validation.problems, status: .unprocessableEntity)
        }
        return req.redirect(to: SitePath.adminUnits(), done: .unitSaved)
    }

    private func renderEdit(_ req: Request, _ unit: Unit, form: [String: String], problems: [FieldProblem], status: HTTPStatus) async throws -> Response {
        let context = EditContext(page: req.staffFrame(titleKey: "admin.units.edit"), code: unit.code, kindKey: unit.kind.messageKey,
                                  isShelter: unit.kind == .shelter, servesVisitors: unit.kind.servesVisitors, form: form,
                                  problems: problems.map { .init(field: $0.field, messageKey: $0.messageKey) })
        return try await req.view.render("admin-unit-edit", context).encodeResponse(status: status, for: req)
    }

    struct UnitsContext: Encodable {
        struct UnitRow: Encodable { let code: String; let name: String; let kindKey: String; let parentCode: String? }
        let page: PageFrame
        let units: [UnitRow]
        let kinds: [SelectOption]
        let parents: [SelectOption]
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
        return req.redirect(to: SitePath.adminUnits(), done: .unitCreated)
    }

    private func renderUnits(_ req: Request, status: HTTPStatus, problems: [FieldProblem] = [], form: UnitForm? = nil) async throws -> Response {
        let list = try await UnitService(db: req.db).list()
        var context = UnitsContext(
            page: req.staffFrame(titleKey: "admin.units.heading"),
            units: list.map { .init(code: $0.code, name: $0.name, kindKey: "unit.kind.\($0.kind)", parentCode: $0.parentCode) },
            kinds: UnitKind.allCases.map { SelectOption(value: $0.rawValue, labelKey: $0.messageKey, label: nil) },
            parents: list.map { SelectOption(value: $0.code, labelKey: nil, label: "\($0.name) (\($0.code))") })
        context.problems = problems.map { .init(field: $0.field, messageKey: $0.messageKey) }
        if let form {
            context.form = ["code": form.code ?? "", "name": form.name ?? "", "kind": form.kind ?? "",
                            "parent": form.parent ?? "", "capacity": form.capacity ?? ""].mapValues { String($0.prefix(200)) }
        }
        return try await req.view.render("admin-units", context).encodeResponse(status: status, for: req)
    }
}
