import Benchmark
import Foundation
import NIOConcurrencyHelpers

/// The staff's working day (issue 13) among `PENAH_BENCH_CASES` synthetic cases: the start page
/// `/staff` for each role, the case list's results as a name is typed, and how long a notification
/// takes to reach 200 open pages after the change that makes it commits. All through the pages, as
/// a browser signed in with its session cookie asks for them.
enum WorkdayBenchmarks {
    static let roles: [(role: String, unit: String)] = [
        ("reception", "BAKU-1"), ("lawyer", "BAKU-1"), ("psychologist", "BAKU-1"), ("supervisor", "BAKU-1"),
        ("sxaOfficer", "SXA"), ("shelterStaff", "SHELTER-SXA-1"), ("admin", "HQ"),
    ]

    static func register(on database: Stage.Database) {
        let name = database.rawValue
        for (role, unit) in roles {
            Benchmark("\(name) · my work GET /staff as \(role)") { benchmark in
                let scene = try await Stage.shared.scene(database)
                let cookie = try await Stage.shared.once("\(name) \(role)") {
                    try await scene.node.webSignIn("bench.web.\(role.lowercased())", role: role, unit: unit)
                }
                for _ in benchmark.scaledIterations {
                    try HTTP.expect(.ok, try await HTTP.page(scene.url + "/staff", cookie: cookie), "/staff as \(role)")
                }
            }
        }
        // A lawyer types "Hasanova" on a keyboard without Azerbaijani letters: each pause asks for the
        // unit's list filtered by what is typed so far (the page's script waits for two letters).
        Benchmark("\(name) · search as you type GET /cases?view=unit&q=") { benchmark in
            let scene = try await Stage.shared.scene(database)
            let cookie = try await Stage.shared.once("\(name) searcher") {
                try await scene.node.webSignIn("bench.web.searcher", role: "lawyer", unit: "BAKU-1")
            }
            let typed = (2...8).map { String("Hasanova".prefix($0)) }
            for i in benchmark.scaledIterations {
                let answer = try HTTP.expect(.ok, try await HTTP.page(scene.url + "/cases?view=unit&q=\(typed[i % typed.count])", cookie: cookie), "search")
                guard String(buffer: answer.body).contains("id=\"case-results\"") else { throw BenchFailure("the case list has no results") }
            }
        }
        Benchmark("\(name) · a notification reaches 200 open pages", configuration: .init(metrics: [.notificationDelay], maxIterations: 100)) { benchmark in
            let scene = try await Stage.shared.scene(database)
            let pages = try await Stage.shared.once("\(name) notified pages") { try await OpenPages(scene) }
            for _ in benchmark.scaledIterations {
                let question = pages.asked.withLockedValue { $0 += 1; return $0 }
                let asked = ContinuousClock.now
                try HTTP.expect(.created, try await HTTP.post(scene.url + "/api/v1/placement-requests/\(pages.request)/questions", token: pages.sxa,
                                                              json: ["text": "Sual \(question)?"]), "SXA's question")
                // Each question adds one unread notification: the count each page is told is its key.
                for heard in try await pages.feeds.arrivals(of: String(question)) { benchmark.measurement(.notificationDelay, (heard - asked).microseconds) }
            }
        }
    }

    /// 200 pages of one lawyer open on the notification feed, and the placement request SXA asks about.
    final class OpenPages: Sendable {
        let request: String, sxa: String
        let feeds: EventFeeds
        let asked = NIOLockedValueBox(0)

        init(_ scene: Stage.Scene) async throws {
            let (request, lawyer, sxa) = try await placementRequest(scene)
            self.request = request
            self.sxa = sxa
            feeds = try await EventFeeds(url: scene.url + "/notifications/events", count: 200, cookie: lawyer) { $0 }
            _ = try await feeds.arrivals(of: "0")
        }
    }

    /// A decided case with a placement request sent by a lawyer whose browser is signed in; returns
    /// the request, that browser's session cookie, and an SXA officer's token.
    private static func placementRequest(_ scene: Stage.Scene) async throws -> (String, String, String) {
        // Names of their own: a failed set-up is made again, with new accounts, the next time ordo-one runs the closure.
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let account = try scene.node.createStaff("bench.notified.\(suffix)", role: "lawyer", unit: "BAKU-1")
        let lawyer = try await HTTP.token(scene.url, username: account.username, password: account.password, otpURI: account.otpURI)
        // The next 30-second step's code: the token above used this one.
        let cookie = try await HTTP.webSession(scene.url, username: account.username, password: account.password, otpURI: account.otpURI, otpStep: 1)
        let psychologist = try await scene.node.signIn("bench.psychologist.\(suffix)", role: "psychologist", unit: "BAKU-1")
        let sxa = try await scene.node.signIn("bench.sxa.\(suffix)", role: "sxaOfficer", unit: "SXA")
        let created = try HTTP.expect(.created, try await HTTP.post(scene.url + "/api/v1/cases", token: scene.reception, json: CaseBenchmarks.application(0)), "registration")
        guard let id = created.json["id"] as? String else { throw BenchFailure("registration gave no id") }
        try HTTP.expect(.created, try await HTTP.upload(scene.url + "/api/v1/cases/\(id)/documents", token: scene.reception,
                                                        fields: ["kind": "policeProtocol"], file: Data("%PDF-1.7\n%%EOF\n".utf8)), "the act")
        for (token, section) in [(lawyer, "legal"), (psychologist, "psychological")] {
            try HTTP.expect(.ok, try await HTTP.post(scene.url + "/api/v1/cases/\(id)/assessments", token: token, json: [
                "section": section, "violenceForms": ["physical"], "relationship": "spouse", "riskFactors": [String: Bool](), "needs": ["shelter"],
                "notes": "Ölçü üçün", "incidentDate": "2026-11-20", "incidentDistrict": "Nəsimi", "childrenPresent": false,
            ]), "the \(section) section")
        }
        try HTTP.expect(.ok, try await HTTP.post(scene.url + "/api/v1/cases/\(id)/decision", token: lawyer,
                                                 json: ["needsRehabilitation": true, "services": ["shelter"], "riskLevel": "standard"]), "the decision")
        for token in [lawyer, psychologist] {
            try HTTP.expect(.ok, try await HTTP.post(scene.url + "/api/v1/cases/\(id)/decision/sign", token: token), "a signature")
        }
        let request = try HTTP.expect(.created, try await HTTP.post(scene.url + "/api/v1/cases/\(id)/placement-requests", token: lawyer,
                                                                    json: ["urgency": "routine"]), "the placement request")
        guard let requestID = request.json["id"] as? String else { throw BenchFailure("the placement request gave no id") }
        return (requestID, cookie, sxa)
    }
}
