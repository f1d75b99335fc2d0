import Vapor

/// `/enrol`: a person with an enrolment code chooses a password (or confirms it after a reset),
/// adds the TOTP secret to an authenticator app and confirms one code.
struct EnrolmentPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.enrol, use: form).access(.public)
        routes.post(.enrol, use: start).access(.public)
        routes.post(.enrolConfirm, use: confirm).access(.public)
    }

    struct Context: Encodable {
        var page: PageFrame
        var step: String
        var code: String = ""
        var needsPassword = true
        var provisioningURI: String?
        var secret: String?
        /// The provisioning URI as a QR code, drawn by the template (see `QRCode`).
        var qr: QR?
        var recoveryCodes: [String] = []
        var problems: [ErrorPageContext.FieldLine] = []
    }

    struct QR: Encodable {
        let side: Int
        let path: String
        init?(_ text: String) {
            guard let code = try? QRCode(text) else { return nil }
            side = code.side
            path = code.pathData
        }
    }

    struct Input: Content {
        var code: String?
        var password: String?
        var otp: String?
    }

    private func enrolment(_ req: Request) -> Enrolment {
        Enrolment(db: req.db, keyring: req.application.keyring, hasher: req.application.bcrypt)
    }

    @Sendable func form(_ req: Request) async throws -> Response {
        try await render(req, Context(page: frame(req), step: "code"), status: .ok)
    }

    @Sendable func start(_ req: Request) async throws -> Response {
        let input = (try? req.content.decode(Input.self)) ?? Input()
        let code = input.code ?? ""
        guard let user = try await enrolment(req).pending(code: code) else {
            return try await render(req, Context(page: frame(req), step: "code", problems: [.init(field: "code", messageKey: "error.enrolmentCode")]),
                                    status: .unprocessableEntity)
        }
        do {
            let started = try await enrolment(req).start(user: user, password: input.password ?? "", actor: req.auditActor)
            return try await render(req, Context(page: frame(req), step: "confirm", code: code, needsPassword: started.needsPassword,
                                                 provisioningURI: started.provisioningURI, secret: started.secret, qr: QR(started.provisioningURI),
                                                 recoveryCodes: started.recoveryCodes), status: .ok)
        } catch let validation as ValidationProblems {
            let problems = validation.problems.map { ErrorPageContext.FieldLine(field: $0.field, messageKey: $0.messageKey) }
            return try await render(req, Context(page: frame(req), step: "code", code: code, needsPassword: user.passwordHash == nil,
                                                 problems: problems), status: .unprocessableEntity)
        }
    }

    @Sendable func confirm(_ req: Request) async throws -> Response {
        let input = (try? req.content.decode(Input.self)) ?? Input()
        guard let user = try await enrolment(req).pending(code: input.code ?? ""), user.totpSecretSealed != nil else {
            return try await render(req, Context(page: frame(req), step: "code", problems: [.init(field: "code", messageKey: "error.enrolmentCode")]),
                                    status: .unprocessableEntity)
        }
        if try await enrolment(req).confirm(user: user, otp: input.otp ?? "", actor: req.auditActor) {
            return try await render(req, Context(page: frame(req), step: "done"), status: .ok)
        }
        return try await render(req, Context(page: frame(req), step: "confirm", code: input.code ?? "",
                                             problems: [.init(field: "otp", messageKey: "auth.failed")]), status: .unprocessableEntity)
    }

    private func frame(_ req: Request) -> PageFrame {
        var page = PageFrame(req, titleKey: "enrol.heading", isPublic: false)
        page.csrfToken = CSRF.token(for: req).token
        return page
    }

    private func render(_ req: Request, _ context: Context, status: HTTPStatus) async throws -> Response {
        let response = try await req.view.render("enrol", context).encodeResponse(status: status, for: req)
        if let cookie = CSRF.token(for: req).cookie { response.cookies[CSRF.preSessionCookie] = cookie }
        return response
    }
}
