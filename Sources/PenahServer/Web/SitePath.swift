import Vapor

/// Every page path in one place, used both to register routes and to build links, so they cannot
/// drift apart.
enum SitePath: String, CaseIterable, Encodable {
    case home = "/"
    case safety = "/safety"
    case exit = "/exit"
    case staff = "/staff"
    case login = "/login"
    case logout = "/logout"

    var components: [PathComponent] { rawValue.pathComponents }
}

/// The links a template may use, by name: `#(page.links.safety)`.
struct SiteLinks: Encodable {
    let home = SitePath.home.rawValue
    let safety = SitePath.safety.rawValue
    let exit = SitePath.exit.rawValue
    let staff = SitePath.staff.rawValue
    let login = SitePath.login.rawValue
    let logout = SitePath.logout.rawValue
}
