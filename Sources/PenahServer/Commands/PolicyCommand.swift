import PenahDomain
import Vapor

/// `penah policy`: prints the role × action × scope table (the README carries the same table).
struct PolicyCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Print the authorisation table as Markdown." }

    func run(using context: CommandContext, signature: Signature) async throws {
        context.console.print(AccessPolicy.markdownMatrix())
    }
}
