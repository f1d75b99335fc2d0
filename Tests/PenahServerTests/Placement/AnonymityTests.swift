import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

/// DESIGN.md invariant 1: nothing an SXA officer or shelter staff can obtain — page, API answer,
/// error, print view, attribute or JSON — carries her name, FIN, document number, address or phone.
@Suite("Anonymity toward SXA and shelters")
struct AnonymityTests {
    static let identity = ["firstName": "Zülfiyyə", "lastName": "Qəhrəmanlıyeva", "patronymic": "Bəxtiyar qızı", "fin": "9XK4P7Q",
                           "documentNumber": "AZE87654321", "phone": "055 987 65 43", "address": "Gizlin küçəsi 77, Xətai"]
    /// Every form the values could take on a page or in JSON.
    static let forbidden: [String] = {
        var all = Array(identity.values)
        all += ["ZÜLFİYYƏ", "zülfiyyə", "Qəhrəmanlı", "Bəxtiyar", "9xk4p7q", "87654321", "987 65 43", "9876543", "+994559876543", "Gizlin"]
        // JSON may escape non-ASCII; the escaped forms must not appear either.
        all += all.compactMap { String(data: try! JSONEncoder().encode($0), encoding: .utf8)?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return Array(Set(all))
    }()

    static func leaks(_ response: TestingHTTPResponse) -> [String] {
        let text = response.body.string + response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        return forbidden.filter { text.contains($0) }
    }

    @Test("SXA officer and shelter staff: every page, API answer, error and print view they can reach is free of identity")
    func walk() async throws {
        let logs = LogCapture.shared
        try await withPenah { app in
            // A full placement of a person with distinctive identity values, with a question thread.
            let reception = try await app.caller(.reception)
            var application = sampleApplication(firstName: Self.identity["firstName"]!, lastName: Self.identity["lastName"]!,
                                                fin: Self.identity["fin"], phone: Self.identity["phone"])
            var victim = application["victim"] as! [String: Any]
            victim["patronymic"] = Self.identity["patronymic"]; victim["documentNumber"] = Self.identity["documentNumber"]; victim["address"] = Self.identity["address"]
            application["victim"] = victim
            let caseID = try await reception.register(application)
            #expect(try await CaseDocumentTests.upload(reception, caseID, kind: "policeProtocol", file: CaseDocumentTests.pdf).status == .created)
            let lawyer = try await app.caller(.lawyer), psychologist = try await app.caller(.psychologist)
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(caseID)/assessments", Application.section("legal")).status == .ok)
            #expect(try await psychologist.send(.POST, "/api/v1/cases/\(caseID)/assessments", Application.section("psychological")).status == .ok)
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(caseID)/decision", ["needsRehabilitation": true, "services": ["shelter"], "riskLevel": "standard"] as [String: Any]).status == .ok)
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(caseID)/decision/sign").status == .ok)
            #expect(try await psychologist.send(.POST, "/api/v1/cases/\(caseID)/decision/sign").status == .ok)
            let requestID = try await app.placementRequest(caseID: caseID, body: ["urgency": "urgent", "children": [["age": 7, "sex": "female"]], "avoidRegions": ["Xətai"]])
            let sxa = try await app.caller(.sxaOfficer)
            #expect(try await sxa.send(.POST, "/api/v1/placement-requests/\(requestID)/questions", ["text": "Uşağın xüsusi ehtiyacı var?"]).status == .created)
            #expect(try await lawyer.send(.POST, "/api/v1/placement-requests/\(requestID)/answers", ["text": "Xeyr."]).status == .created)

            var responses: [(String, TestingHTTPResponse)] = []
            let decided = try await sxa.send(.POST, "/api/v1/placement-requests/\(requestID)/decision",
                                             ["decision": "approved", "shelterId": try await app.shelterID().uuidString])
            responses.append(("decision", decided))
            responses.append(("bad decision", try await sxa.send(.POST, "/api/v1/placement-requests/\(requestID)/decision", ["decision": "approved"])))
            let code = try #require((try await lawyer.send(.GET, "/api/v1/cases/\(caseID)")).object["placement"].flatMap { ($0 as? [String: Any])?["admissionCode"] as? String })
            let door = try await app.caller(.shelterStaff)
            responses.append(("wrong code", try await door.send(.POST, "/api/v1/shelters/\(try await app.shelterID())/admissions", ["admissionCode": "'><script>"])))
            let admitted = try await door.send(.POST, "/api/v1/shelters/\(try await app.shelterID())/admissions", ["admissionCode": code])
            responses.append(("admission", admitted))
            let stayID = try #require(admitted.object["stayId"] as? String)

            // Every GET route each role may reach, pages and API, with real parameters.
            for role in [Role.sxaOfficer, .shelterStaff] {
                let caller = role == .sxaOfficer ? sxa : door
                let browser = try await app.browser(role)
                for route in app.routes.all where route.method == .GET {
                    guard case .action(let action) = route.declaredAccess, AccessPolicy.allows(role, action), !route.streamsForever else { continue }
                    var parts: [String] = []
                    for component in route.path {
                        switch component {
                        case .constant(let value): parts.append(value)
                        case .parameter("requestID"): parts.append(requestID.uuidString)
                        case .parameter("shelterID"): parts.append(try await app.shelterID().uuidString)
                        case .parameter("stayID"): parts.append(stayID)
                        case .parameter("unitCode"): parts.append(Application.defaultUnit(for: role))
                        case .parameter("caseID"): parts.append(caseID.uuidString)
                        case .parameter: parts.append(UUID().uuidString)
                        case .anything, .catchall: parts.append("x")
                        }
                    }
                    let path = "/" + parts.joined(separator: "/")
                    for lang in ["az", "en"] {
                        let response = path.hasPrefix("/api/") ? try await caller.send(.GET, path + "?lang=\(lang)")
                            : try await app.send(.GET, path + "?lang=\(lang)", headers: browser.headers)
                        #expect(response.status != .internalServerError, "\(role) \(path)")
                        responses.append(("\(role) \(path) [\(lang)]", response))
                    }
                }
                // The case itself, and an unknown record: both 404, neither telling anything.
                let browserHeaders = browser.headers
                responses.append(("\(role) case page", try await app.send(.GET, "/cases/\(caseID)", headers: browserHeaders)))
                responses.append(("\(role) case API", try await caller.send(.GET, "/api/v1/cases/\(caseID)")))
                responses.append(("\(role) case search", try await caller.send(.GET, "/api/v1/cases?q=9XK4P7Q")))
                responses.append(("\(role) export", try await caller.send(.GET, "/api/v1/placement-requests/\(requestID)")))
            }
            #expect(responses.count > 20, "the walk reached the pages")
            for (label, response) in responses {
                let leaked = Self.leaks(response)
                #expect(leaked.isEmpty, "\(label) shows \(leaked)")
            }
            // The pseudonym, by contrast, is there: the walk did see the request.
            let pseudonym = try #require(try await CaseRecord.find(caseID, on: app.db)?.pseudonym)
            #expect(responses.contains { $0.1.body.string.contains(pseudonym) })
            // Nor does any log line written meanwhile, by any of these steps.
            for line in logs.all { #expect(Self.forbidden.allSatisfy { !line.contains($0) }, "\(line.prefix(200))") }
        }
    }
}
