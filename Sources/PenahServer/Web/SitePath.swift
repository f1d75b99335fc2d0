import Foundation
import Leaf
import LeafKit
import Vapor

/// Every page path in one place: routes are registered from it (`components`), redirects and
/// Swift-built links fill it (`callAsFunction`), and templates name it (`#path("case", id)`), so a
/// link cannot drift from its route. `:name` marks a parameter, filled in order.
enum SitePath: String, CaseIterable, Sendable {
    case home = "/"
    case safety = "/safety"
    case exit = "/exit"
    case staff = "/staff"
    case login = "/login"
    case logout = "/logout"
    case keepAlive = "/session/keepalive"
    case park = "/session/park"
    case parked = "/session/parked"
    case parkedSend = "/session/parked/:formID/send"
    case parkedDiscard = "/session/parked/:formID/discard"
    case enrol = "/enrol"
    case enrolConfirm = "/enrol/confirm"
    case deviceEnrol = "/device/enrol"

    case desk = "/desk/:unitCode"
    case deskCallNext = "/desk/:unitCode/call-next"
    case deskIssue = "/desk/:unitCode/issue"
    case deskTicket = "/desk/:unitCode/tickets/:id/:action"
    case deskEvents = "/desk/:unitCode/events"
    case kiosk = "/kiosk/:unitCode"
    case kioskTicket = "/kiosk/:unitCode/tickets/:id"
    case board = "/board/:unitCode"
    case boardEvents = "/board/:unitCode/events"
    case queueStats = "/queue-stats/:unitCode"

    case cases = "/cases"
    case caseNew = "/cases/new"
    case `case` = "/cases/:caseID"
    case caseDocuments = "/cases/:caseID/documents"
    case caseDocument = "/cases/:caseID/documents/:documentID"
    case caseAssessment = "/cases/:caseID/assessment"
    case caseDecision = "/cases/:caseID/decision"
    case caseDecisionSign = "/cases/:caseID/decision/sign"
    case caseAssignment = "/cases/:caseID/assignment"
    case caseRefusal = "/cases/:caseID/refusal"
    case casePrint = "/cases/:caseID/print/:document"
    case caseNotices = "/cases/:caseID/notices"
    case casePoliceReference = "/cases/:caseID/police-reference"
    case casePlacement = "/cases/:caseID/placement"
    case casePlacementOverride = "/cases/:caseID/placement-override"
    case casePlacementAnswer = "/cases/:caseID/placement/:requestID/answer"
    case admissionSlip = "/cases/:caseID/placement/slip"

    case notices = "/notices"
    case noticeRetry = "/notices/:noticeID/retry"
    case noticeDelivery = "/notices/:noticeID/delivery"
    case noticeLetter = "/notices/:noticeID/letter"

    case sxaInbox = "/sxa/inbox"
    case sxaRequest = "/sxa/requests/:requestID"
    case sxaDecision = "/sxa/requests/:requestID/decision"
    case sxaQuestions = "/sxa/requests/:requestID/questions"
    case sxaStays = "/sxa/stays"
    case sxaStayExtension = "/sxa/stays/:stayID/extension"
    case shelters = "/shelters"
    case shelterEdit = "/shelters/:shelterID/edit"
    case shelter = "/shelter/:unitCode"
    case shelterAdmissions = "/shelter/:unitCode/admissions"
    case shelterDischarge = "/shelter/:unitCode/stays/:stayID/discharge"
    case shelterServices = "/shelter/:unitCode/stays/:stayID/services"

    case adminUsers = "/admin/users"
    case adminUser = "/admin/users/:id"
    case adminUserDisable = "/admin/users/:id/disable"
    case adminUserEnable = "/admin/users/:id/enable"
    case adminUserResetSecondFactor = "/admin/users/:id/reset-second-factor"
    case adminUserEndSessions = "/admin/users/:id/end-sessions"
    case adminUnits = "/admin/units"
    case adminUnit = "/admin/units/:code"
    case notifications = "/notifications"
    case notificationEvents = "/notifications/events"
    case notificationsReadAll = "/notifications/read-all"
    case notificationOpen = "/notifications/:notificationID/open"
    case audit = "/audit"
    case auditRecord = "/audit/records/:id"

    /// Files served from `Resources/Public`, not routes.
    case stylesheet = "/css/:file"
    case script = "/js/:file"

    var components: [PathComponent] { rawValue.pathComponents }

    /// How many values the path takes.
    var parameterCount: Int { rawValue.split(separator: "/").filter { $0.hasPrefix(":") }.count }

    /// The path with its parameters filled in order, each encoded as one path segment.
    func callAsFunction(_ values: any CustomStringConvertible...) -> String { filled(values.map(\.description)) }

    func filled(_ values: [String]) -> String {
        precondition(values.count == parameterCount, "\(self) takes \(parameterCount) values, given \(values.count)")
        var rest = values.makeIterator()
        let segments = rawValue.split(separator: "/").map { segment -> String in
            guard segment.hasPrefix(":"), let value = rest.next() else { return String(segment) }
            return value.addingPercentEncoding(withAllowedCharacters: Self.segment) ?? ""
        }
        return "/" + segments.joined(separator: "/")
    }

    static func named(_ name: String) -> SitePath? { byName[name] }

    /// The live feeds an open page keeps connected (notifications, a desk's queue): reading them is
    /// not activity, so they do not keep an idle session alive.
    static func isLiveFeed(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return path == notificationEvents.rawValue || (parts.count == 3 && parts[0] == "desk" && parts[2] == "events")
    }

    private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ("\($0)", $0) })
    private static let segment = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#;"))
}

extension RoutesBuilder {
    @discardableResult
    func get<Response: AsyncResponseEncodable>(_ path: SitePath, use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(.GET, path.components, use: handler)
    }

    @discardableResult
    func post<Response: AsyncResponseEncodable>(_ path: SitePath, use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(.POST, path.components, use: handler)
    }
}

/// `#path("case", id)`: a page path by its `SitePath` name with its parameters filled. An unknown
/// name or a wrong number of values fails the render, and `TemplateLinksTests` renders them all.
struct PathTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        .string(try Self.path(ctx.parameters.map { $0.string ?? $0.int.map(String.init) ?? "" }))
    }

    /// The page named first, filled with the rest.
    static func path(_ parameters: [String]) throws -> String {
        guard let name = parameters.first, let page = SitePath.named(name) else {
            throw LeafError(.unknownError("#path() names no page: \(parameters.first ?? "")"))
        }
        guard parameters.count - 1 == page.parameterCount else {
            throw LeafError(.unknownError("#path(\"\(name)\") takes \(page.parameterCount) values, given \(parameters.count - 1)"))
        }
        return page.filled(Array(parameters.dropFirst()))
    }
}
