import Fluent
import Leaf
import PenahDomain
import Foundation
import Vapor

/// The one configuration used by the executable and the tests.
public func configure(_ app: Application, settings: Settings, databaseSearchPath: [String]? = nil) async throws {
    _ = PenahMetrics.bootstrap
    // Every page depends on it: a broken catalogue stops start-up with the keys it lacks.
    try Catalogue.checkBundled()
    app.storage[SettingsKey.self] = settings
    app.storage[NodeIDKey.self] = UUID().uuidString
    switch settings.database {
    case .sqlite(let path):
        try DataDirectory.prepare(settings.dataDirectory)
        try DataDirectory.prepareDatabaseFile(path)
    case .postgres(let url):
        try await DatabaseSetup.checkPostgres(url: url, logger: app.logger)
    }
    let masterKey = try MasterKey.load(settings)
    app.storage[MasterKeyKey.self] = masterKey
    let previous = try settings.previousMasterKeyBase64.map { MasterKey(data: Data(base64Encoded: $0)!, createdFile: false) }
    app.storage[KeyringKey.self] = MasterKeyring(current: masterKey, previous: previous)
    app.storage[VaultCacheKey.self] = VaultKeyCache()

    try DatabaseSetup.register(settings, on: app, searchPath: databaseSearchPath)
    app.db.auditChainKey?.use(app.keyring)
    app.migrations.add(PenahMigrations.all)
    try await DatabaseSetup.prepareSQLite(app)
    try await startBoard(app)

    try BcryptHashing.configure(app)
    Views.configure(app)
    app.routes.defaultMaxBodySize = "1mb"
    app.http.server.configuration.serverName = nil
    app.http.server.configuration.requestDecompression = .enabled(limit: .size(10 * 1024 * 1024))

    let secure = settings.isProduction
    app.middleware = Middlewares()
    app.middleware.use(RequestIDMiddleware())
    app.middleware.use(AccessLogMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(isProduction: secure))
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(TextHygieneMiddleware())
    app.middleware.use(StaticFilesMiddleware(directory: Views.resourcesDirectory + "Public/"))
    app.middleware.use(LanguageCookieMiddleware(secureCookies: app.secureCookies))
    app.middleware.use(AccessMiddleware())

    try app.register(collection: OperationsRoutes())
    try app.register(collection: PublicPages(quickExitURL: settings.quickExitURL))
    try app.register(collection: SignInPages())
    try app.register(collection: ParkedFormPages())
    try app.register(collection: TokenAPI())
    try app.register(collection: StaffPages())
    try app.register(collection: UnitRoutes())
    try app.register(collection: AuditRoutes())
    try app.register(collection: OpenAPIRoute())
    try app.register(collection: QueueAPI())
    try app.register(collection: CaseAPI())
    try app.register(collection: CasePages())
    try app.register(collection: NoticeAPI())
    try app.register(collection: NoticePages())
    try app.register(collection: NotificationPages())
    try app.register(collection: PlacementAPI())
    try app.register(collection: PlacementPages())
    try app.register(collection: ShelterPages())
    try app.register(collection: BoardRoutes())
    try app.register(collection: QueuePages())
    try app.register(collection: QueueStatsPage())
    try app.register(collection: AuditPages())
    try app.register(collection: AdminUserPages())
    try app.register(collection: AdminUnitPages())
    try app.register(collection: EnrolmentPages())
    try app.register(collection: DeviceEnrolmentPages())
    // Innermost, and last: it reads the route table registered above.
    app.middleware.use(MethodNotAllowedMiddleware(routes: app.routes))
    PenahCommands.register(on: app)
    if settings.notices.runsWorker, settings.policeGatewayURL != nil || settings.notices.esdasURL != nil {
        app.lifecycle.use(NoticeWorker { $0.noticeDelivery() })
    }
}

struct SettingsKey: StorageKey { typealias Value = Settings }
struct MasterKeyKey: StorageKey { typealias Value = MasterKey }

extension Application {
    var settings: Settings { storage[SettingsKey.self]! }
    var masterKey: MasterKey { storage[MasterKeyKey.self]! }
}

/// The hall boards' broadcaster, on PostgreSQL with a relay between nodes; and the queue's grouped writes.
private func startBoard(_ app: Application) async throws {
    app.storage[QueueGroupsKey.self] = QueueGroups()
    guard let postgres = app.storage[PostgresConnectionKey.self] else {
        let board = BoardBroadcaster()
        app.storage[BoardBroadcasterKey.self] = board
        app.lifecycle.use(BoardHeartbeat(board: board))
        return
    }
    let relay = BoardRelay(configuration: postgres.configuration, schema: postgres.schema,
                           retryMilliseconds: app.settings.boardRelayRetryMilliseconds)
    let board = BoardBroadcaster(relay: relay)
    let db = app.db
    try await relay.start(
        deliver: { [weak board] unit, event in board?.publish(unitCode: unit, event: event) },
        nudged: { NotificationHub.shared.ping($0) },
        catchUp: { [weak board] since in
            for (unit, events) in try await QueueRepository(db: db).calledSince(since) { board?.publishMissed(unitCode: unit, events: events) }
        },
        logger: app.logger)
    app.storage[BoardBroadcasterKey.self] = board
    // Notifications committed on this node reach the pages open on the others through the same relay.
    (app.db.context.configuration as? CombinedWrites)?.nodes.relay = relay
    app.lifecycle.use(BoardHeartbeat(board: board))
    app.lifecycle.use(BoardRelayLifecycle(relay: relay))
}
