import Foundation
import PenahDomain
import Vapor

/// The case page's forms read into the same inputs the API decodes from JSON. A value outside its
/// code list is a field problem, never silently dropped.
enum CaseForms {
    static func codes<T: CaseCode>(_ type: T.Type, _ req: Request, _ name: String, problems: inout [FieldProblem]) -> [T] {
        var found: [T] = []
        for raw in req.formValues(name).prefix(50) {
            if let code = T(rawValue: raw) { found.append(code) } else { problems.append(.init(field: name, code: "unknownCode")) }
        }
        return found
    }

    static func flag(_ req: Request, _ name: String) -> Bool { req.formValue(name) != nil }

    /// The interview section form. The input is returned even with problems so the page can show
    /// what was typed.
    static func assessment(_ req: Request) -> (input: AssessmentInput?, problems: [FieldProblem]) {
        var problems: [FieldProblem] = []
        guard let section = AssessmentSection(rawValue: req.formValue("section", limit: 40) ?? "") else {
            return (nil, [.init(field: "section", code: "invalidValue")])
        }
        let forms = codes(ViolenceForm.self, req, "violenceForms", problems: &problems)
        let factors = codes(RiskFactor.self, req, "riskFactors", problems: &problems)
        let needs = codes(Need.self, req, "needs", problems: &problems)
        var relationship: Relationship?
        if let raw = req.formValue("relationship", limit: 40), !raw.isEmpty {
            relationship = Relationship(rawValue: raw)
            if relationship == nil { problems.append(.init(field: "relationship", code: "unknownCode")) }
        }
        var input = AssessmentInput(section: section, violenceForms: forms, relationship: relationship,
                                    riskFactors: Dictionary(uniqueKeysWithValues: RiskFactor.allCases.map { ($0.rawValue, factors.contains($0)) }),
                                    needs: needs, notes: req.formValue("notes", limit: AssessmentInput.maxNotesLength + 1))
        input.incidentDate = req.formValue("incidentDate", limit: 40)?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        input.incidentDistrict = req.formValue("incidentDistrict", limit: 101)
        input.livesWithPerpetrator = flag(req, "livesWithPerpetrator")
        input.childrenPresent = flag(req, "childrenPresent")
        input.earlierIncidents = flag(req, "earlierIncidents")
        input.protectionOrderExists = flag(req, "protectionOrderExists")
        return (input, problems)
    }

    static func decision(_ req: Request) throws -> DecisionInput {
        var problems: [FieldProblem] = []
        let services = codes(Service.self, req, "services", problems: &problems)
        let methods = codes(SafeContact.Method.self, req, "methods", problems: &problems)
        let level = RiskLevel(rawValue: req.formValue("riskLevel", limit: 40) ?? "")
        if level == nil { problems.append(.init(field: "riskLevel", code: "invalidValue")) }
        guard problems.isEmpty, let level else { throw ValidationProblems(problems) }
        var input = DecisionInput(needsRehabilitation: flag(req, "needsRehabilitation"), services: services, riskLevel: level)
        input.riskReason = req.formValue("riskReason", limit: 2_001)?.nilIfEmpty
        input.safeContact = SafeContact(methods: methods, safeTimes: req.formValue("safeTimes", limit: 201)?.nilIfEmpty,
                                        mayIdentifyAsDost: flag(req, "mayIdentifyAsDost"), voicemailSafe: flag(req, "voicemailSafe"),
                                        smsSafe: flag(req, "smsSafe"), codeWord: req.formValue("codeWord", limit: 61)?.nilIfEmpty)
        return input
    }

    static func refusal(_ req: Request) throws -> CaseRefusal.Input {
        var problems: [FieldProblem] = []
        let via = AnswerChannel(rawValue: req.formValue("answeredVia", limit: 40) ?? "")
        if via == nil { problems.append(.init(field: "answeredVia", code: "invalidValue")) }
        let language = Language(rawValue: req.formValue("language", limit: 8) ?? "")
        if language == nil { problems.append(.init(field: "language", code: "invalidValue")) }
        guard problems.isEmpty else { throw ValidationProblems(problems) }
        return CaseRefusal.Input(explanation: req.formValue("explanation", limit: CaseRefusal.maxExplanation + 1) ?? "", answeredVia: via, language: language)
    }
}
