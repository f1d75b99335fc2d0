import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import PenahServer

@Suite("Jobs on a clock")
struct PeriodicJobTests {
    @Test("a periodic job runs again and again, survives a failing run, and stops at shutdown")
    func runsAndStops() async throws {
        try await withPenah { app in
            let runs = NIOLockedValueBox(0)
            let job = PeriodicJob("test job", every: .milliseconds(20)) { _ in
                let count = runs.withLockedValue { $0 += 1; return $0 }
                if count == 1 { throw Abort(.serviceUnavailable) }
            }
            job.start(app)
            try await Task.sleep(for: .milliseconds(400))
            await job.shutdownAsync(app)
            let stopped = runs.withLockedValue { $0 }
            #expect(stopped >= 3, "ran \(stopped) times")
            try await Task.sleep(for: .milliseconds(100))
            #expect(runs.withLockedValue { $0 } == stopped, "no run after shutdown")
        }
    }
}
