import Foundation
import PenahServer
import Vapor

/// Entry point: read the settings, configure, prepare the database, run the command.
/// Configuration problems print one line naming the variable and exit with 78 (EX_CONFIG), so a
/// supervisor sees a configuration error rather than a crash to restart in a loop.
var environment = try Environment.detect()
try LoggingSystem.bootstrap(from: &environment)
let app = try await Application.make(environment)

func fail(_ message: String, code: Int32) async -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    try? await app.asyncShutdown()
    exit(code)
}

do {
    let settings = try Settings.load(environment: ProcessInfo.processInfo.environment,
                                     isProduction: environment == .production)
    try await configure(app, settings: settings)
    try await Startup.prepareDatabase(app)
    try await app.execute()
} catch let error as SettingsError {
    await fail(error.description, code: 78)
} catch let error as CommandFailure {
    await fail("Error: \(error.description)", code: 1)
} catch {
    await fail("Error: \(String(describing: error))", code: 1)
}
try await app.asyncShutdown()
