import FluentKit
import Foundation

/// A JSON column read back strictly: a value that does not decode (a corrupt or hand-edited row) is
/// the same fault as a stored code its enum lacks — a 503 naming the column (`DatabaseFault`) — and
/// never an empty default, which would read a woman's children as none, or a shelter's rules as
/// taking everyone.
enum StoredJSON {
    static func decode<T: Decodable>(_ type: T.Type, from text: String, column: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) }
        catch { throw FluentError.invalidField(name: column, valueType: type, error: error) }
    }
}
