import Vapor

extension Request {
    /// Decodes a JSON body the way the contract wants errors: an empty or unparsable body is 400
    /// (malformed); a missing or wrongly typed field is 422 naming the field.
    func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        guard let body = body.data, body.readableBytes > 0 else { throw Abort(.badRequest) }
        // JSON sent as something else (text/plain from a form on another site, say) is refused.
        guard let type = headers.contentType, type.type == "application", type.subType == "json" || type.subType.hasSuffix("+json")
        else { throw Abort(.unsupportedMediaType) }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch DecodingError.keyNotFound(let key, let context) {
            throw ValidationProblems([.init(field: Self.path(context.codingPath + [key]), code: "required")])
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw ValidationProblems([.init(field: Self.path(context.codingPath), code: "invalidValue")])
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            throw ValidationProblems([.init(field: Self.path(context.codingPath), code: "invalidValue")])
        } catch {
            throw Abort(.badRequest)
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
