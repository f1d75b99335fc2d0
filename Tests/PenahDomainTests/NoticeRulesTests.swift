import Testing
@testable import PenahDomain

@Suite("Notice rules")
struct NoticeRulesTests {
    struct Fixed: RandomNumberGenerator {
        var value: UInt64
        mutating func next() -> UInt64 { value }
    }

    @Test("backoff grows exponentially up to its cap, jittered within [0, ceiling]")
    func backoff() {
        var top = Fixed(value: .max)
        #expect(Backoff.delay(attempt: 1, baseMilliseconds: 1_000, capMilliseconds: 60_000, using: &top) <= 1_000)
        var samples: [Int] = []
        var system = SystemRandomNumberGenerator()
        for _ in 0..<500 { samples.append(Backoff.delay(attempt: 4, baseMilliseconds: 1_000, capMilliseconds: 60_000, using: &system)) }
        #expect(samples.allSatisfy { (0...8_000).contains($0) })
        #expect(Set(samples).count > 100, "jitter spreads retries")
        #expect(samples.max()! > 4_000, "the ceiling doubled three times")
        for _ in 0..<100 { #expect(Backoff.delay(attempt: 40, baseMilliseconds: 1_000, capMilliseconds: 60_000, using: &system) <= 60_000) }
        #expect(Backoff.delay(attempt: 3, baseMilliseconds: 0, capMilliseconds: 60_000) == 0)
    }

    @Test("status transitions: queued → sent → acknowledged, failed → queued by hand, nothing out of acknowledged")
    func transitions() {
        #expect(NoticeStatus.queued.allows(.sent) && NoticeStatus.sent.allows(.acknowledged))
        #expect(NoticeStatus.queued.allows(.failed) && NoticeStatus.failed.allows(.queued))
        #expect(NoticeStatus.queued.allows(.acknowledged), "an acknowledgement may overtake our record of the send")
        for next in NoticeStatus.allCases { #expect(!NoticeStatus.acknowledged.allows(next)) }
        #expect(!NoticeStatus.sent.allows(.queued) && !NoticeStatus.sent.allows(.failed))
    }

    @Test("high risk is always urgent")
    func urgency() {
        #expect(NoticeUrgency.effective(asked: .routine, risk: .high) == .urgent)
        #expect(NoticeUrgency.effective(asked: .routine, risk: .elevated) == .routine)
        #expect(NoticeUrgency.effective(asked: .urgent, risk: nil) == .urgent)
    }
}
