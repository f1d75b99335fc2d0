import Foundation
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import PenahServer

@Suite("Operations")
struct OperationsTests {
    @Test("/health reports the database and version")
    func health() async throws {
        try await withPenah { app in
            let response = try await app.send(.GET, "/health")
            #expect(response.status == .ok)
            let body = try response.content.decode(OperationsRoutes.Health.self)
            #expect(body.status == "ok" && body.database == "ok" && body.version == PenahVersion.current)
        }
    }

    @Test("/health answers 503 when the database is unreachable")
    func healthDown() async throws {
        try await withPenah { app in
            // Point the default database at a server that does not exist.
            app.databases.use(.postgres(configuration: .init(hostname: "127.0.0.1", port: 1, username: "x",
                                                              password: "x", database: "x", tls: .disable),
                                        connectionPoolTimeout: .milliseconds(300)), as: .init(string: "down"), isDefault: true)
            let response = try await app.send(.GET, "/health")
            #expect(response.status == .serviceUnavailable)
            #expect(response.body.string.contains("unreachable"))
            app.databases.default(to: TestDatabase.isPostgres ? .psql : .sqlite)
        }
    }

    @Test("security headers on pages, API errors and assets")
    func securityHeaders() async throws {
        try await withPenah { app in
            for path in ["/", "/nope", "/api/v1/nope", "/css/penah.css", "/health"] {
                let response = try await app.send(.GET, path)
                let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "\(path)")
                #expect(!csp.contains("unsafe-inline"))
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
                #expect(response.headers.first(name: "Permissions-Policy") != nil)
                #expect(response.headers.first(name: "Strict-Transport-Security") == nil, "HSTS only in production")
            }
            #expect(try await app.send(.GET, "/").headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test("API errors are localised problem+json")
    func problemJSON() async throws {
        try await withPenah { app in
            let response = try await app.send(.GET, "/api/v1/nothing-here", headers: ["Accept-Language": "ru"])
            #expect(response.status == .notFound)
            #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            let problem = try JSONDecoder().decode(Problem.self, from: Data(buffer: response.body))
            #expect(problem.status == 404)
            #expect(problem.detail == "Такой страницы нет, или у вас нет права её просматривать.")
        }
    }

    @Test("SQLite runs in WAL mode with synchronous=FULL and foreign keys on every connection",
          .enabled(if: !TestDatabase.isPostgres))
    func sqlitePragmas() async throws {
        try await withPenah { app in
            for eventLoop in app.eventLoopGroup.makeIterator() {
                let db = app.databases.database(.sqlite, logger: app.logger, on: eventLoop)! as! any SQLDatabase
                let mode = try await db.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
                let sync = try await db.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
                let fk = try await db.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
                #expect(mode == "wal")
                #expect(sync == 2)
                #expect(fk == 1)
            }
        }
    }

    @Test("/metrics answers Prometheus text from loopback and 404 from elsewhere")
    func metrics() async throws {
        try await withPenah { app in
            _ = try await app.send(.GET, "/health")
            let fromOutside = try await app.send(.GET, "/metrics")
            #expect(fromOutside.status == .notFound)
            let address = try SocketAddress(ipAddress: "127.0.0.1", port: 5000)
            let request = Request(application: app, method: .GET, url: URI(path: "/metrics"),
                                  remoteAddress: address, on: app.eventLoopGroup.next())
            let response = try await app.responder.respond(to: request).get()
            #expect(response.status == .ok)
            #expect(response.body.string?.contains("http_requests_total") == true)
            let spoofed = try await app.send(.GET, "/metrics", headers: ["X-Forwarded-For": "127.0.0.1"])
            #expect(spoofed.status == .notFound)
        }
    }
}

import FluentPostgresDriver
