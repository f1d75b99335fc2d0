import Crypto
import Foundation
import PenahDomain
import Vapor

/// Refuses, for every JSON and form body, text that holds control characters (other than tab
/// and line breaks) or invisible format characters such as the bidi overrides: U+202E can make a
/// printed letter read backwards, and NUL cuts text short in other systems. One rule for every
/// field (registration already applied it to its own), so a new form cannot forget it. Uploaded
/// files (multipart) are not text and are checked by their own rules.
struct TextHygieneMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH].contains(request.method), let type = request.headers.contentType,
              type.type == "application", type.subType == "json" || type.subType.hasSuffix("+json") || type == .urlEncodedForm
        else { return try await next.respond(to: request) }
        // Text bodies are read here, within the same limit the routes use; a larger one is 413.
        let limit = request.application.routes.defaultMaxBodySize.value
        guard let body = try await request.body.collect(max: limit).get(), body.readableBytes > 0 else { return try await next.respond(to: request) }
        if type.type == "application", type.subType == "json" || type.subType.hasSuffix("+json") {
            // A body that is not JSON is left to the route, which answers 400.
            if let value = try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) {
                if let field = JSONDuplicateKeys.first(in: Array(buffer: body)) {
                    throw MalformedBody(problems: [.init(field: field, code: "duplicateKey")])
                }
                if let field = Self.firstUnsafe(in: value, path: "") {
                    throw ValidationProblems([.init(field: field, code: "invalidCharacters")])
                }
            }
        } else if type == .urlEncodedForm {
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
                if let value = parts.dropFirst().first, !PlainText.isSafe(value) {
                    throw ValidationProblems([.init(field: parts[0], code: "invalidCharacters")])
                }
            }
        }
        return try await next.respond(to: request)
    }

    private static func firstUnsafe(in value: Any, path: String) -> String? {
        switch value {
        case let text as String: return PlainText.isSafe(text) ? nil : (path.isEmpty ? "body" : path)
        case let object as [String: Any]:
            for (key, inner) in object {
                let here = path.isEmpty ? key : path + "." + key
                if !PlainText.isSafe(key) { return here }
                if let found = firstUnsafe(in: inner, path: here) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, inner) in array.enumerated() {
                if let found = firstUnsafe(in: inner, path: path + "." + String(index)) { return found }
            }
            return nil
        default: return nil
        }
    }
}

/// A body that parses but cannot be read one way only (a key sent twice): 400 naming the field.
struct MalformedBody: Error {
    let problems: [FieldProblem]
}

extension Request {
    /// The request id as logs and audit events keep it: `X-Request-Id` when it is a short token
    /// (up to 64 of letters, digits, `.`, `_`, `:`, `-`), otherwise one made from it, so a 60 KB
    /// header or markup is never stored or printed as sent.
    var safeID: String {
        let allowed = id.utf8.count <= 64 && !id.isEmpty && id.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-_:".unicodeScalars.contains($0))
        }
        return allowed ? id : "penah-" + Hex.encode(SHA256.hash(data: Data(id.utf8)).prefix(12))
    }
}

/// Puts the safe request id in this request's log lines in place of Vapor's copy of the header.
struct RequestIDMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.logger[metadataKey: "request-id"] = .string(request.safeID)
        return try await next.respond(to: request)
    }
}
