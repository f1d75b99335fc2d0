import Fluent
import Foundation
import PenahDomain
import Vapor

/// One warning per case and clock, so a clock about to run out is announced once, on any node.
final class ClockWarning: Model, @unchecked Sendable {
    static let schema = "clock_warnings"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "clock") var clock: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// A job in `serve` (every minute): a case's running clock with less than `lead` left tells the
/// people responsible for it — the interviewing lawyer and psychologist, or who registered it while
/// nobody interviews yet — once, by case number, linking to its clocks.
struct ClockWarnings {
    let db: any Database
    let standards: TimeStandards

    static let interval: Duration = .seconds(60)
    /// How long before its end a clock is announced.
    static let lead: TimeInterval = 15 * 60

    static func job() -> PeriodicJob {
        PeriodicJob("clock warnings", every: interval) { app in
            try await ClockWarnings(db: app.db, standards: app.settings.standards).sweep()
        }
    }

    /// Returns how many warnings it sent.
    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        // The cases in which a clock may still run, a page at a time; whether one runs out soon is `CaseClock`'s answer.
        var sent = 0, offset = 0
        while true {
            let page = try await CaseList.clockMayRun(CaseRecord.query(on: db)).sort(\.$id).offset(offset).limit(500).all()
            for record in page {
                for clock in CaseClocks.views(record, standards: standards, now: now) where clock.stoppedAt == nil {
                    guard let left = clock.secondsLeft, TimeInterval(left) <= Self.lead else { continue }
                    if try await warn(record, clock: clock.kind, now: now) { sent += 1 }
                }
            }
            if page.count < 500 { return sent }
            offset += 500
        }
    }

    private func warn(_ record: CaseRecord, clock: String, now: Date) async throws -> Bool {
        let id = try record.requireID()
        guard try await ClockWarning.query(on: db).filter(\.$caseID == id).filter(\.$clock == clock).count() == 0 else { return false }
        let responsible = Set(record.responsible)
        do {
            try await db.writeTransaction { db in
                let warning = ClockWarning()
                warning.caseID = id
                warning.clock = clock
                warning.createdAt = now
                // The unique index: another node warning at the same moment makes this one fail, and only it.
                try await warning.create(on: db)
                try await Notifications.send(.clockRunningOut, label: record.number, link: SitePath.case(id) + "#clocks-h",
                                             to: responsible.isEmpty ? [record.registeredBy] : responsible, on: db, now: now)
            }
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return false
        }
    }
}
