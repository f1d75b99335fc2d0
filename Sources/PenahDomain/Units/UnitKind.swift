/// The kinds of organisational unit and how they nest. DOST HQ heads the DOST centres; a regional
/// centre has branches (*filial*); SXA oversees the shelters, its own and the accredited ones.
public enum UnitKind: String, CaseIterable, Sendable, Codable {
    case hq, centre, regionalCentre, branch, sxa, shelter

    /// Kinds this kind may sit under.
    public var allowedParents: Set<UnitKind> {
        switch self {
        case .hq, .sxa: []
        case .centre, .regionalCentre: [.hq]
        case .branch: [.regionalCentre, .centre]
        case .shelter: [.sxa]
        }
    }

    /// Branches and shelters only exist under their parent.
    public var requiresParent: Bool { self == .branch || self == .shelter }

    /// Units that deliver the service at a desk (card fields 4 and 20).
    public var servesVisitors: Bool { self == .centre || self == .regionalCentre || self == .branch }

    public var messageKey: String { "unit.kind.\(rawValue)" }
}

/// What a new unit must satisfy before it is stored. Pure, so the command line, the admin pages and
/// the API give the same answers.
public struct UnitDraft: Sendable {
    public var code: String
    public var kind: UnitKind
    public var name: String
    public var parentKind: UnitKind?
    public var hasParentCode: Bool
    public var capacity: Int?

    public init(code: String, kind: UnitKind, name: String, parentKind: UnitKind?, hasParentCode: Bool, capacity: Int?) {
        self.code = code
        self.kind = kind
        self.name = name
        self.parentKind = parentKind
        self.hasParentCode = hasParentCode
        self.capacity = capacity
    }

    public static let maxCapacity = 10_000

    /// Codes are short upper-case ASCII so they read well on boards and in case numbers.
    public static func isValidCode(_ code: String) -> Bool {
        guard (2...32).contains(code.count), let first = code.first, first != "-" else { return false }
        return code.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Each problem as (field, message key).
    public func problems() -> [FieldProblem] {
        var found: [FieldProblem] = []
        if !UnitDraft.isValidCode(code) { found.append(.init(field: "code", code: "invalidCode")) }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { found.append(.init(field: "name", code: "required")) }
        else if trimmed.count > 200 { found.append(.init(field: "name", code: "tooLong")) }
        else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            found.append(.init(field: "name", code: "invalidCharacters"))
        }
        if hasParentCode && parentKind == nil { found.append(.init(field: "parent", code: "unknownUnit")) }
        if let parentKind, !kind.allowedParents.contains(parentKind) {
            found.append(.init(field: "parent", code: "parentNotAllowed"))
        }
        if kind.requiresParent && !hasParentCode { found.append(.init(field: "parent", code: "required")) }
        switch (kind, capacity) {
        case (.shelter, nil): found.append(.init(field: "capacity", code: "required"))
        case (.shelter, let places?) where places < 1 || places > UnitDraft.maxCapacity:
            found.append(.init(field: "capacity", code: "outOfRange"))
        case (.shelter, _): break
        case (_, .some): found.append(.init(field: "capacity", code: "onlyForShelters"))
        case (_, nil): break
        }
        return found
    }
}

/// One validation problem: the field and a stable code; the message comes from the catalogue
/// (`error.<code>`).
public struct FieldProblem: Equatable, Sendable, Codable {
    public let field: String
    public let code: String
    public init(field: String, code: String) { self.field = field; self.code = code }
    public var messageKey: String { "error.\(code)" }
}

import Foundation
