import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

/// A valid application as the contract's JSON; tests change what they need.
func sampleApplication(firstName: String = "Gülnarə", lastName: String = "İsmayılova", fin: String? = "5ZK8M2P",
                       phone: String? = "050 123 45 67", birthDate: String = "1991-04-17", residence: String = "citizen",
                       ticketId: UUID? = nil) -> [String: Any] {
    var victim: [String: Any] = ["firstName": firstName, "lastName": lastName, "patronymic": "Rəşid qızı", "birthDate": birthDate,
                                 "sex": "female", "residence": residence, "documentType": "idCard", "documentNumber": "AZE12345678",
                                 "address": "Bakı, Nəsimi r-nu, Azadlıq pr. 1", "preferredLanguage": "az", "interpreterNeeded": false]
    if let fin { victim["fin"] = fin }
    if let phone { victim["phone"] = phone }
    var body: [String: Any] = ["channel": "inPerson", "applicant": ["kind": "victim"], "victim": victim,
                               "consent": ["services": true, "referral": true, "capturedAs": "signature"]]
    if let ticketId { body["ticketId"] = ticketId.uuidString }
    return body
}

func json(_ object: Any) -> ByteBuffer { ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object)) }

extension TestingHTTPResponse {
    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
    var text: String { body.string }
    /// The field names of a 422's `errors`.
    var errorFields: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    var errorCodes: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String } }
}

/// An API caller of one role in one unit.
struct APICaller {
    let app: Application
    let staff: TestStaff
    let token: String

    func send(_ method: HTTPMethod, _ path: String, _ body: Any? = nil, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders.bearer(token)
        if body != nil { headers.add(name: .contentType, value: "application/json") }
        headers.add(contentsOf: extra)
        return try await app.send(method, path, headers: headers, body: body.map(json))
    }

    /// Registers the application and returns the new case id.
    func register(_ body: [String: Any] = sampleApplication()) async throws -> UUID {
        let response = try await send(.POST, "/api/v1/cases", body)
        #expect(response.status == .created, "\(response.text)")
        return UUID(uuidString: response.object["id"] as? String ?? "")!
    }
}

extension Application {
    func caller(_ role: Role, unit: String? = nil) async throws -> APICaller {
        let staff = try await makeStaff(role, unit: unit)
        return APICaller(app: self, staff: staff, token: try await token(for: staff))
    }

    /// A legal or psychological section with the given risk factors present.
    static func section(_ section: String, factors: [String] = [], notes: String = "Danışdı, yazıldı.") -> [String: Any] {
        ["section": section, "violenceForms": ["physical", "psychological"], "relationship": "spouse",
         "riskFactors": Dictionary(uniqueKeysWithValues: factors.map { ($0, true) }), "needs": ["safety", "shelter"],
         "notes": notes, "incidentDate": "2026-11-20", "incidentDistrict": "Nəsimi", "childrenPresent": true]
    }
}
