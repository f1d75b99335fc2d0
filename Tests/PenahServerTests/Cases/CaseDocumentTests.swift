import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Case documents")
struct CaseDocumentTests {
    static let pdf = Data("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n".utf8)

    static func multipart(kind: String, file: Data, filename: String = "akt.pdf", type: String = "application/pdf") -> (HTTPHeaders, ByteBuffer) {
        let boundary = "penah-\(UUID().uuidString)"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\(kind)\r\n".utf8))
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8))
        body.append(file)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return (["Content-Type": "multipart/form-data; boundary=\(boundary)"], ByteBuffer(data: body))
    }

    static func upload(_ caller: APICaller, _ id: UUID, kind: String, file: Data, filename: String = "akt.pdf") async throws -> TestingHTTPResponse {
        var (headers, body) = multipart(kind: kind, file: file, filename: filename)
        headers.add(contentsOf: .bearer(caller.token))
        return try await caller.app.send(.POST, "/api/v1/cases/\(id)/documents", headers: headers, body: body)
    }

    @Test("an act is checked by content, sealed on disk, and every download is audited")
    func uploadAndDownload() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            #expect(try await reception.send(.GET, "/api/v1/cases/\(id)").object["actOutstanding"] as? Bool == true)
            let response = try await Self.upload(reception, id, kind: "policeProtocol", file: Self.pdf)
            #expect(response.status == .created, "\(response.text)")
            #expect(response.object["size"] as? Int == Self.pdf.count)
            let documentID = try #require(response.object["id"] as? String)
            // Sealed in the database, nothing on the node's disk.
            let stored = try #require(try await CaseDocumentContent.find(UUID(uuidString: documentID), on: app.db))
            #expect(!stored.sealed.contains("Catalog") && stored.sealed.hasPrefix("v1."))
            #expect(!FileManager.default.fileExists(atPath: app.settings.dataDirectory.appendingPathComponent("documents").path))
            #expect(try await reception.send(.GET, "/api/v1/cases/\(id)").object["actOutstanding"] as? Bool == false)

            let download = try await reception.send(.GET, "/api/v1/cases/\(id)/documents/\(documentID)")
            #expect(download.status == .ok)
            #expect(Data(buffer: download.body) == Self.pdf)
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment") == true)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "case.document.read").count() == 1)
            // Another unit cannot reach it.
            let other = try await app.caller(.reception, unit: "BAKU-2")
            #expect(try await other.send(.GET, "/api/v1/cases/\(id)/documents/\(documentID)").status == .notFound)
        }
    }

    @Test("a document uploaded on one node is read on another; one whose content is gone is 404, one that will not open 503, never 500")
    func acrossNodes() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let documentID = try #require(try await Self.upload(reception, id, kind: "policeProtocol", file: Self.pdf).object["id"] as? String)
            // A second node: another data directory, the same database.
            var settings = app.settings
            settings.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("penah-node-b-\(UUID().uuidString)")
            let nodeB = try await Application.make(.testing)
            do {
                try await configure(nodeB, settings: settings, databaseSearchPath: app.storage[PostgresConnectionKey.self]?.schema.map { [$0] })
                let onB = APICaller(app: nodeB, staff: reception.staff, token: reception.token)
                let read = try await onB.send(.GET, "/api/v1/cases/\(id)/documents/\(documentID)")
                #expect(read.status == .ok && Data(buffer: read.body) == Self.pdf)
            } catch { try? await nodeB.asyncShutdown(); throw error }
            try await nodeB.asyncShutdown()

            let content = try #require(try await CaseDocumentContent.find(UUID(uuidString: documentID), on: app.db))
            content.sealed = "v1.\(UUID().uuidString).AAAA"
            try await content.update(on: app.db)
            #expect(try await reception.send(.GET, "/api/v1/cases/\(id)/documents/\(documentID)").status == .serviceUnavailable)
            try await content.delete(on: app.db)
            #expect(try await reception.send(.GET, "/api/v1/cases/\(id)/documents/\(documentID)").status == .notFound)
        }
    }

    @Test("an executable named .pdf, an unknown kind, an empty file and 11 MB are refused; nothing stays behind")
    func refused() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let id = try await reception.register()
            let elf = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01]) + Data(count: 200)
            let exe = try await Self.upload(reception, id, kind: "policeProtocol", file: elf, filename: "protokol.pdf")
            #expect(exe.status == .unprocessableEntity)
            #expect(exe.errorCodes == ["fileTypeNotAllowed"])
            #expect(try await Self.upload(reception, id, kind: "../../etc/passwd", file: Self.pdf).status == .unprocessableEntity)
            #expect(try await Self.upload(reception, id, kind: "identity", file: Data()).status == .unprocessableEntity)
            let big = Self.pdf + Data(count: 11 * 1024 * 1024)
            #expect(try await Self.upload(reception, id, kind: "identity", file: big).status == .payloadTooLarge)
            #expect(try await CaseDocument.query(on: app.db).count() == 0)
            #expect(try await CaseDocumentContent.query(on: app.db).count() == 0)
            let folder = app.settings.dataDirectory.appendingPathComponent("documents")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).isEmpty)
        }
    }
}
