import AsyncHTTPClient
import Benchmark
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The queue as the hall lives it: kiosks issuing at once, 50 desks pressing "call next" at once,
/// and hall boards hearing each call.
enum QueueBenchmarks {
    static func register(on database: Stage.Database) {
        let name = database.rawValue
        Benchmark("\(name) · ticket issue, 8 at once", configuration: .init(metrics: [.ticketsPerSecond], maxIterations: 300)) { benchmark in
            let scene = try await Stage.shared.scene(database)
            for _ in benchmark.scaledIterations {
                let began = ContinuousClock.now
                try await issue(8, scene)
                benchmark.measurement(.ticketsPerSecond, Int(8 / seconds(ContinuousClock.now - began)))
            }
        }
        Benchmark("\(name) · call next, 50 desks at once", configuration: .init(metrics: [.callNextLatency], maxIterations: 200)) { benchmark in
            let scene = try await Stage.shared.scene(database)
            try await issue(2_000, scene)
            for _ in benchmark.scaledIterations {
                let latencies = try await withThrowingTaskGroup(of: Duration?.self) { group in
                    for desk in 1...50 { group.addTask { try await callNext(desk: desk, scene) } }
                    return try await group.reduce(into: [Duration]()) { if let d = $1 { $0.append(d) } }
                }
                latencies.forEach { benchmark.measurement(.callNextLatency, $0.microseconds) }
                if latencies.count < 50 { try await issue(2_000, scene) }
            }
        }
        Benchmark("\(name) · call to event at 20 hall boards", configuration: .init(metrics: [.boardDelay], maxIterations: 200)) { benchmark in
            let scene = try await Stage.shared.scene(database)
            let boards = try await EventFeeds.boards(url: scene.url + "/board/BAKU-1/events", count: 20)
            defer { boards.close() }
            try await issue(500, scene)
            for _ in benchmark.scaledIterations {
                let called = ContinuousClock.now
                let answer = try HTTP.expect(.ok, try await HTTP.post(scene.url + "/api/v1/units/BAKU-1/desks/1/call-next", token: scene.reception), "call next")
                guard let number = answer.json["number"] as? String else { throw BenchFailure("call next gave no number") }
                for heard in try await boards.arrivals(of: number) { benchmark.measurement(.boardDelay, (heard - called).microseconds) }
            }
        }
    }

    static func issue(_ count: Int, _ scene: Stage.Scene) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for _ in stride(from: worker, to: count, by: 8) {
                        try HTTP.expect(.created, try await HTTP.post(scene.url + "/api/v1/units/BAKU-1/tickets", token: scene.reception, json: [:]), "ticket issue")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// One press of "call next"; nil when nobody waits.
    static func callNext(desk: Int, _ scene: Stage.Scene) async throws -> Duration? {
        let began = ContinuousClock.now
        let answer = try await HTTP.post(scene.url + "/api/v1/units/BAKU-1/desks/\(desk)/call-next", token: scene.reception)
        let took = ContinuousClock.now - began
        if answer.status == .noContent { return nil }
        try HTTP.expect(.ok, answer, "call next")
        return took
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}

/// Pages on a live feed (server-sent events) — hall boards, or staff pages with a session cookie —
/// noting when each heard each event, told apart by `key` (read from each `data:` line).
final class EventFeeds: Sendable {
    private let readers: [Task<Void, Never>]
    private let heard: NIOLockedValueBox<[String: [ContinuousClock.Instant]]>

    /// Hall boards, keyed by the ticket number each call carries.
    static func boards(url: String, count: Int) async throws -> EventFeeds {
        try await EventFeeds(url: url, count: count) { data in
            (try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])?["number"] as? String
        }
    }

    init(url: String, count: Int, cookie: String? = nil, key: @escaping @Sendable (String) -> String?) async throws {
        let heard = NIOLockedValueBox<[String: [ContinuousClock.Instant]]>([:])
        self.heard = heard
        let connected = NIOLockedValueBox(0)
        readers = (0..<count).map { _ in
            Task {
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Accept", value: "text/event-stream")
                if let cookie { request.headers.add(name: "Cookie", value: cookie) }
                guard let response = try? await HTTP.feeds.execute(request, timeout: .hours(1)), response.status == .ok else { return }
                connected.withLockedValue { $0 += 1 }
                var pending = ""
                do {
                    for try await chunk in response.body {
                        pending += String(buffer: chunk)
                        let now = ContinuousClock.now
                        while let end = pending.firstIndex(of: "\n") {
                            let line = pending[..<end]
                            pending = String(pending[pending.index(after: end)...])
                            guard line.hasPrefix("data: "), let key = key(String(line.dropFirst(6))) else { continue }
                            heard.withLockedValue { $0[key, default: []].append(now) }
                        }
                    }
                } catch {}
            }
        }
        for _ in 0..<400 where connected.withLockedValue({ $0 }) < count { try await Task.sleep(for: .milliseconds(10)) }
        guard connected.withLockedValue({ $0 }) == count else { throw BenchFailure("only some pages connected to \(url)") }
    }

    /// When each page heard `number`; waits until every page has, for at most five seconds.
    func arrivals(of number: String) async throws -> [ContinuousClock.Instant] {
        for _ in 0..<5_000 {
            let times = heard.withLockedValue { $0[number] ?? [] }
            if times.count >= readers.count { return times }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchFailure("not every page heard \(number) within five seconds")
    }

    func close() { readers.forEach { $0.cancel() } }
}
