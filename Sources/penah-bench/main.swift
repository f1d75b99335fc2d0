import Foundation
import Logging
import PenahServer

/// `penah-bench [foundation|security|audit|sealing|queue|cases|notices|placement]` — see FoundationBench.swift and SecurityBench.swift.
/// Build in release first so `penah` sits beside this binary: swift build -c release
// Only errors: a log line per request would measure the terminal, not Penah.
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .error
    return handler
}
let which = CommandLine.arguments.dropFirst().first ?? "all"
if which == "foundation" || which == "all" { try await FoundationBench.run() }
if which == "security" || which == "all" { try await SecurityBench.run() }
if which == "audit" { try await SecurityBench.run(auditOnly: true) }
if which == "sealing" { try await SecurityBench.sealing() }
if which == "queue" || which == "all" { try await QueueBench.run() }
if which == "cases" || which == "all" { try await CaseProbes.run(makeApp: Bench.probeApp) }
if which == "notices" || which == "all" { try await NoticeProbes.run(makeApp: Bench.probeApp) }
if which == "placement" || which == "all" { try await PlacementProbes.run(makeApp: Bench.probeApp) }
try await Bench.client.shutdown()
