import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Input hygiene")
struct InputHygieneTests {
    @Test("free text with a bidi override or NUL is 422 naming the field, in JSON and in forms, and nothing is written",
          arguments: ["Gül\u{202E}nar", "note\u{0000}cut", "zero\u{200B}width"])
    func unsafeText(_ text: String) async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let lawyer = try await app.caller(.lawyer)
            let id = try await reception.register()
            let json = try await lawyer.send(.POST, "/api/v1/cases/\(id)/assessments", Application.section("legal", notes: text))
            #expect(json.status == .unprocessableEntity, "\(json.status)")
            #expect(json.text.contains("notes") && json.text.contains("invalidCharacters"), "\(json.text)")
            let browser = try await app.browser(.lawyer)
            let form = try await app.send(.POST, "/cases/\(id)/notices", headers: browser.headers,
                                          body: formBody([("csrf", browser.csrf), ("urgency", "routine"), ("prosecution", text)]))
            #expect(form.status == .unprocessableEntity)
            #expect(try await CaseAssessment.query(on: app.db).count() == 0)
            #expect(try await NoticeRecord.query(on: app.db).count() == 0)
            // Line breaks and tabs are ordinary text.
            #expect(PlainText.isSafe("line one\nline two\tend\r\n"))
        }
    }

    @Test("JSON sent with another Content-Type is 415 and changes nothing")
    func wrongContentType() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let lawyer = try await app.caller(.lawyer)
            let body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: Application.section("legal", notes: "n")))
            var headers = HTTPHeaders.bearer(lawyer.token)
            headers.add(name: .contentType, value: "text/plain")
            let response = try await app.send(.POST, "/api/v1/cases/\(id)/assessments", headers: headers, body: body)
            #expect(response.status == .unsupportedMediaType, "\(response.status)")
            #expect(try await CaseAssessment.query(on: app.db).count() == 0)
        }
    }

    @Test("JSON that sends a key twice is 400 naming the key, and nothing is written")
    func duplicateKeys() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let lawyer = try await app.caller(.lawyer)
            // Which "notes" wins would depend on the decoder; Penah takes neither.
            let raw = #"{"section":"legal","violenceForms":["physical"],"relationship":"spouse","riskFactors":{},"needs":["safety"],"notes":"first","incidentDate":"2026-11-20","incidentDistrict":"Nəsimi","childrenPresent":true,"notes":"second"}"#
            var headers = HTTPHeaders.bearer(lawyer.token)
            headers.add(name: .contentType, value: "application/json")
            let response = try await app.send(.POST, "/api/v1/cases/\(id)/assessments", headers: headers, body: ByteBuffer(string: raw))
            #expect(response.status == .badRequest, "\(response.status)")
            #expect(response.text.contains("duplicateKey") && response.text.contains("notes"), "\(response.text)")
            #expect(try await CaseAssessment.query(on: app.db).count() == 0)
        }
    }

    @Test("the duplicate-key scan finds repeats at any depth, resolves escapes, and passes unique keys",
          arguments: [
              (#"{"a":1,"b":2}"#, nil),
              (#"{"a":1,"a":2}"#, "a"),
              (#"{"a":1,"\u0061":2}"#, "a"),
              (#"{"x":{"a":"}","b":[{"c":1},{"c":2,"c":3}]}}"#, "x.b.1.c"),
              (#"[{"a":1},{"a":1}]"#, nil),
              (#"{"s":"a,\"b\":1","b":2}"#, nil),
              (#"{"a":{"k":1},"b":{"k":1}}"#, nil),
              (#""just a string""#, nil),
          ] as [(String, String?)])
    func duplicateScan(_ json: String, _ expected: String?) {
        #expect(JSONDuplicateKeys.first(in: Array(json.utf8)) == expected, "\(json)")
    }

    @Test("an X-Request-Id that is not a short token is replaced before it reaches the audit trail or a page")
    func requestID() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let hostile = "\"'><script>alert(1)</script>" + String(repeating: "x", count: 60_000)
            _ = try await reception.send(.GET, "/api/v1/cases?q=Aysel", headers: ["X-Request-Id": hostile])
            _ = try await reception.send(.GET, "/api/v1/cases?q=Aysel", headers: ["X-Request-Id": "kiosk-7.0001"])
            let ids = try await AuditEvent.query(on: app.db).filter(\.$action == "case.search").all().map(\.requestID)
            #expect(ids.count == 2 && ids.allSatisfy { $0.count <= 64 && !$0.contains("<") }, "\(ids.map { $0.prefix(80) })")
            #expect(ids.contains("kiosk-7.0001"), "a short token is kept as sent")
            let page = try await app.send(.GET, "/no-such-page", headers: ["X-Request-Id": hostile])
            #expect(!page.body.string.contains("<script>alert(1)") && page.body.string.count < 20_000)
        }
    }
}
