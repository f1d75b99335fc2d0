import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahServer

@Suite("Logs")
struct LogPrivacyTests {
    @Test("no password, code, token, search text or typed name reaches a log line")
    func noSecretsInLogs() async throws {
        let capture = LogCapture.shared
        try await withPenah { app in
            let staff = try await app.makeStaff(.reception)
            let token = try await app.token(for: staff)
            let marker = "Zərifə-Qəhrəmanova-5ABCD7K"
            _ = try await app.send(.POST, "/api/v1/auth/token", headers: jsonHeaders,
                                   body: jsonBody(["username": staff.username, "password": "WRONG-\(marker)", "otp": "918273"]))
            _ = try await app.send(.GET, "/api/v1/units?q=\(marker.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                                   headers: .bearer(token))
            _ = try await app.send(.GET, "/no-such/\(marker.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            let lines = capture.all
            #expect(lines.contains { $0.contains("request") && $0.contains("/api/v1/units") }, "the access log is being captured")
            for line in lines {
                #expect(!line.contains("5ABCD7K") && !line.contains("Qəhrəmanova") && !line.contains("Q%C9%99"), "\(line)")
                // The code alone, not as part of a longer hex string (a hash in a trace line may hold those digits).
                let code = line.range(of: "(?<![0-9a-fA-F])918273(?![0-9a-fA-F])", options: .regularExpression)
                #expect(!line.contains(staff.password) && code == nil && !line.contains(token), "\(line)")
            }
        }
    }
}
