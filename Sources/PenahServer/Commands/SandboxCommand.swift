import AsyncHTTPClient
import Foundation
import Vapor

/// `penah sandbox police-gateway [--port 8090] [--penah-url http://127.0.0.1:8080]`: runs the
/// STAND-IN police gateway for local runs. It verifies signatures with PENAH_POLICE_GATEWAY_SECRET
/// and acknowledges with the service-account token in PENAH_SANDBOX_GATEWAY_TOKEN. Never in production.
struct SandboxCommand: AsyncCommandGroup {
    var help: String { "Stand-in receivers for local runs and tests (never in production)." }
    var commands: [String: any AnyAsyncCommand] { ["police-gateway": PoliceGatewaySandboxCommand(), "esdas": ESDASSandboxCommand()] }
}

struct PoliceGatewaySandboxCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "port") var port: Int?
        @Option(name: "penah-url") var penahURL: String?
    }

    var help: String { "Run the stand-in police gateway." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let settings = context.application.settings
        guard !settings.isProduction else { throw CommandFailure("the stand-in police gateway refuses to run in production") }
        guard let secret = settings.policeGatewaySecret else {
            throw CommandFailure("set PENAH_POLICE_GATEWAY_SECRET (the same secret as the Penah server)")
        }
        let token = ProcessInfo.processInfo.environment["PENAH_SANDBOX_GATEWAY_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let acknowledger = token.map {
            PoliceGatewayStandIn.Acknowledger(penahURL: signature.penahURL ?? "http://127.0.0.1:8080", token: $0, client: HTTPClient.shared)
        }
        let (gateway, port) = try await PoliceGatewayStandIn.start(secret: secret, acknowledger: acknowledger, port: signature.port ?? 8090)
        context.console.print("STAND-IN police gateway (not a real receiver) on http://127.0.0.1:\(port)/notices")
        context.console.print(token == nil ? "No PENAH_SANDBOX_GATEWAY_TOKEN: notices are received but not acknowledged."
                                           : "Acknowledging through \(signature.penahURL ?? "http://127.0.0.1:8080").")
        context.console.print("Point Penah at it: PENAH_POLICE_GATEWAY_URL=http://127.0.0.1:\(port)/notices")
        // Runs until the process is stopped (Ctrl-C ends it; nothing here needs a clean shutdown).
        _ = gateway
        while true { try await Task.sleep(for: .seconds(3_600)) }
    }
}

/// `penah sandbox esdas [--port 8091]`: the STAND-IN for ESDAS registration, checking PENAH_ESDAS_TOKEN.
struct ESDASSandboxCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "port") var port: Int?
    }

    var help: String { "Run the stand-in ESDAS document registration." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let settings = context.application.settings
        guard !settings.isProduction else { throw CommandFailure("the stand-in ESDAS refuses to run in production") }
        guard let token = ProcessInfo.processInfo.environment["PENAH_ESDAS_TOKEN"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw CommandFailure("set PENAH_ESDAS_TOKEN (the same token as the Penah server)")
        }
        let (server, port) = try await StandInServer.start(ESDASStandIn(token: token, register: ESDASRegister()), port: signature.port ?? 8091)
        context.console.print("STAND-IN ESDAS registration (not the real MEİS) on http://127.0.0.1:\(port)/esdas/documents")
        context.console.print("Point Penah at it: PENAH_ESDAS_URL=http://127.0.0.1:\(port)/esdas/documents")
        _ = server
        while true { try await Task.sleep(for: .seconds(3_600)) }
    }
}
