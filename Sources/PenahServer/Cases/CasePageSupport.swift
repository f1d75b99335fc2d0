import Foundation
import PenahDomain
import Vapor

/// Small pieces the case pages share: choices for `<select>`s and check boxes from the code lists,
/// and field problems turned into lines that link to the field and name it in the user's language.
struct Choice: Encodable {
    let value: String
    let labelKey: String
    let selected: Bool

    static func of<T: CaseCode>(_ type: T.Type, selected: [String]) -> [Choice] {
        T.allCases.map { Choice(value: $0.rawValue, labelKey: $0.messageKey, selected: selected.contains($0.rawValue)) }
    }
}

enum CaseFormProblems {
    /// `victim.firstName` → a line linking to `#victim-firstName`, labelled with `case.form.firstName`.
    static func lines(_ problems: [FieldProblem], labelPrefixes: [String] = ["case.form."]) -> [ErrorPageContext.FieldLine] {
        problems.map { problem in
            let parts = problem.field.split(separator: ".").map(String.init)
            var name = parts.last ?? problem.field
            if parts.count == 2, ["applicant", "consent"].contains(parts[0]), !["authorityDocument", "witnessedBy"].contains(name) {
                name = parts[0] + name.prefix(1).uppercased() + name.dropFirst()
            }
            // The form's own label first, then the shared `field.` one; never the code itself.
            let key = (labelPrefixes + ["field."]).map { $0 + name }.first { Catalogue.shared.entries[.en]?[$0] != nil }
            return .init(field: problem.field.replacingOccurrences(of: ".", with: "-"), messageKey: problem.messageKey, labelKey: key)
        }
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
