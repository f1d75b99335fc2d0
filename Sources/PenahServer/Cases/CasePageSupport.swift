import Foundation
import PenahDomain
import Vapor

/// Small pieces the case pages share: choices for `<select>`s and check boxes from the code lists.
struct Choice: Encodable {
    let value: String
    let labelKey: String
    let selected: Bool

    static func of<T: CaseCode>(_ type: T.Type, selected: [String]) -> [Choice] {
        T.allCases.map { Choice(value: $0.rawValue, labelKey: $0.messageKey, selected: selected.contains($0.rawValue)) }
    }
}

extension Request {
    /// A form value: trimmed, at most `limit` characters kept for redisplay.
    func formValue(_ name: String, limit: Int = 10_000) -> String? {
        (try? content.get(String.self, at: name)).map { String($0.prefix(limit)) }
    }

    func formValues(_ name: String) -> [String] {
        (try? content.get([String].self, at: name)) ?? (try? content.get(String.self, at: name)).map { [$0] } ?? []
    }
}
