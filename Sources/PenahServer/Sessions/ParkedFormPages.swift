import Fluent
import PenahDomain
import Vapor

/// What happens to a form when the session ends before it is sent.
///
/// - Without JavaScript: a form posted after the session ran out is kept (sealed) instead of
///   answering "form expired", and the sign-in page says so (`ParkedFormPages.parkIfLapsed`).
/// - With JavaScript: at the idle timeout `session-timeout.js` sends each form with typed text to
///   `POST /session/park`, then clears the screen (`park`).
///
/// After signing in again the same person is taken to `/session/parked`, sees what was kept, and
/// sends it on (replayed through the whole middleware chain with the new session, so every check
/// runs again) or discards it.
struct ParkedFormPages: RouteCollection {
    static let path = SitePath.parked()

    func boot(routes: any RoutesBuilder) throws {
        routes.post(.park, use: park).access(.action(.staffHome))
        routes.get(.parked, use: list).access(.action(.staffHome))
        routes.post(.parkedSend, use: send).access(.action(.staffHome))
        routes.post(.parkedDiscard, use: discard).access(.action(.staffHome))
    }

    // MARK: keeping

    /// For a page form sent with a session that has run out (idle or past its lifetime, never one
    /// the person signed out of): keeps the form when it carries that session's CSRF token and
    /// comes from this site, and answers with the sign-in page's address. Nil leaves the request
    /// to the ordinary checks (which refuse it).
    static func parkIfLapsed(_ req: Request) async throws -> Response? {
        guard req.headers.contentType == .urlEncodedForm, let token = req.cookies[Authenticator.sessionCookie]?.string,
              CSRF.comesFromThisSite(req),
              let session = try await SessionStore(db: req.db).findLapsed(token: token),
              let expected = session.csrfToken,
              let body = try? await req.body.collect(max: ParkedForms.maxBodyBytes).get() else { return nil }
        var pairs = FormFields.pairs(body)
        guard let sent = pairs.first(where: { $0.0 == CSRF.field })?.1, constantTimeEqual(sent, expected) else { return nil }
        let fromScript = req.url.path == SitePath.park()
        let action = fromScript ? pairs.first(where: { $0.0 == "_action" })?.1 ?? "" : req.url.path
        pairs.removeAll { $0.0 == "_action" || $0.0 == "_last" }
        guard ParkedForms.isResumable(action) else { return nil }
        let user = session.user
        try await ParkedForms(db: req.db, vault: req.vault).park(
            userID: try user.requireID(), action: action, pairs: pairs,
            actor: AuditActor(userID: user.id, role: user.role.rawValue, unitCode: user.$unit.value?.code ?? "-",
                              requestID: req.safeID, address: req.facts.address))
        return fromScript ? Response(status: .noContent) : req.redirect(to: SitePath.login() + "?kept=1", redirectType: .normal)
    }

    /// The script's call at the idle timeout while the session is still live on the server: keep
    /// the form, and with the last one end the session (the screen is being cleared).
    @Sendable func park(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let action = req.formValue("_action", limit: 201) ?? ""
        guard ParkedForms.isResumable(action) else { throw ValidationProblems([.init(field: "_action", code: "invalidValue")]) }
        guard let body = req.body.data, body.readableBytes <= ParkedForms.maxBodyBytes else { throw Abort(.payloadTooLarge) }
        let pairs = FormFields.pairs(body).filter { $0.0 != "_action" && $0.0 != "_last" }
        try await ParkedForms(db: req.db, vault: req.vault).park(userID: staff.userID, action: action, pairs: pairs, actor: req.auditActor)
        if req.formValue("_last", limit: 1) == "1" {
            try await AuthSession.query(on: req.db).filter(\.$id == staff.session.id).set(\.$endedAt, to: Date()).update()
        }
        return Response(status: .noContent)
    }

    // MARK: giving back

    struct ListContext: Encodable {
        struct Field: Encodable { let name: String; let value: String }
        struct Form: Encodable { let id: UUID; let action: String; let kept: String; let fields: [Field] }
        var page: PageFrame
        var forms: [Form]
    }

    @Sendable func list(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let store = ParkedForms(db: req.db, vault: req.vault)
        var forms: [ListContext.Form] = []
        for form in try await store.pending(userID: staff.userID) {
            guard let (_, fields) = try await store.open(form.id, userID: staff.userID) else { continue }
            forms.append(.init(id: form.id!, action: form.action, kept: BakuFormat.dateTime(form.createdAt),
                               fields: fields.map { .init(name: $0.0, value: $0.1) }))
        }
        if forms.isEmpty { return req.redirect(to: SitePath.staff(), redirectType: .normal) }
        let response = try await req.view.render("parked", ListContext(page: req.staffFrame(titleKey: "parked.title"), forms: forms))
            .encodeResponse(for: req)
        return response
    }

    /// Sends the kept form on as if it had just been submitted, under the new session.
    @Sendable func send(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let store = ParkedForms(db: req.db, vault: req.vault)
        // Someone else's, expired or already sent: the same answer for each, back to the list.
        guard let (form, fields) = try await store.open(req.parameters.get("formID", as: UUID.self), userID: staff.userID) else {
            return req.redirect(to: Self.path, redirectType: .normal)
        }
        // Removed first, once: a double click sends it once.
        guard try await store.remove(form, actor: req.auditActor, outcome: "sent") else {
            return req.redirect(to: Self.path, redirectType: .normal)
        }
        var headers = req.headers
        headers.remove(name: .contentLength)
        headers.replaceOrAdd(name: .contentType, value: "application/x-www-form-urlencoded")
        headers.replaceOrAdd(name: "Sec-Fetch-Site", value: "same-origin")
        let body = FormFields.encode([(CSRF.field, staff.session.csrfToken ?? "")] + fields)
        let replay = Request(application: req.application, method: .POST, url: URI(path: form.action), headers: headers,
                             collectedBody: ByteBuffer(string: body), remoteAddress: req.remoteAddress,
                             logger: req.logger, on: req.eventLoop)
        return try await req.application.responder.respond(to: replay).get()
    }

    @Sendable func discard(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let store = ParkedForms(db: req.db, vault: req.vault)
        if let (form, _) = try await store.open(req.parameters.get("formID", as: UUID.self), userID: staff.userID) {
            _ = try await store.remove(form, actor: req.auditActor, outcome: "discarded")
        }
        return req.redirect(to: Self.path, redirectType: .normal)
    }
}
