import Vapor

/// What a form just did, confirmed in a banner on the page it leads to (GOV.UK's success banner).
/// The redirect names it in the address (`?done=signed`); only these names are shown, in the
/// reader's language, so nothing typed, and nothing personal, ever travels in the address.
enum DoneBanner: String, CaseIterable, Sendable {
    case registered, assigned, documentUploaded, sectionSaved, decisionDrafted, decisionSigned, refused
    case noticeSent, policeAlreadyKnow, noticeRetried, letterDelivered
    case placementRequested, actOverridden, answerSent
    case approved, placementRefused, placementWaiting, questionSent, stayExtended
    case discharged, servicesRecorded, shelterSaved
    case accountDisabled, accountEnabled, sessionsEnded, accountSaved, unitCreated, unitSaved
    case signedOut

    var messageKey: String { "done.\(rawValue)" }

    static let queryKey = "done"

    /// `path` with this banner named in its query.
    func on(_ path: String) -> String { path + (path.contains("?") ? "&" : "?") + "\(Self.queryKey)=\(rawValue)" }

    /// The banner the address names, if it is one of ours.
    static func named(in request: Request) -> DoneBanner? {
        request.query[String.self, at: queryKey].flatMap(DoneBanner.init(rawValue:))
    }
}

extension Request {
    /// A 303 to `path` that says on arrival what was done.
    func redirect(to path: String, done: DoneBanner) -> Response {
        redirect(to: done.on(path), redirectType: .normal)
    }
}
