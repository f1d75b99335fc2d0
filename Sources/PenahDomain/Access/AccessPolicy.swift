/// Everything a route can do, named once. Every route declares one of these (or `.public`); a test
/// walks the routes and fails on any route without one.
public enum Action: String, CaseIterable, Sendable {
    case staffHome
    case signOut
    case readApiDescription
    case listUnits
    case manageUnits
    case manageUsers
    case manageSessions
    case viewMetrics
    case verifyAudit
    case readAudit
    case issueTicket
    case useKiosk
    case operateDesk
    case viewQueue
    case viewQueueStats
    case registerCase
    case readCase
    case uploadDocument
    case readDocument
    case writeAssessment
    case decideCase
    case refuseCase
    case readCaseAccessLog
    case assignCase
    case informPolice
    case readNotice
    case retryNotice
    case acknowledgeNotice
    case requestPlacement
    case overridePlacementAct
    case readShelters
    case manageShelters
    case readPlacementInbox
    case decidePlacement
    case admitToShelter
    case manageStay
}

/// The single table of role × action → scope. Absent means "not allowed" (answered as 404).
/// `admin` and `auditor` have no action that reads case content (the auditor reads who touched a
/// case, never what it says).
public enum AccessPolicy {
    public static let table: [Role: [Action: Scope]] = {
        let everyStaffRole: [Action: Scope] = [.staffHome: .own, .signOut: .own, .readApiDescription: .all, .listUnits: .all]
        var table: [Role: [Action: Scope]] = [:]
        for role in Role.staffRoles { table[role] = everyStaffRole }
        table[.admin]?.merge([.manageUnits: .all, .manageUsers: .all, .manageSessions: .all, .viewMetrics: .all]) { $1 }
        table[.auditor]?.merge([.verifyAudit: .all, .readAudit: .all, .viewMetrics: .all]) { $1 }
        table[.reception]?.merge([.issueTicket: .unit, .operateDesk: .unit, .viewQueue: .unit]) { $1 }
        table[.supervisor]?.merge([.viewQueue: .unit, .viewQueueStats: .unit]) { $1 }
        // Cases. Reception and the call centre register and see the case, never the interview.
        let caseWork: [Action: Scope] = [.registerCase: .unit, .readCase: .unit, .uploadDocument: .unit, .readDocument: .unit]
        for role in [Role.reception, .callCentre, .lawyer, .psychologist] { table[role]?.merge(caseWork) { $1 } }
        for role in [Role.lawyer, .psychologist] { table[role]?.merge([.writeAssessment: .unit, .decideCase: .unit]) { $1 } }
        table[.lawyer]?.merge([.refuseCase: .unit]) { $1 }
        table[.supervisor]?.merge([.readCase: .region, .readDocument: .region, .refuseCase: .region, .readCaseAccessLog: .region,
                                   .assignCase: .region]) { $1 }
        table[.auditor]?.merge([.readCaseAccessLog: .all]) { $1 }
        // Informing the police: the lawyer writes and sends; supervisors watch and retry in their region.
        table[.lawyer]?.merge([.informPolice: .unit, .readNotice: .unit, .retryNotice: .unit]) { $1 }
        table[.supervisor]?.merge([.readNotice: .region, .retryNotice: .region]) { $1 }
        // Placement (step 5). DOST asks and answers; SXA decides on a profile with no identity in it;
        // a shelter admits by code and sees only its own place and stays.
        for role in [Role.lawyer, .psychologist] { table[role]?.merge([.requestPlacement: .unit]) { $1 } }
        table[.supervisor]?.merge([.requestPlacement: .region, .overridePlacementAct: .region]) { $1 }
        table[.sxaOfficer]?.merge([.readShelters: .all, .manageShelters: .all, .readPlacementInbox: .all, .decidePlacement: .all]) { $1 }
        table[.admin]?.merge([.readShelters: .all, .manageShelters: .all]) { $1 }
        table[.shelterStaff]?.merge([.readShelters: .unit, .admitToShelter: .unit, .manageStay: .unit]) { $1 }
        table[.lawEnforcementGateway] = [.signOut: .own, .readApiDescription: .all, .acknowledgeNotice: .all]
        // The kiosk device: its own unit's ticket button, nothing else. Staff no longer open the
        // kiosk page, so no staff session is ever left standing at the entrance.
        table[.kiosk] = [.useKiosk: .unit]
        return table
    }()

    public static func scope(for role: Role, _ action: Action) -> Scope? {
        table[role]?[action]
    }

    public static func allows(_ role: Role, _ action: Action) -> Bool {
        scope(for: role, action) != nil
    }
}

extension AccessPolicy {
    /// The table as Markdown, for the README (a test keeps the README's copy identical).
    public static func markdownMatrix() -> String {
        let roles = Role.allCases
        var lines = ["| action | " + roles.map { "`\($0.rawValue)`" }.joined(separator: " | ") + " |",
                     "|---|" + roles.map { _ in "---" }.joined(separator: "|") + "|"]
        for action in Action.allCases {
            let cells = roles.map { role in scope(for: role, action).map { "\($0)" } ?? "—" }
            lines.append("| \(action.rawValue) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
