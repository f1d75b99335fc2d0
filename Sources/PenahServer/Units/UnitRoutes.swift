import Fluent
import Vapor

/// `GET /api/v1/units` (CONTRACT.md): `{items: [{code, kind, name, parentCode}], nextCursor}`,
/// ordered by code; `cursor` is the last code of the previous page.
struct UnitRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "v1", "units", use: list).access(.action(.listUnits))
    }

    struct Page: Content {
        let items: [UnitService.Listed]
        let nextCursor: String?
    }

    @Sendable func list(_ req: Request) async throws -> Page {
        let limit = try ListQuery.limit(req)
        let cursor = try? req.query.get(String.self, at: "cursor")
        let all = try await UnitService(db: req.db).list().sorted { $0.code < $1.code }
        let remaining = all.filter { cursor == nil || $0.code > cursor! }
        let items = Array(remaining.prefix(limit))
        return Page(items: items, nextCursor: remaining.count > limit ? items.last?.code : nil)
    }
}

/// The contract's list conventions: `limit` ≤ 200 (default 50).
enum ListQuery {
    static func limit(_ req: Request) throws -> Int {
        guard let raw = req.query[String.self, at: "limit"] else { return 50 }
        guard let value = Int(raw), (1...200).contains(value) else {
            throw ValidationProblems([.init(field: "limit", code: "outOfRange")])
        }
        return value
    }
}
