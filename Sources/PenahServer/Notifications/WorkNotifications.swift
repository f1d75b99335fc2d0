import Fluent
import Foundation
import PenahDomain

/// Who is told what, in one place: called inside the write that makes the change.
enum WorkNotifications {
    /// SXA asked, approved or refused: the DOST workers on the case (who sent the request, its
    /// lawyer, psychologist and responsible worker), by case number, linking to the case's placement section.
    static func toCaseWorkers(_ kind: NotificationKind, about request: PlacementRequest, on db: any Database) async throws {
        guard let record = try await CaseRecord.find(request.caseID, on: db) else { return }
        let workers = Set([request.submittedBy, record.lawyerID, record.psychologistID, record.responsibleID].compactMap { $0 })
        try await Notifications.send(kind, label: record.number, link: SitePath.case(request.caseID) + "#placement-h", to: workers, on: db)
    }

    /// An urgent request: every active SXA officer, by pseudonym (SXA never learns more).
    static func urgentRequest(_ request: PlacementRequest, on db: any Database) async throws {
        let officers = try await StaffUser.query(on: db).filter(\.$role == .sxaOfficer).filter(\.$active == true).all().compactMap(\.id)
        try await Notifications.send(.urgentRequest, label: request.pseudonym, link: SitePath.sxaRequest(try request.requireID()),
                                     to: Set(officers), on: db)
    }

    /// A notice failed or was acknowledged: the lawyer who wrote it, by its number.
    static func aboutNotice(_ kind: NotificationKind, _ notice: NoticeRecord, on db: any Database) async throws {
        try await Notifications.send(kind, label: notice.number, link: SitePath.case(notice.caseID) + "#police-h", to: [notice.createdBy], on: db)
    }
}
