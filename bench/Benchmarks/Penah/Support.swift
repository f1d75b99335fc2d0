import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// HTTP on loopback through one shared client, JSON in and out.
enum HTTP {
    static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                   configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)))

    /// A browser's sign-in: the login form's 303 is read, not followed (following it would drop the
    /// session cookie it sets).
    static let signIn = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                   configuration: .init(redirectConfiguration: .disallow))

    /// Long-lived feeds (boards, open staff pages) on connections of their own, up to 256 at once.
    static let feeds = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                  configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)))

    struct Answer {
        let status: HTTPResponseStatus
        let body: ByteBuffer
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
    }

    static func get(_ url: String, token: String? = nil) async throws -> Answer {
        try await send(.GET, url, token: token, body: nil)
    }

    static func post(_ url: String, token: String? = nil, json object: Any? = nil) async throws -> Answer {
        try await send(.POST, url, token: token, body: try object.map { try JSONSerialization.data(withJSONObject: $0) })
    }

    static func send(_ method: HTTPMethod, _ url: String, token: String?, body: Data?) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        return Answer(status: response.status, body: try await response.body.collect(upTo: 8 << 20))
    }

    /// `POST /api/v1/auth/token` with the current TOTP code.
    static func token(_ base: String, username: String, password: String, otpURI: String) async throws -> String {
        let answer = try await post(base + "/api/v1/auth/token",
                                    json: ["username": username, "password": password, "otp": try TOTP.code(uri: otpURI)])
        guard answer.status == .ok, let token = answer.json["token"] as? String else {
            throw BenchFailure("sign-in as \(username) answered \(answer.status.code)")
        }
        return token
    }

    /// A `multipart/form-data` upload of one PDF with the given fields.
    static func upload(_ url: String, token: String, fields: [String: String], file: Data) async throws -> Answer {
        let boundary = "penah-bench-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"akt.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8))
        body.append(file)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer " + token)
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        return Answer(status: response.status, body: try await response.body.collect(upTo: 8 << 20))
    }

    /// A page as a signed-in browser asks for it.
    static func page(_ url: String, cookie: String) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Cookie", value: cookie)
        request.headers.add(name: "Accept", value: "text/html")
        let response = try await client.execute(request, timeout: .seconds(30))
        return Answer(status: response.status, body: try await response.body.collect(upTo: 8 << 20))
    }

    /// Signs in through the login form, as a browser does (its CSRF token, the TOTP code `otpStep`
    /// steps ahead so that an API sign-in in the same 30 seconds does not use the same code); returns
    /// the `Cookie` header value of the session.
    static func webSession(_ base: String, username: String, password: String, otpURI: String, otpStep: Int = 0) async throws -> String {
        let form = try await signIn.execute(HTTPClientRequest(url: base + "/login"), timeout: .seconds(30))
        let pre = form.headers["Set-Cookie"].compactMap { $0.split(separator: ";").first.map(String.init) }.joined(separator: "; ")
        let html = String(buffer: try await form.body.collect(upTo: 1 << 20))
        guard let csrf = html.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.components(separatedBy: "\"").first else {
            throw BenchFailure("the login page has no CSRF token")
        }
        let code = try TOTP.code(uri: otpURI, at: Date().addingTimeInterval(Double(otpStep) * 30))
        var request = HTTPClientRequest(url: base + "/login")
        request.method = .POST
        request.headers.add(name: "Cookie", value: pre)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let fields = [("csrf", csrf), ("username", username), ("password", password), ("otp", code)]
        let body = fields.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        let answer = try await signIn.execute(request, timeout: .seconds(30))
        guard let session = answer.headers["Set-Cookie"].first(where: { $0.hasPrefix("penah_session=") })?.split(separator: ";").first else {
            throw BenchFailure("signing in as \(username) through the login form answered \(answer.status.code)")
        }
        return String(session)
    }

    /// Fails the benchmark unless the answer has the status a working server gives.
    @discardableResult
    static func expect(_ status: HTTPResponseStatus, _ answer: Answer, _ what: String) throws -> Answer {
        guard answer.status == status else {
            throw BenchFailure("\(what) answered \(answer.status.code), not \(status.code): \(String(buffer: answer.body).prefix(300))")
        }
        return answer
    }
}

/// RFC 6238 codes (SHA-1, 6 digits, 30 s) from an otpauth:// provisioning URI, for signing in.
enum TOTP {
    static func code(uri: String, at date: Date = Date()) throws -> String {
        guard let secret = URLComponents(string: uri)?.queryItems?.first(where: { $0.name == "secret" })?.value,
              let key = base32(secret) else { throw BenchFailure("no TOTP secret in the provisioning URI") }
        var counter = UInt64(date.timeIntervalSince1970 / 30).bigEndian
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: Data(bytes: &counter, count: 8), using: SymmetricKey(data: key)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value = (UInt32(mac[offset]) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])) & 0x7FFF_FFFF
        return String(format: "%06d", value % 1_000_000)
    }

    private static func base32(_ text: String) -> Data? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0, value = 0, bytes: [UInt8] = []
        for character in text.uppercased() where character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 { bytes.append(UInt8((value >> (bits - 8)) & 0xFF)); bits -= 8 }
        }
        return Data(bytes)
    }
}

/// Runs a command to its end; returns what it printed (output and errors, in one pipe so that
/// neither can fill up while the other is read), or throws with it.
enum Shell {
    @discardableResult
    static func run(_ command: String, _ arguments: [String], environment: [String: String]? = nil, input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command.contains("/") ? command : "/usr/bin/env")
        process.arguments = command.contains("/") ? arguments : [command] + arguments
        if let environment { process.environment = environment }
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure("\(command) \(arguments.prefix(2).joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: printed, as: UTF8.self).suffix(500))")
        }
        return String(decoding: printed, as: UTF8.self)
    }
}

/// A TCP port nobody listens on now: bind to port 0, read it back, close.
enum FreePort {
    static func pick() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw BenchFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
