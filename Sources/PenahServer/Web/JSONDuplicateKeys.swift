import Foundation

/// Finds the first object key that appears twice in one JSON object.
///
/// Why: JSON decoders disagree on `{"risk":"high","risk":"standard"}` — one keeps the first, another
/// the last — so a proxy, an audit copy and Penah could each read a different request from the same
/// bytes. Penah refuses such a body (400) rather than pick. Foundation has no option for it, so this
/// walks the bytes of a body that `JSONSerialization` has already accepted as well-formed; it only
/// tracks strings and nesting, never values.
enum JSONDuplicateKeys {
    /// The dotted path of the first repeated key (`"a.0.b"`), or nil when every object's keys are unique.
    static func first(in bytes: [UInt8]) -> String? {
        // One frame per open container: the keys seen (objects only), where it sits in the document,
        // and, for arrays, the index of the element being read.
        struct Frame { var keys: Set<String>?; var path: String; var index = 0; var lastKey = "" }
        var stack: [Frame] = []
        var expectingKey = false
        var position = 0

        func child(of frame: Frame) -> String {
            let part = frame.keys == nil ? String(frame.index) : frame.lastKey
            return frame.path.isEmpty ? part : frame.path + "." + part
        }

        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                let start = position
                position += 1
                while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                    position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
                }
                if expectingKey, var frame = stack.popLast() {
                    // Escapes are resolved so that "a" and "\u0061" count as the same key.
                    let literal = Data(bytes[start...min(position, bytes.count - 1)])
                    let key = (try? JSONDecoder().decode(String.self, from: literal)) ?? String(decoding: literal, as: UTF8.self)
                    if frame.keys?.contains(key) == true {
                        frame.lastKey = key
                        return child(of: frame)
                    }
                    frame.keys?.insert(key)
                    frame.lastKey = key
                    stack.append(frame)
                    expectingKey = false
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let path = stack.last.map(child(of:)) ?? ""
                stack.append(Frame(keys: byte == UInt8(ascii: "{") ? [] : nil, path: path))
                expectingKey = byte == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
                expectingKey = false
            case UInt8(ascii: ","):
                if var frame = stack.popLast() {
                    frame.index += 1
                    expectingKey = frame.keys != nil
                    stack.append(frame)
                }
            default:
                break
            }
            position += 1
        }
        return nil
    }
}
