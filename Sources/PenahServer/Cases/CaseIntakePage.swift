import Foundation
import PenahDomain
import Vapor

/// `/cases/new`: registration at the social services desk, from a called ticket (`?ticket=`) or
/// without one. The form posts flat fields; a problem re-renders it with what was typed.
struct CaseIntakePage {
    static let textFields = ["applicant-name", "applicant-organisation", "applicant-relationship", "applicant-authorityDocument",
                             "victim-lastName", "victim-firstName", "victim-patronymic", "victim-birthDate", "victim-fin",
                             "victim-documentNumber", "victim-phone", "victim-address", "victim-preferredLanguage", "consent-witnessedBy", "ticketId"]
    static let flags = ["victim-interpreterNeeded", "victim-underGuardianship", "consent-services", "consent-referral"]

    struct Context: Encodable {
        let page: PageFrame
        let form: [String: String]
        let checked: [String: Bool]
        let ticketNumber: String?
        let channels, applicantKinds, sexes, residences, documentTypes, captures, spokenLanguages: [Choice]
        let problems: [ErrorPageContext.FieldLine]
    }

    @Sendable static func show(_ req: Request) async throws -> View {
        var form: [String: String] = [:]
        if let ticket = req.query[String.self, at: "ticket"].flatMap(UUID.init(uuidString:)) { form["ticketId"] = ticket.uuidString }
        return try await render(req, form: form, checked: ["consent-services": false], problems: [])
    }

    static func render(_ req: Request, form: [String: String], checked: [String: Bool], problems: [FieldProblem]) async throws -> View {
        let staff = try req.requireStaff()
        var ticketNumber: String?
        if let id = form["ticketId"].flatMap(UUID.init(uuidString:)), let ticket = try await Ticket.find(id, on: req.db),
           let unit = try await UnitService(db: req.db).find(code: staff.unitCode), ticket.$unit.id == unit.id {
            ticketNumber = ticket.label
        }
        func pick(_ name: String, _ fallback: String) -> [String] { [form[name] ?? fallback] }
        return try await req.view.render("case-new", Context(
            // Leaf names cannot hold '-': the template sees `victim_lastName` for the field `victim-lastName`.
            page: req.staffFrame(titleKey: "case.new.heading"), form: form.leafKeys, checked: checked.leafKeys, ticketNumber: ticketNumber,
            channels: Choice.of(PenahDomain.Channel.self, selected: pick("channel", staff.role == .callCentre ? "callCentre" : "inPerson")),
            applicantKinds: Choice.of(ApplicantKind.self, selected: pick("applicant-kind", "victim")),
            sexes: Choice.of(Sex.self, selected: pick("victim-sex", "female")),
            residences: Choice.of(Residence.self, selected: pick("victim-residence", "citizen")),
            documentTypes: Choice.of(IdentityDocumentType.self, selected: pick("victim-documentType", "idCard")),
            captures: Choice.of(ConsentCapture.self, selected: pick("consent-capturedAs", "signature")),
            spokenLanguages: Self.spokenLanguages.map { Choice(value: $0, labelKey: "lang.name.\($0)", selected: $0 == form["victim-preferredLanguage"]) },
            problems: FormProblems.lines(problems)))
    }

    /// The languages offered for "preferred language", by their own names: the service's three and
    /// those most often spoken by people who come to DOST. (The API takes any code.)
    static let spokenLanguages = ["az", "ru", "en", "tr", "fa", "ka", "uk"]

    @Sendable static func submit(_ req: Request) async throws -> Response {
        var form: [String: String] = [:]
        for name in textFields + ["channel", "applicant-kind", "victim-sex", "victim-residence", "victim-documentType", "consent-capturedAs"] {
            form[name] = req.formValue(name, limit: 400)
        }
        let checked = Dictionary(uniqueKeysWithValues: flags.map { ($0, req.formValue($0) != nil) })
        do {
            let input = try input(form: form, checked: checked)
            let registered = try await CaseRegistration(db: req.db, vault: req.vault).register(input, staff: try req.requireStaff(), actor: req.auditActor)
            return req.redirect(to: SitePath.case(registered.id), done: .registered)
        } catch let validation as ValidationProblems {
            return try await render(req, form: form, checked: checked, problems: validation.problems).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    /// The flat form as the API's input; a choice outside its list is a field problem.
    static func input(form: [String: String], checked: [String: Bool]) throws -> RegistrationInput {
        var problems: [FieldProblem] = []
        func code<T: CaseCode>(_ type: T.Type, _ name: String, _ field: String) -> T? {
            guard let value = T(rawValue: form[name] ?? "") else { problems.append(.init(field: field, code: "invalidValue")); return nil }
            return value
        }
        let channel = code(PenahDomain.Channel.self, "channel", "channel")
        let kind = code(ApplicantKind.self, "applicant-kind", "applicant.kind")
        let sex = code(Sex.self, "victim-sex", "victim.sex")
        let residence = code(Residence.self, "victim-residence", "victim.residence")
        let documentType = code(IdentityDocumentType.self, "victim-documentType", "victim.documentType")
        let capture = code(ConsentCapture.self, "consent-capturedAs", "consent.capturedAs")
        var ticket: UUID?
        if let raw = form["ticketId"], !raw.isEmpty {
            if let id = UUID(uuidString: raw) { ticket = id } else { problems.append(.init(field: "ticketId", code: "invalidValue")) }
        }
        guard problems.isEmpty, let channel, let kind, let sex, let residence, let documentType, let capture else { throw ValidationProblems(problems) }
        var applicant = RegistrationInput.Applicant(kind: kind)
        applicant.name = form["applicant-name"]
        applicant.organisation = form["applicant-organisation"]
        applicant.relationship = form["applicant-relationship"]
        applicant.authorityDocument = form["applicant-authorityDocument"]
        var victim = RegistrationInput.Victim(firstName: form["victim-firstName"] ?? "", lastName: form["victim-lastName"] ?? "",
                                              birthDate: form["victim-birthDate"] ?? "", sex: sex, residence: residence,
                                              documentType: documentType, documentNumber: form["victim-documentNumber"] ?? "")
        victim.patronymic = form["victim-patronymic"]
        victim.fin = form["victim-fin"]
        victim.phone = form["victim-phone"]
        victim.address = form["victim-address"]
        victim.preferredLanguage = form["victim-preferredLanguage"]
        victim.interpreterNeeded = checked["victim-interpreterNeeded"] ?? false
        victim.underGuardianship = checked["victim-underGuardianship"] ?? false
        var consent = RegistrationInput.Consent(services: checked["consent-services"] ?? false, capturedAs: capture)
        consent.referral = checked["consent-referral"] ?? false
        consent.witnessedBy = form["consent-witnessedBy"]
        var input = RegistrationInput(channel: channel, applicant: applicant, victim: victim, consent: consent)
        input.ticketId = ticket
        return input
    }
}

extension Dictionary where Key == String {
    var leafKeys: [String: Value] { Dictionary(uniqueKeysWithValues: map { ($0.key.replacingOccurrences(of: "-", with: "_"), $0.value) }) }
}
