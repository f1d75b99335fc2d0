import Foundation
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

@Suite("Ticket states")
struct TicketStateTests {
    @Test("a called or served ticket holds its desk; a waiting, finished or no-show one does not")
    func holdsDesk() {
        #expect(TicketStatus.allCases.filter(DeskRules.holdsDesk) == [.called, .serving])
    }

    @Test("ticket labels as format makes them are well formed; anything else is not",
          arguments: [("S-001", true), ("S-1234", true), ("AB-099", true), ("s-001", false), ("S001", false), ("S-", false),
                      ("-001", false), ("S-00a", false), ("<script>", false), ("S-001-2", false), ("", false), ("S-٣٤٥", false)])
    func wellFormed(_ label: String, _ expected: Bool) {
        #expect(TicketNumber.isWellFormed(label) == expected)
        #expect(TicketNumber.isWellFormed(TicketNumber.format(series: "S", number: 7)))
    }

    @Test("allowed transitions", arguments: [
        (TicketTransition.call, TicketStatus.waiting, TicketStatus.called),
        (.recall, .called, .called), (.noShow, .called, .noShow), (.start, .called, .serving),
        (.finish, .serving, .finished), (.transfer, .called, .called), (.transfer, .serving, .called),
    ])
    func allowed(transition: TicketTransition, from: TicketStatus, to: TicketStatus) {
        #expect(transition.apply(to: from) == to)
    }

    @Test("everything else is refused")
    func refused() {
        let allowed: Set<String> = ["call.waiting", "recall.called", "noShow.called", "start.called", "finish.serving",
                                    "transfer.called", "transfer.serving"]
        for transition in TicketTransition.allCases {
            for status in TicketStatus.allCases where !allowed.contains("\(transition.rawValue).\(status.rawValue)") {
                #expect(transition.apply(to: status) == nil, "\(transition) from \(status)")
            }
        }
    }

    @Test("numbers read S-001 … S-999, then S-1000")
    func numbers() {
        #expect(TicketNumber.format(series: "S", number: 1) == "S-001")
        #expect(TicketNumber.format(series: "S", number: 42) == "S-042")
        #expect(TicketNumber.format(series: "S", number: 1000) == "S-1000")
    }
}

@Suite("Queue statistics")
struct QueueStatisticsTests {
    @Test("wait, service, no-shows and tickets per hour")
    func figures() {
        // 06:00Z is 10:00 in Baku.
        let t0 = Date(timeIntervalSince1970: 1_767_247_200)
        let tickets = [
            TicketTimes(issuedAt: t0, calledAt: t0 + 120, finishedAt: t0 + 520, finishedNormally: true, noShow: false),
            TicketTimes(issuedAt: t0 + 60, calledAt: t0 + 300, finishedAt: t0 + 600, finishedNormally: true, noShow: false),
            TicketTimes(issuedAt: t0 + 3700, calledAt: t0 + 3760, finishedAt: t0 + 3900, finishedNormally: false, noShow: true),
            TicketTimes(issuedAt: t0 + 3800, calledAt: nil, finishedAt: nil, finishedNormally: false, noShow: false),
        ]
        let f = QueueStatistics.figures(day: "2026-01-01", tickets: tickets)
        #expect(f.issued == 4 && f.served == 2 && f.noShows == 1)
        #expect(f.averageWaitSeconds == (120 + 240 + 60) / 3)
        #expect(f.averageServiceSeconds == (400 + 300) / 2)
        #expect(f.perHour[10] == 2 && f.perHour[11] == 2 && f.perHour.reduce(0, +) == 4)
        #expect(QueueStatistics.minutesSeconds(177) == (2, 57))
    }

    @Test("an empty day has no averages")
    func empty() {
        let f = QueueStatistics.figures(day: "2026-01-01", tickets: [])
        #expect(f.issued == 0 && f.averageWaitSeconds == nil && f.averageServiceSeconds == nil)
    }
}
