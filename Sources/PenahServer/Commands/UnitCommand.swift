import PenahDomain
import Vapor

/// `penah unit create --code BAKU-1 --kind centre --name "…" [--parent CODE] [--capacity N]`.
struct UnitCommand: AsyncCommandGroup {
    var help: String { "Manage organisational units." }
    var commands: [String: any AnyAsyncCommand] { ["create": CreateUnitCommand()] }
}

struct CreateUnitCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "code", help: "Short code, e.g. BAKU-1") var code: String?
        @Option(name: "kind", help: "hq|centre|regionalCentre|branch|sxa|shelter") var kind: String?
        @Option(name: "name", help: "Display name") var name: String?
        @Option(name: "parent", help: "Code of the parent unit") var parent: String?
        @Option(name: "capacity", help: "Places, for a shelter") var capacity: String?
    }

    var help: String { "Create a unit." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let kindCode = signature.kind, let kind = UnitKind(rawValue: kindCode) else {
            throw CommandFailure("--kind must be one of: \(UnitKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var capacity: Int?
        if let raw = signature.capacity {
            guard let places = Int(raw) else { throw CommandFailure("--capacity must be a whole number") }
            capacity = places
        }
        let service = UnitService(db: context.application.db)
        do {
            let unit = try await service.create(code: signature.code ?? "", kind: kind, name: signature.name ?? "",
                                                parentCode: signature.parent, capacity: capacity,
                                                actor: .system("cli:unit-create"))
            context.console.print("Created \(unit.kind.rawValue) \(unit.code): \(unit.name)")
        } catch let problems as ValidationProblems {
            throw CommandFailure(problems.englishSummary)
        }
    }
}

/// A command failed for a reason the operator can fix; printed without a stack trace.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension ValidationProblems {
    /// Operators' terminals get English, one line per field.
    var englishSummary: String {
        problems.map { "--\($0.field): \(Catalogue.shared.text($0.messageKey, .en))" }.joined(separator: "\n")
    }
}
