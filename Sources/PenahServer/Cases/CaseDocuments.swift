import Crypto
import Fluent
import Foundation
import PenahDomain
import Vapor

/// Documents on a case (card field 21, CONTRACT.md uploads): PDF, JPEG or PNG by their content,
/// at most 10 MB, sealed with the identity vault and stored in the database, in the transaction
/// that records the upload. Why the database: every node reads what any node stored, backups hold
/// the documents with their cases, and the commit makes them durable before the 2xx (files on one
/// node's disk were none of these). Documents uploaded before then are still read from
/// `PENAH_DATA_DIR/documents`. Every upload and every download is audited.
struct CaseDocuments {
    let db: any Database
    let vault: IdentityVault
    let directory: URL

    static let maxBytes = 10 * 1024 * 1024

    enum FileType: String { case pdf = "application/pdf", jpeg = "image/jpeg", png = "image/png" }

    /// The type the bytes really are; a name or a declared type proves nothing.
    static func sniff(_ data: Data) -> FileType? {
        if data.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    func upload(kind: String, data: Data, caseID: UUID?, staff: StaffContext, actor: AuditActor, now: Date = Date()) async throws -> CaseDocument {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .uploadDocument, on: db)
        guard let kind = DocumentKind(rawValue: kind) else { throw ValidationProblems([.init(field: "kind", code: "invalidValue")]) }
        guard data.count <= Self.maxBytes else { throw Abort(.payloadTooLarge) }
        guard !data.isEmpty else { throw ValidationProblems([.init(field: "file", code: "required")]) }
        guard let type = Self.sniff(data) else { throw ValidationProblems([.init(field: "file", code: "fileTypeNotAllowed")]) }
        guard record.status != .refused else { throw Abort(.conflict) }

        let document = CaseDocument()
        document.id = UUID()
        document.caseID = record.id!
        document.kind = kind
        document.contentType = type.rawValue
        document.sha256 = Hex.encode(SHA256.hash(data: data))
        document.size = data.count
        document.uploadedBy = staff.userID
        document.uploadedAt = now
        let sealed = try await vault.seal(data, field: "case.document")
        try await db.writeTransaction { db in
            try await document.create(on: db)
            try await CaseDocumentContent(documentID: document.id!, sealed: sealed).create(on: db)
            try await AuditLog.append(on: db, actor: actor, action: "case.document.upload", recordType: "case", recordID: record.id?.uuidString)
        }
        return document
    }

    /// The document's bytes, after the read is audited.
    func download(documentID: UUID?, caseID: UUID?, staff: StaffContext, actor: AuditActor) async throws -> (CaseDocument, Data) {
        let (record, _) = try await CaseScope.find(caseID, for: staff, .readDocument, on: db)
        guard let documentID, let document = try await CaseDocument.find(documentID, on: db), document.caseID == record.id else {
            throw Abort(.notFound)
        }
        let sealed: String
        if let stored = try await CaseDocumentContent.find(documentID, on: db) {
            sealed = stored.sealed
        } else if let legacy = try? String(contentsOf: fileURL(documentID), encoding: .utf8) {
            sealed = legacy
        } else {
            // Its row says it exists but its content is gone: not a server error, and not hidden.
            throw Abort(.notFound)
        }
        // Content that will not open is a fault to look into (a damaged row, a key missing), not a 500.
        guard let data = try? await vault.open(sealed, field: "case.document") else {
            throw Abort(.serviceUnavailable, headers: ["Retry-After": String(DatabaseFault.retryAfterSeconds)])
        }
        try await AuditLog.record(on: db, actor: actor, action: "case.document.read", recordType: "case", recordID: record.id?.uuidString)
        return (document, data)
    }

    /// Where documents uploaded before they moved into the database were written. A path made
    /// only from a UUID: nothing from the request reaches the file system.
    private func fileURL(_ id: UUID) -> URL {
        directory.appendingPathComponent(id.uuidString.lowercased() + ".sealed")
    }
}

extension Request {
    var caseDocuments: CaseDocuments {
        CaseDocuments(db: db, vault: vault, directory: application.settings.dataDirectory.appendingPathComponent("documents", isDirectory: true))
    }
}

/// A document's sealed bytes, beside its row (one row each, so listing documents never reads them).
final class CaseDocumentContent: Model, @unchecked Sendable {
    static let schema = "case_document_contents"
    @ID(custom: "document_id", generatedBy: .user) var id: UUID?
    @Field(key: "sealed") var sealed: String

    init() {}
    init(documentID: UUID, sealed: String) {
        id = documentID
        self.sealed = sealed
    }
}
