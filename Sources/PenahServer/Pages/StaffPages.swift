import PenahDomain
import Vapor

/// The staff start page: who you are and your work (see `StaffWork`); the staff menu in the header
/// (see `links`) leads to every page the role may open.
struct StaffPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staff, use: start).access(.action(.staffHome))
    }

    /// The staff pages a role can reach from the start page, each behind its policy action.
    static func links(unitCode: String) -> [(action: Action, href: String, labelKey: String)] {
        [
            (.operateDesk, SitePath.desk(unitCode), "queue.desk.heading"),
            (.issueTicket, SitePath.kiosk(unitCode), "queue.kiosk.heading"),
            (.viewQueueStats, SitePath.queueStats(unitCode), "queue.stats.heading"),
            (.readCase, SitePath.cases(), "case.list.heading"),
            (.registerCase, SitePath.caseNew(), "case.new.heading"),
            (.readNotice, SitePath.notices(), "notice.list.heading"),
            (.readPlacementInbox, SitePath.sxaInbox(), "placement.inbox.heading"),
            (.readShelters, SitePath.shelters(), "shelter.registry.heading"),
            (.admitToShelter, SitePath.shelter(unitCode), "shelter.door.heading"),
            (.manageUsers, SitePath.adminUsers(), "admin.users.heading"),
            (.manageUnits, SitePath.adminUnits(), "admin.units.heading"),
            (.readAudit, SitePath.audit(), "audit.heading"),
        ]
    }

    struct Context: Encodable {
        struct Standard: Encodable { let labelKey: String; let minutes: Int }
        let page: PageFrame
        let work: [StaffWork.Section]
        let standards: [Standard]
        /// First run: the administrator is told how to create the first unit.
        let noUnitsYet: Bool
    }

    @Sendable func start(_ req: Request) async throws -> View {
        let staff = try req.requireStaff()
        let s = req.application.settings.standards
        let noUnitsYet = AccessPolicy.allows(staff.role, .manageUnits) ? try await UnitService(db: req.db).list().isEmpty : false
        let context = Context(
            page: req.staffFrame(titleKey: "staff.heading"),
            work: try await StaffWork(req: req, staff: staff).sections(),
            standards: [
                .init(labelKey: "staff.standards.operator", minutes: s.operatorMinutes),
                .init(labelKey: "staff.standards.frontOffice", minutes: s.frontOfficeMinutes),
                .init(labelKey: "staff.standards.backOffice", minutes: s.backOfficeMinutes),
                .init(labelKey: "staff.standards.total", minutes: s.totalMinutes),
            ],
            noUnitsYet: noUnitsYet)
        return try await req.view.render("staff", context)
    }
}

extension Request {
    /// The layout frame for a signed-in page: the header shows the person, role and unit.
    func staffFrame(titleKey: String) -> PageFrame {
        var frame = PageFrame(self, titleKey: titleKey, isPublic: false)
        if let staff {
            frame.signedIn = .init(displayName: staff.displayName, roleKey: staff.role.messageKey, unitName: staff.unitName)
            frame.csrfToken = staff.session.csrfToken
            frame.sessionIdleSeconds = Int(SessionStore.idleTimeout)
            frame.unreadNotifications = unreadNotifications ?? 0
            let path = url.path
            frame.staffLinks = ([(SitePath.staff(), "layout.myWork")]
                + StaffPages.links(unitCode: staff.unitCode).filter { AccessPolicy.allows(staff.role, $0.action) }.map { ($0.href, $0.labelKey) })
                .map { .init(href: $0.0, labelKey: $0.1, isCurrent: $0.0 == path) }
        }
        return frame
    }
}
