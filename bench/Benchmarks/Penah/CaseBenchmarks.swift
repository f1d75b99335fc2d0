import Benchmark
import Foundation

/// A lawyer's and a receptionist's day among `PENAH_BENCH_CASES` synthetic cases (`seed-demo
/// --cases`): the worklist, a search by case number, a case page, and registering a new case (each
/// registration seals her identity and audits the change).
enum CaseBenchmarks {
    static func register(on database: Stage.Database) {
        let name = database.rawValue
        Benchmark("\(name) · case worklist GET /api/v1/cases") { benchmark in
            let scene = try await Stage.shared.scene(database)
            for _ in benchmark.scaledIterations {
                try HTTP.expect(.ok, try await HTTP.get(scene.url + "/api/v1/cases", token: scene.lawyer), "the worklist")
            }
        }
        Benchmark("\(name) · case search by number GET /api/v1/cases?q=") { benchmark in
            let scene = try await Stage.shared.scene(database)
            let numbers = try await someCases(scene).map(\.number)
            for i in benchmark.scaledIterations {
                let answer = try HTTP.expect(.ok, try await HTTP.get(scene.url + "/api/v1/cases?q=\(numbers[i % numbers.count])", token: scene.lawyer), "search")
                guard (answer.json["items"] as? [Any])?.count == 1 else { throw BenchFailure("a search by case number did not find exactly that case") }
            }
        }
        Benchmark("\(name) · case page GET /api/v1/cases/{id}") { benchmark in
            let scene = try await Stage.shared.scene(database)
            let ids = try await someCases(scene).map(\.id)
            for i in benchmark.scaledIterations {
                try HTTP.expect(.ok, try await HTTP.get(scene.url + "/api/v1/cases/\(ids[i % ids.count])", token: scene.lawyer), "the case page")
            }
        }
        Benchmark("\(name) · register a case POST /api/v1/cases", configuration: .init(maxIterations: 500)) { benchmark in
            let scene = try await Stage.shared.scene(database)
            for i in benchmark.scaledIterations {
                try HTTP.expect(.created, try await HTTP.post(scene.url + "/api/v1/cases", token: scene.reception, json: application(i)), "registration")
            }
        }
    }

    /// The first page of the lawyer's worklist.
    private static func someCases(_ scene: Stage.Scene) async throws -> [(id: String, number: String)] {
        let items = try await HTTP.get(scene.url + "/api/v1/cases", token: scene.lawyer).json["items"] as? [[String: Any]] ?? []
        let cases = items.compactMap { item in (item["id"] as? String).flatMap { id in (item["number"] as? String).map { (id, $0) } } }
        guard !cases.isEmpty else { throw BenchFailure("the worklist is empty: seed-demo --cases made no case at BAKU-1") }
        return cases
    }

    /// An invented applicant (no real person), different each time.
    static func application(_ i: Int) -> [String: Any] {
        ["channel": "inPerson", "applicant": ["kind": "victim"],
         "victim": ["firstName": "Sınaq", "lastName": "Ölçüyeva \(i)", "patronymic": "Benç qızı", "birthDate": "1990-01-01",
                    "sex": "female", "residence": "citizen", "documentType": "idCard", "documentNumber": "AZE\(10_000_000 + i)",
                    "address": "Bakı, sınaq ünvanı \(i)", "preferredLanguage": "az", "interpreterNeeded": false],
         "consent": ["services": true, "referral": true, "capturedAs": "signature"]]
    }
}
