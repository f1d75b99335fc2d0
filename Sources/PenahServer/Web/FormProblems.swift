import PenahDomain

/// Field problems as lines of an error summary, for every form and the generic error page: each
/// links to its field and names it by its label in the user's language, never by its code.
enum FormProblems {
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
