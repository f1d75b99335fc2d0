import PenahDomain
import Vapor

/// The staff start page: who you are, your unit, the time standards, and the organisation.
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
        struct UnitRow: Encodable { let code: String; let name: String; let kindKey: String; let parentCode: String? }
        struct Link: Encodable { let href: String; let labelKey: String }
        let page: PageFrame
        let links: [Link]
        let standards: [Standard]
        let units: [UnitRow]
    }

    @Sendable func start(_ req: Request) async throws -> View {
        let staff = try req.requireStaff()
        let s = req.application.settings.standards
        let units = try await UnitService(db: req.db).list()
        let context = Context(
            page: req.staffFrame(titleKey: "staff.heading"),
            links: Self.links(unitCode: staff.unitCode).filter { AccessPolicy.allows(staff.role, $0.action) }.map { .init(href: $0.href, labelKey: $0.labelKey) },
            standards: [
                .init(labelKey: "staff.standards.operator", minutes: s.operatorMinutes),
                .init(labelKey: "staff.standards.frontOffice", minutes: s.frontOfficeMinutes),
                .init(labelKey: "staff.standards.backOffice", minutes: s.backOfficeMinutes),
                .init(labelKey: "staff.standards.total", minutes: s.totalMinutes),
            ],
            units: units.map { .init(code: $0.code, name: $0.name, kindKey: "unit.kind.\($0.kind)", parentCode: $0.parentCode) })
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
        }
        return frame
    }
}
