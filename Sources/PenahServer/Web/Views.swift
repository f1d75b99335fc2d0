import Leaf
import LeafKit
import PenahDomain
import Vapor

enum Views {
    /// Leaf reads templates from the module's bundled resources; caching is on except in
    /// development so a page render is not a disk read.
    static func configure(_ app: Application) {
        let views = resourcesDirectory + "Views/"
        app.views.use(.leaf)
        // Not `.toVisibleFiles`: the bundle itself sits under the hidden `.build` directory.
        app.leaf.sources = .singleSource(NIOLeafFiles(
            fileio: app.fileio, limits: [.toSandbox, .requireExtensions, .onlyLeafExtensions], sandboxDirectory: views, viewDirectory: views))
        app.leaf.cache.isEnabled = app.environment != .development
        app.leaf.tags["t"] = TranslateTag()
        app.leaf.tags["path"] = PathTag()
        // No template may bypass escaping.
        app.leaf.tags["unsafeHTML"] = nil
    }

    static var resourcesDirectory: String {
        // The copied `Resources` folder, wherever the platform puts the bundle's resources.
        Bundle.module.url(forResource: "Resources", withExtension: nil)!.path + "/"
    }
}

/// `#t("key")` or `#t("key", "name", value, …)`: the catalogue text in the page's language; an
/// argument named `count` picks the plural form. Output is escaped like any other value.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#t() needs a message key"))
        }
        let code = ctx.data["page"]?.dictionary?["lang"]?.string ?? Language.fallback.rawValue
        var arguments: [String: String] = [:]
        var rest = ctx.parameters.dropFirst().makeIterator()
        while let name = rest.next()?.string, let value = rest.next() {
            arguments[name] = value.string ?? value.int.map(String.init) ?? ""
        }
        let language = Language(rawValue: code) ?? .fallback
        if let count = arguments["count"].flatMap({ Int($0) }) {
            return .string(Catalogue.shared.text(key, language, count: count, arguments))
        }
        return .string(Catalogue.shared.text(key, language, arguments))
    }
}
