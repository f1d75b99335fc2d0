import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

/// The case pages end to end through forms: registration, the page, the interview, the decision,
/// refusal, uploads and the printables — with CSRF, scope and escaping.
@Suite("Case pages")
struct CasePagesTests {
    static let hostile = "\"'><script>alert(1)</script>"

    static func intake(_ csrf: String, lastName: String = "İsmayılova", fin: String = "5ZK8M2P", extra: [(String, String)] = []) -> ByteBuffer {
        formBody([("csrf", csrf), ("channel", "inPerson"), ("applicant-kind", "victim"), ("victim-lastName", lastName),
                  ("victim-firstName", "Gülnarə"), ("victim-birthDate", "17.04.1991"), ("victim-sex", "female"),
                  ("victim-residence", "citizen"), ("victim-fin", fin), ("victim-documentType", "idCard"),
                  ("victim-documentNumber", "AZE12345678"), ("victim-phone", "050 123 45 67"), ("victim-address", hostile),
                  ("consent-services", "1"), ("consent-referral", "1"), ("consent-capturedAs", "signature")] + extra)
    }

    /// Registers through the form and returns the new case's page path.
    static func register(_ app: Application, _ browser: TestBrowser, lastName: String = "İsmayılova") async throws -> String {
        let response = try await app.send(.POST, "/cases/new", headers: browser.headers, body: intake(browser.csrf, lastName: lastName))
        #expect(response.status == .seeOther, "\(response.body.string.prefix(400))")
        // The case page, saying on arrival that the application is registered.
        let location = try #require(response.headers.first(name: .location))
        #expect(location.hasSuffix("?done=registered"))
        return String(location.prefix { $0 != "?" })
    }

    @Test("the preferred language is a choice of languages by their own names, and the case page names it so")
    func preferredLanguage() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception)
            let form = try await app.send(.GET, "/cases/new?lang=en", headers: reception.headers).body.string
            #expect(form.contains("<select id=\"victim-preferredLanguage\" name=\"victim-preferredLanguage\">"))
            #expect(form.contains("<option value=\"tr\">Türkçe</option>") && form.contains("<option value=\"\">— not stated —</option>"))
            let response = try await app.send(.POST, "/cases/new", headers: reception.headers,
                                              body: Self.intake(reception.csrf, extra: [("victim-preferredLanguage", "tr")]))
            let path = String(try #require(response.headers.first(name: .location)).prefix { $0 != "?" })
            let page = try await app.send(.GET, path + "?lang=en", headers: reception.headers).body.string
            #expect(page.contains("<dd>Türkçe</dd>"))
        }
    }

    @Test("registering through the form: the case page shows the identity escaped, lists show initials only, each view audited")
    func register() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception)
            let path = try await Self.register(app, reception)
            #expect(path.hasPrefix("/cases/"))
            let page = try await app.send(.GET, path + "?done=registered&lang=en", headers: reception.headers)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("<div class=\"success-banner\" role=\"status\" tabindex=\"-1\"><p>The application is registered.</p></div>"))
            #expect(page.body.string.contains("İsmayılova") && page.body.string.contains("5ZK8M2P"))
            #expect(!page.body.string.contains("<script>alert"), "hostile text is escaped")
            #expect(page.body.string.contains("&lt;script&gt;"))
            #expect(page.headers.first(name: .cacheControl)?.contains("no-store") == true)
            #expect(page.body.string.contains("No act confirming the violence"), "the outstanding act shows")
            let list = try await app.send(.GET, "/cases?view=unit&lang=en", headers: reception.headers)
            #expect(list.status == .ok)
            #expect(list.body.string.contains("G. İ."), "initials in the list")
            #expect(!list.body.string.contains("İsmayılova") && !list.body.string.contains("5ZK8M2P"), "no full identity in the list")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.read").count() == 1)
        }
    }

    @Test("a field problem re-renders the form in the user's language with the field named; nothing is written")
    func problems() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception)
            let response = try await app.send(.POST, "/cases/new?lang=ru", headers: reception.headers,
                                              body: Self.intake(reception.csrf, fin: "IIIIIII"))
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains(Catalogue.shared.text("case.form.fin", .ru)))
            #expect(response.body.string.contains("value=\"IIIIIII\""), "what was typed is kept")
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
            let noToken = try await app.send(.POST, "/cases/new", headers: reception.headers, body: Self.intake("forged"))
            #expect(noToken.status == .forbidden)
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("interview, decision and signatures through the case page; printables in the victim's language")
    func interviewAndDecision() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception)
            let path = try await Self.register(app, reception)
            let lawyer = try await app.browser(.lawyer)
            let psychologist = try await app.browser(.psychologist)
            func section(_ b: TestBrowser, _ name: String, factors: [String]) -> ByteBuffer {
                formBody([("csrf", b.csrf), ("section", name), ("violenceForms[]", "physical"), ("violenceForms[]", "psychological"),
                          ("relationship", "spouse"), ("incidentDate", "20.11.2026"), ("incidentDistrict", "Nəsimi"), ("childrenPresent", "1"),
                          ("needs[]", "shelter"), ("notes", "Qeyd \(Self.hostile)")] + factors.map { ("riskFactors[]", $0) })
            }
            // A psychologist cannot post the legal section.
            let wrong = try await app.send(.POST, path + "/assessment?lang=en", headers: psychologist.headers, body: section(psychologist, "legal", factors: []))
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await CaseAssessment.query(on: app.db).count() == 0)
            // Drafting before both sections exist is 409.
            let early = try await app.send(.POST, path + "/decision", headers: lawyer.headers,
                                           body: formBody([("csrf", lawyer.csrf), ("riskLevel", "high"), ("needsRehabilitation", "1")]))
            #expect(early.status == .conflict)
            let legal = try await app.send(.POST, path + "/assessment", headers: lawyer.headers, body: section(lawyer, "legal", factors: ["strangulation"]))
            #expect(legal.status == .seeOther, "\(legal.body.string.prefix(300))")
            let psych = try await app.send(.POST, path + "/assessment", headers: psychologist.headers, body: section(psychologist, "psychological", factors: []))
            #expect(psych.status == .seeOther)
            // Strangulation sets high on its own: a lower level is refused.
            let lower = try await app.send(.POST, path + "/decision?lang=en", headers: lawyer.headers,
                                           body: formBody([("csrf", lawyer.csrf), ("riskLevel", "standard"), ("needsRehabilitation", "1")]))
            #expect(lower.status == .unprocessableEntity)
            let drafted = try await app.send(.POST, path + "/decision", headers: lawyer.headers,
                                             body: formBody([("csrf", lawyer.csrf), ("riskLevel", "high"), ("needsRehabilitation", "1"), ("services[]", "shelter"),
                                                             ("methods[]", "inPersonAtCentre"), ("codeWord", "nar")]))
            #expect(drafted.status == .seeOther, "\(drafted.body.string.prefix(300))")
            let unknown = try await app.send(.POST, path + "/decision", headers: lawyer.headers,
                                             body: formBody([("csrf", lawyer.csrf), ("riskLevel", "high"), ("services[]", "teleport")]))
            #expect(unknown.status == .unprocessableEntity)
            for b in [lawyer, psychologist] {
                let signed = try await app.send(.POST, path + "/decision/sign", headers: b.headers, body: formBody([("csrf", b.csrf)]))
                #expect(signed.status == .seeOther)
            }
            let page = try await app.send(.GET, path + "?lang=en", headers: lawyer.headers)
            #expect(page.body.string.contains("Qeyd &quot;&#39;&gt;&lt;script&gt;") || page.body.string.contains("Qeyd &quot;&#x27;&gt;&lt;script&gt;") || page.body.string.contains("&lt;script&gt;"))
            #expect(!page.body.string.contains("<script>alert"))
            // Reception sees the case but not the interview notes.
            let forReception = try await app.send(.GET, path + "?lang=en", headers: reception.headers)
            #expect(forReception.status == .ok && !forReception.body.string.contains("Qeyd "))
            // The printed decision is in the victim's language (az) and carries no code word.
            let printed = try await app.send(.GET, path + "/print/decision", headers: lawyer.headers)
            #expect(printed.status == .ok)
            #expect(printed.body.string.contains(Catalogue.shared.text("case.print.decision", .az)))
            #expect(!printed.body.string.contains("nar<") && !printed.body.string.contains(">nar"))
            #expect(!printed.body.string.contains("{time}") && !printed.body.string.contains("{"), "no raw placeholder on paper")
            let decision = try #require(try await CaseDecision.query(on: app.db).first())
            for signed in [decision.lawyerSignedAt, decision.psychologistSignedAt] {
                #expect(printed.body.string.contains(BakuFormat.dateTime(try #require(signed))), "each signature line shows when it was signed")
            }
            let inRussian = try await app.send(.GET, path + "/print/application?in=ru", headers: reception.headers)
            #expect(inRussian.body.string.contains(Catalogue.shared.text("case.print.application", .ru)))
            #expect(try await app.send(.GET, path + "/print/refusal", headers: lawyer.headers).status == .conflict, "no refusal to print")
            #expect(try await app.send(.GET, path + "/print/..%2F..%2Fetc", headers: lawyer.headers).status == .notFound)
        }
    }

    @Test("refusal through the page: one ground, the explanation, printable in the chosen language; then nothing else changes")
    func refusal() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception)
            let path = try await Self.register(app, reception)
            let lawyer = try await app.browser(.lawyer)
            let empty = try await app.send(.POST, path + "/refusal?lang=en", headers: lawyer.headers,
                                           body: formBody([("csrf", lawyer.csrf), ("explanation", " "), ("answeredVia", "inPerson"), ("language", "ru")]))
            #expect(empty.status == .unprocessableEntity)
            let refused = try await app.send(.POST, path + "/refusal", headers: lawyer.headers,
                                             body: formBody([("csrf", lawyer.csrf), ("explanation", "Sənəd \(Self.hostile)"), ("answeredVia", "callCentre"), ("language", "ru"),
                                                             ("confirmed", "yes")]))
            #expect(refused.status == .seeOther)
            let printed = try await app.send(.GET, path + "/print/refusal", headers: lawyer.headers)
            #expect(printed.status == .ok)
            #expect(printed.body.string.contains(Catalogue.shared.text("case.refusal.appeal", .ru)))
            #expect(!printed.body.string.contains("<script>alert"))
            let again = try await app.send(.POST, path + "/refusal", headers: lawyer.headers,
                                           body: formBody([("csrf", lawyer.csrf), ("explanation", "x"), ("answeredVia", "inPerson"), ("language", "az"), ("confirmed", "yes")]))
            #expect(again.status == .conflict)
            // Unconfirmed, a refusal of a case already refused is not asked about: it is refused as it stands.
            let unasked = try await app.send(.POST, path + "/refusal", headers: lawyer.headers,
                                             body: formBody([("csrf", lawyer.csrf), ("explanation", "x"), ("answeredVia", "inPerson"), ("language", "az")]))
            #expect(unasked.status == .conflict)
        }
    }

    @Test("upload through the page needs the CSRF token in the multipart body; another unit's case is 404")
    func uploadAndScope() async throws {
        try await withPenah { app in
            let reception = try await app.browser(.reception)
            let path = try await Self.register(app, reception)
            func multipart(csrf: String, file: Data) -> (HTTPHeaders, ByteBuffer) {
                let boundary = "b\(UUID().uuidString)"
                var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n".utf8)
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\npoliceProtocol\r\n".utf8))
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8))
                body.append(file)
                body.append(Data("\r\n--\(boundary)--\r\n".utf8))
                var headers = reception.headers
                headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                return (headers, ByteBuffer(data: body))
            }
            let (h1, b1) = multipart(csrf: reception.csrf, file: CaseDocumentTests.pdf)
            #expect(try await app.send(.POST, path + "/documents", headers: h1, body: b1).status == .seeOther)
            let (h2, b2) = multipart(csrf: "forged", file: CaseDocumentTests.pdf)
            #expect(try await app.send(.POST, path + "/documents", headers: h2, body: b2).status == .forbidden)
            let (h3, b3) = multipart(csrf: reception.csrf, file: Data("MZ\u{90}binary".utf8))
            #expect(try await app.send(.POST, path + "/documents?lang=en", headers: h3, body: b3).status == .unprocessableEntity)
            #expect(try await CaseDocument.query(on: app.db).count() == 1)

            let stranger = try await app.browser(.reception, unit: "BAKU-2")
            #expect(try await app.send(.GET, path, headers: stranger.headers).status == .notFound)
            #expect(try await app.send(.GET, path + "/print/application", headers: stranger.headers).status == .notFound)
            let sxa = try await app.browser(.sxaOfficer)
            #expect(try await app.send(.GET, path, headers: sxa.headers).status == .notFound)
            #expect(try await app.send(.GET, "/cases", headers: sxa.headers).status == .notFound)
        }
    }
}
