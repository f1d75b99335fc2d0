import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Something the outbox delivers a notice to. The delivery worker only knows this protocol:
/// `HTTPPoliceGateway` and `ESDASRegistration` are the real ones; tests and the benchmark point
/// them at the stand-ins.
protocol OutboxAdapter: Sendable {
    /// Returns the receiver's reference, if it gives one, when it answered 2xx; throws
    /// `DeliveryError` otherwise. The notice id is the receiver's idempotency key.
    func deliver(notice: NoticeRecord, body: Data) async throws -> String?
}

/// CONTRACT.md "Outbound": `POST {PENAH_POLICE_GATEWAY_URL}` with the JSON notice, headers
/// `Idempotency-Key: <noticeId>` and `X-Penah-Signature: sha256=<hex HMAC-SHA-256 of the raw body>`.
struct HTTPPoliceGateway: OutboxAdapter {
    let url: URL
    let secret: String
    let client: HTTPClient
    var timeout: TimeAmount = .seconds(10)

    static func signature(of body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }

    func deliver(notice: NoticeRecord, body: Data) async throws -> String? {
        try await deliver(body: body, idempotencyKey: try notice.requireID().uuidString)
        return nil
    }

    func deliver(body: Data, idempotencyKey: String) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        request.headers.add(name: "X-Penah-Signature", value: Self.signature(of: body, secret: secret))
        request.body = .bytes(ByteBuffer(data: body))
        let response: HTTPClientResponse
        do { response = try await client.execute(request, timeout: timeout) } catch { throw DeliveryError(reason: "transport") }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else { throw DeliveryError(reason: "http \(response.status.code)") }
    }
}
