import PenahDomain
import Vapor

/// The second step of a destructive or irreversible form (refuse, discharge, disable, reset the second
/// factor, end sessions): posted without `confirmed=yes`, the form changes nothing and comes back as a
/// page that says what will happen, with the same values in a form to confirm it and a way back.
/// Plain HTML, so it works without JavaScript.
struct Confirmation {
    static let field = "confirmed"

    /// What a page needs to ask.
    struct Question {
        let headingKey: String
        let messageKey: String
        /// The record the action is about, as the message names it (a pseudonym, a user name).
        var what: String?
        let buttonKey: String
        /// Where "go back" leads: the page the form was on.
        let back: String
        /// The form's fields to send again when confirmed.
        var fields: [String] = []
    }

    struct Context: Encodable {
        struct Field: Encodable { let name: String; let value: String }
        let page: PageFrame
        let headingKey: String
        let messageKey: String
        let what: String?
        let buttonKey: String
        let action: String
        let back: String
        let fields: [Field]
    }

    static func given(_ req: Request) -> Bool { req.formValue(field, limit: 3) == "yes" }

    /// The confirmation page for the form just posted to this address.
    static func ask(_ req: Request, _ question: Question) async throws -> Response {
        var page = req.staffFrame(titleKey: question.headingKey)
        // The switcher leads to the page the form was on: this address takes only POSTs.
        page.languages = page.languages.map {
            .init(code: $0.code, name: $0.name, isCurrent: $0.isCurrent, href: question.back + "?lang=" + $0.code)
        }
        let fields = question.fields.map { name in Context.Field(name: name, value: req.formValue(name, limit: 8_000) ?? "") }
        return try await req.view.render("confirm", Context(
            page: page, headingKey: question.headingKey, messageKey: question.messageKey, what: question.what,
            buttonKey: question.buttonKey, action: req.url.path, back: question.back, fields: fields)).encodeResponse(for: req)
    }
}
