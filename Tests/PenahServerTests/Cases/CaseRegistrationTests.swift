import Fluent
import Foundation
import Testing
import Vapor
@testable import PenahDomain
@testable import PenahServer

@Suite("Case registration")
struct CaseRegistrationTests {
    @Test("an impossible birth date says there is no such day, in the reader's language; nothing is written")
    func impossibleDate() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let response = try await reception.send(.POST, "/api/v1/cases", sampleApplication(birthDate: "1990-02-31"),
                                                    headers: ["Accept-Language": "en"])
            #expect(response.status == .unprocessableEntity)
            let errors = response.object["errors"] as? [[String: Any]] ?? []
            #expect(errors.contains { $0["field"] as? String == "victim.birthDate" && $0["code"] as? String == "noSuchDay"
                && $0["message"] as? String == Catalogue.shared.text("error.noSuchDay", .en) })
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("a registered case gets a number, a pseudonym, sealed identity and an audit event")
    func registers() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let response = try await reception.send(.POST, "/api/v1/cases", sampleApplication())
            #expect(response.status == .created)
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            #expect(response.object["number"] as? String == "DV-BAKU-1-\(year)-00001")
            #expect(response.object["status"] as? String == "registered")
            let pseudonym = response.object["pseudonym"] as? String ?? ""
            #expect(Pseudonym.normalise(pseudonym) == pseudonym)
            let second = try await reception.register()
            let record = try #require(try await CaseRecord.find(second, on: app.db))
            #expect(record.number.hasSuffix("-00002"))
            // At rest: no name, FIN, document number, phone or address in the clear.
            for secret in ["İsmayılova", "Gülnarə", "5ZK8M2P", "AZE12345678", "501234567", "Azadlıq"] {
                #expect(!record.identity.contains(secret))
            }
            let events = try await AuditEvent.query(on: app.db).filter(\.$action == "case.register").count()
            #expect(events == 2)
        }
    }

    @Test("every rule breaks with a named, localised error and nothing is written")
    func validation() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            var future = sampleApplication(fin: "I0I0I0I", phone: "12345", birthDate: "2090-01-01")
            var victim = future["victim"] as! [String: Any]
            victim["lastName"] = ""
            future["victim"] = victim
            let response = try await reception.send(.POST, "/api/v1/cases", future, headers: ["Accept-Language": "ru"])
            #expect(response.status == .unprocessableEntity)
            #expect(Set(response.errorFields) == ["victim.fin", "victim.phone", "victim.birthDate", "victim.lastName"])
            let messages = (response.object["errors"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
            #expect(messages.allSatisfy { $0.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) } })
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
            #expect(try await CaseIndexEntry.query(on: app.db).count() == 0)
        }
    }

    nonisolated(unsafe) static let consentCases: [([String: Any], String)] = [
        (["applicant": ["kind": "relative", "name": "Səbinə Əliyeva"], "consent": ["services": true, "capturedAs": "oral"]], "consent.witnessedBy"),
        (["consent": ["services": false, "capturedAs": "signature"]], "consent.services"),
        (["birthDate": "2015-05-05"], "applicant.kind"),
        (["applicant": ["kind": "legalRepresentative", "name": "Rəşid Əliyev"]], "applicant.authorityDocument"),
        (["applicant": ["kind": "ngo"]], "applicant.organisation"),
    ]

    @Test("consent, minors and representatives", arguments: 0..<5)
    func consentRules(index: Int) async throws {
        let (change, field) = Self.consentCases[index]
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            var body = sampleApplication()
            for (key, value) in change {
                if key == "birthDate" { var v = body["victim"] as! [String: Any]; v["birthDate"] = value; body["victim"] = v } else { body[key] = value }
            }
            let response = try await reception.send(.POST, "/api/v1/cases", body)
            #expect(response.status == .unprocessableEntity)
            #expect(response.errorFields.contains(field), "\(response.text)")
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("a minor is registered through the legal representative; oral consent of a third party with a witness")
    func representativeAndWitness() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            var minor = sampleApplication(birthDate: "2012-02-02")
            minor["applicant"] = ["kind": "legalRepresentative", "name": "Rəşid Əliyev", "authorityDocument": "Qəyyumluq qərarı № 12/2025"]
            _ = try await reception.register(minor)
            var relative = sampleApplication(fin: nil, phone: nil)
            relative["applicant"] = ["kind": "relative", "name": "Səbinə Əliyeva", "relationship": "bacı"]
            relative["consent"] = ["services": true, "capturedAs": "oral", "witnessedBy": "Nərgiz Hüseynova"]
            _ = try await reception.register(relative)
            #expect(try await CaseRecord.query(on: app.db).filter(\.$minor == true).count() == 1)
        }
    }

    @Test("a foreign number in international form is accepted; an unusual ID number is a warning")
    func phoneAndWarning() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            var body = sampleApplication(phone: "+7 912 345-67-89")
            var victim = body["victim"] as! [String: Any]
            victim["documentNumber"] = "X-77"
            body["victim"] = victim
            let response = try await reception.send(.POST, "/api/v1/cases", body)
            #expect(response.status == .created)
            #expect(response.object["warnings"] as? [String] == ["documentNumberUnusual"])
        }
    }

    @Test("residence 'other' is recorded, not eligible, and can only be refused")
    func ineligible() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let lawyer = try await app.caller(.lawyer)
            let response = try await reception.send(.POST, "/api/v1/cases", sampleApplication(residence: "other"))
            #expect(response.status == .created)
            #expect(response.object["eligible"] as? Bool == false)
            let id = response.object["id"] as! String
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/assessments", Application.section("legal")).status == .conflict)
            let refusal = try await lawyer.send(.POST, "/api/v1/cases/\(id)/refusal", ["explanation": "Daimi yaşayış icazəsi yoxdur.", "answeredVia": "inPerson"])
            #expect(refusal.status == .ok)
            #expect(refusal.object["ground"] as? String == "noLegalBasis")
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/refusal", ["explanation": "again"]).status == .conflict)
        }
    }

    @Test("malformed, empty, hostile and oversized bodies")
    func badBodies() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            var headers = HTTPHeaders.bearer(reception.token)
            headers.add(name: .contentType, value: "application/json")
            #expect(try await app.send(.POST, "/api/v1/cases", headers: headers).status == .badRequest)
            #expect(try await app.send(.POST, "/api/v1/cases", headers: headers, body: ByteBuffer(string: "{\"channel\":")).status == .badRequest)
            // Through a real socket, where the body limit applies while the body streams in.
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 50 * 1024 * 1024)
            try await app.testing(method: .running(hostname: "127.0.0.1", port: 0))
                .test(.POST, "/api/v1/cases", headers: headers, body: big) { #expect($0.status == .payloadTooLarge) }
            var hostile = sampleApplication(fin: "'><script>")
            hostile["channel"] = "'; DROP TABLE cases; --"
            let response = try await reception.send(.POST, "/api/v1/cases", hostile)
            #expect(response.status == .unprocessableEntity)
            #expect(response.errorFields.contains("channel"))
            // Hostile text in a name is only text: stored sealed, searchable, never executed.
            var named = sampleApplication(firstName: "\"'><script>alert(1)</script>", lastName: "Robert'); DROP TABLE cases;--")
            named["victim"] = (named["victim"] as! [String: Any]).merging(["address": "../../etc/passwd"]) { $1 }
            let id = try await reception.register(named)
            let detail = try await reception.send(.GET, "/api/v1/cases/\(id)")
            #expect((detail.object["victim"] as? [String: Any])?["firstName"] as? String == "\"'><script>alert(1)</script>")
            #expect(try await CaseRecord.query(on: app.db).count() == 1)
        }
    }
}
