import Testing
@testable import PenahDomain

@Suite("Unit rules")
struct UnitDraftTests {
    func draft(code: String = "BAKU-1", kind: UnitKind = .centre, name: String = "Bakı 1",
               parent: UnitKind? = .hq, hasParent: Bool = true, capacity: Int? = nil) -> UnitDraft {
        UnitDraft(code: code, kind: kind, name: name, parentKind: parent, hasParentCode: hasParent, capacity: capacity)
    }

    @Test("a good centre has no problems")
    func good() { #expect(draft().problems() == []) }

    @Test("codes", arguments: ["", "A", "baku-1", "-BAKU", "BAKU 1", "BAKU/../1", "'><script>", String(repeating: "A", count: 33)])
    func badCodes(code: String) {
        #expect(draft(code: code).problems().contains(FieldProblem(field: "code", code: "invalidCode")))
    }

    @Test("names")
    func names() {
        #expect(draft(name: "  ").problems() == [FieldProblem(field: "name", code: "required")])
        #expect(draft(name: String(repeating: "ə", count: 201)).problems() == [FieldProblem(field: "name", code: "tooLong")])
        #expect(draft(name: "a\u{0007}b").problems() == [FieldProblem(field: "name", code: "invalidCharacters")])
    }

    @Test("hierarchy")
    func hierarchy() {
        #expect(draft(kind: .branch, parent: .regionalCentre).problems() == [])
        #expect(draft(kind: .branch, parent: nil, hasParent: false).problems() == [FieldProblem(field: "parent", code: "required")])
        #expect(draft(kind: .shelter, parent: .centre, capacity: 10).problems() == [FieldProblem(field: "parent", code: "parentNotAllowed")])
        #expect(draft(kind: .hq, parent: .hq).problems() == [FieldProblem(field: "parent", code: "parentNotAllowed")])
        #expect(draft(parent: nil, hasParent: true).problems() == [FieldProblem(field: "parent", code: "unknownUnit")])
    }

    @Test("capacity belongs to shelters only")
    func capacity() {
        #expect(draft(kind: .shelter, parent: .sxa, capacity: 20).problems() == [])
        #expect(draft(kind: .shelter, parent: .sxa, capacity: nil).problems() == [FieldProblem(field: "capacity", code: "required")])
        #expect(draft(kind: .shelter, parent: .sxa, capacity: 0).problems() == [FieldProblem(field: "capacity", code: "outOfRange")])
        #expect(draft(kind: .shelter, parent: .sxa, capacity: 10_001).problems() == [FieldProblem(field: "capacity", code: "outOfRange")])
        #expect(draft(capacity: 5).problems() == [FieldProblem(field: "capacity", code: "onlyForShelters")])
    }
}
