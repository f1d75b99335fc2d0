import AsyncHTTPClient
import Foundation
import NIOCore

/// Registers a notice as an outgoing document in ESDAS (MEİS electronic document circulation) and
/// keeps the registration number it gives. Only the document's particulars go — never its content,
/// which names her; the letter itself travels by the police gateway or by hand.
///
/// Request: `POST {PENAH_ESDAS_URL}` with `Authorization: Bearer {PENAH_ESDAS_TOKEN}`,
/// `Idempotency-Key: <noticeId>` and
/// `{externalId, documentKind: "outgoingLetter", number, senderUnit, addressee: "lawEnforcement", urgency, createdAt}`.
/// Response: 2xx `{registrationNumber, registeredAt}`; anything else is retried by the outbox.
struct ESDASRegistration: OutboxAdapter {
    let url: URL
    let token: String
    let client: HTTPClient

    struct Request: Codable, Sendable {
        let externalId: UUID
        let documentKind: String
        let number: String
        let senderUnit: String
        let addressee: String
        let urgency: String
        let createdAt: Date
    }
    struct Answer: Codable, Sendable { let registrationNumber: String; let registeredAt: String? }

    func deliver(notice: NoticeRecord, body: Data) async throws -> String? {
        let particulars = try NoticeBody.decode(body)
        let payload = Request(externalId: try notice.requireID(), documentKind: "outgoingLetter", number: notice.number,
                              senderUnit: particulars.unitCode, addressee: "lawEnforcement", urgency: notice.urgency.rawValue, createdAt: notice.createdAt)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Idempotency-Key", value: payload.externalId.uuidString)
        request.body = .bytes(ByteBuffer(data: try encoder.encode(payload)))
        let response: HTTPClientResponse
        do { response = try await client.execute(request, timeout: .seconds(10)) } catch { throw DeliveryError(reason: "transport") }
        let bytes = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else { throw DeliveryError(reason: "http \(response.status.code)") }
        guard let bytes, let answer = try? JSONDecoder().decode(Answer.self, from: Data(buffer: bytes)),
              !answer.registrationNumber.isEmpty, answer.registrationNumber.count <= 100 else {
            throw DeliveryError(reason: "malformed answer")
        }
        return answer.registrationNumber
    }
}
