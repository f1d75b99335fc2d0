import Foundation
import Vapor

/// A STAND-IN for ESDAS document registration, for local runs and tests only. It checks the bearer
/// token, registers each `Idempotency-Key` once (a repeat gets the same number back) and answers
/// `{registrationNumber, registeredAt}` as `ESDASRegistration` expects.
actor ESDASRegister {
    private(set) var numbers: [String: String] = [:]
    private(set) var posts = 0
    var available = true

    func setAvailable(_ value: Bool) { available = value }

    func register(key: String) -> String {
        posts += 1
        if let known = numbers[key] { return known }
        let number = String(format: "ESDAS-SANDBOX-%06d", numbers.count + 1)
        numbers[key] = number
        return number
    }
}

struct ESDASStandIn: RouteCollection {
    let token: String
    let register: ESDASRegister

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "esdas", "documents", body: .collect(maxSize: "64kb"), use: receive)
    }

    @Sendable func receive(_ req: Request) async throws -> Response {
        guard let given = req.headers.bearerAuthorization?.token, constantTimeEqual(given, token) else { return Response(status: .unauthorized) }
        guard let key = req.headers.first(name: "Idempotency-Key"), !key.isEmpty,
              let body = req.body.data, (try? JSONSerialization.jsonObject(with: Data(buffer: body))) != nil else { return Response(status: .badRequest) }
        guard await register.available else { return Response(status: .serviceUnavailable) }
        let number = await register.register(key: key)
        let answer = #"{"registrationNumber":"\#(number)","registeredAt":"\#(ISO8601DateFormatter().string(from: Date()))"}"#
        return Response(status: .created, headers: ["Content-Type": "application/json"], body: .init(string: answer))
    }
}
