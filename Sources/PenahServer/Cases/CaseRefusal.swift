import Fluent
import Foundation
import PenahDomain
import Vapor

/// Refusal (card field 8): one ground only, *no legal basis*, with the explanation, the legal
/// reference and the way to appeal; how the answer reached her is recorded.
struct CaseRefusal {
    let db: any Database
    let vault: IdentityVault

    static let ground = "noLegalBasis"
    static let maxExplanation = 4_000

    struct Input: Codable, Sendable {
        var explanation: String
        var answeredVia: AnswerChannel?
        /// The language the printed refusal is given in (her preferred one by default).
        var language: Language?
    }

    /// Everything that would refuse this refusal — out of scope (404), a field problem (422), a case
    /// that can no longer be refused (409) — checked before anything is written, and before the
    /// page asks for confirmation. Returns the case and the trimmed explanation.
    func check(_ input: Input, caseID: UUID?, staff: StaffContext) async throws -> (CaseRecord, String) {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .refuseCase, on: db)
        let explanation = input.explanation.trimmingCharacters(in: .whitespacesAndNewlines)
        if explanation.isEmpty { throw ValidationProblems([.init(field: "explanation", code: "required")]) }
        if explanation.count > Self.maxExplanation { throw ValidationProblems([.init(field: "explanation", code: "tooLong")]) }
        guard CaseRules.canRefuse(status: record.status) else { throw Abort(.conflict) }
        return (record, explanation)
    }

    func refuse(_ input: Input, caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws {
        let (record, explanation) = try await check(input, caseID: caseID, staff: staff)
        let sealed = try await vault.seal(explanation, field: "case.refusal")
        try await db.writeTransaction { db in
            guard let current = try await CaseRecord.find(record.id, on: db), CaseRules.canRefuse(status: current.status) else {
                throw Abort(.conflict)
            }
            current.status = .refused
            current.refusal = sealed
            current.refusalAnsweredVia = input.answeredVia ?? .inPerson
            current.refusalLanguage = input.language ?? current.preferredLanguage.flatMap(Language.init(rawValue:)) ?? .az
            current.concludedAt = now
            try await current.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "case.refuse", recordType: "case", recordID: record.id?.uuidString)
        }
    }
}
