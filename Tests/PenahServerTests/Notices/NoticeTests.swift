import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

/// Step 4: notices through the outbox to the (stand-in) police gateway.
@Suite("Law-enforcement notices")
struct NoticeTests {
    static let secret = "stand-in secret, thirty-two characters or more"
    static let psychologicalMarker = "PSYCH-ONLY-OBSERVATION"
    static let hostile = "\"'><script>alert(1)</script>"

    /// A stand-in gateway on a free port and a Penah configured to deliver to it (worker off: tests
    /// drive passes themselves, so timing is theirs).
    static func withGateway(_ body: (Application, StandInInbox, URL) async throws -> Void) async throws {
        let inbox = StandInInbox()
        let (gateway, port) = try await PoliceGatewayStandIn.start(secret: secret, acknowledger: nil, port: 0, inbox: inbox)
        let url = URL(string: "http://127.0.0.1:\(port)/notices")!
        do {
            try await withPenah(environment: ["PENAH_POLICE_GATEWAY_URL": url.absoluteString, "PENAH_POLICE_GATEWAY_SECRET": secret,
                                              "PENAH_DELIVERY_WORKER": "off", "PENAH_NOTICE_MAX_ATTEMPTS": "3", "PENAH_NOTICE_RETRY_BASE_MS": "1"]) { app in
                try await body(app, inbox, url)
            }
        } catch { try? await PoliceGatewayStandIn.stop(gateway); throw error }
        try await PoliceGatewayStandIn.stop(gateway)
    }

    /// A registered case with both interview sections and a signed decision; returns its id.
    static func interviewedCase(_ app: Application, district: String = "Nəsimi", factors: [String] = []) async throws -> UUID {
        let reception = try await app.caller(.reception)
        let lawyer = try await app.caller(.lawyer)
        let psychologist = try await app.caller(.psychologist)
        let id = try await reception.register()
        var legal = Application.section("legal", factors: factors, notes: "legal notes")
        legal["incidentDistrict"] = district
        #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/assessments", legal).status == .ok)
        var psych = Application.section("psychological", notes: psychologicalMarker)
        psych["needs"] = ["housing", "educationEmployment"]
        #expect(try await psychologist.send(.POST, "/api/v1/cases/\(id)/assessments", psych).status == .ok)
        let level = factors.isEmpty ? "standard" : "high"
        let decision: [String: Any] = ["needsRehabilitation": true, "services": ["shelter"], "riskLevel": level,
                                       "safeContact": ["methods": ["inPersonAtCentre"], "mayIdentifyAsDost": false, "voicemailSafe": false, "smsSafe": false]]
        #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/decision", decision).status == .ok)
        return id
    }

    static func delivery(_ app: Application) -> NoticeDelivery { app.noticeDelivery() }

    @Test("the notice and its outbox message commit together; after a crash between commit and send the receiver gets it exactly once")
    func exactlyOnce() async throws {
        try await Self.withGateway { app, inbox, url in
            let id = try await Self.interviewedCase(app)
            let lawyer = try await app.caller(.lawyer)
            let created = try await lawyer.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "routine"])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.object["status"] as? String == "queued")
            let noticeID = try #require(UUID(uuidString: created.object["id"] as? String ?? ""))
            #expect(try await OutboxMessage.query(on: app.db).count() == 1)

            // Node A claims, sends, and dies before recording the send.
            let nodeA = Self.delivery(app)
            let (message, _) = try #require(try await nodeA.claim(now: Date()))
            let notice = try #require(try await NoticeRecord.find(noticeID, on: app.db))
            let body = try await app.vault().open(notice.body, field: "notice.body")
            try await HTTPPoliceGateway(url: url, secret: Self.secret, client: app.http.client.shared).deliver(body: body, idempotencyKey: noticeID.uuidString)
            #expect(try await NoticeRecord.find(noticeID, on: app.db)?.status == .queued)
            // While A's lease holds, nobody else sends.
            #expect(try await Self.delivery(app).runOnce() == 0)
            // After the lease runs out, node B (a restarted server) takes over.
            let later = Date().addingTimeInterval(31)
            #expect(try await Self.delivery(app).runOnce(now: { later }) == 1)
            #expect(try await NoticeRecord.find(noticeID, on: app.db)?.status == .sent)
            #expect(await inbox.received.count == 1, "one notice by its idempotency key")
            #expect(await inbox.posts == 2, "sent twice, kept once")
            #expect(try await OutboxMessage.find(message.id, on: app.db)?.state == .done)
            #expect(try await Self.delivery(app).runOnce(now: { later }) == 0, "nothing left to send")
            let shown = try await lawyer.send(.GET, "/api/v1/law-enforcement-notices/\(noticeID)")
            #expect(shown.object["status"] as? String == "sent" && shown.object["sentAt"] != nil)
        }
    }

    @Test("receiver down: retries, then failed with an alert for the supervisor; back up, a manual retry delivers")
    func receiverDown() async throws {
        try await Self.withGateway { app, inbox, _ in
            let id = try await Self.interviewedCase(app)
            let lawyer = try await app.caller(.lawyer)
            let created = try await lawyer.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "routine"])
            let noticeID = try #require(created.object["id"] as? String)
            await inbox.setAvailable(false)
            var clock = Date(), tries = 0
            for _ in 0..<10 {
                clock = clock.addingTimeInterval(60)
                let at = clock
                tries += try await Self.delivery(app).runOnce(now: { at })
            }
            #expect(tries == 3, "the configured limit, then no more")
            let failed = try #require(try await NoticeRecord.find(UUID(uuidString: noticeID), on: app.db))
            #expect(failed.status == .failed)
            #expect(try await OutboxMessage.query(on: app.db).first()?.attempts == 3)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "notice.failed.policeGateway").count() == 1)
            let supervisor = try await app.caller(.supervisor)
            let alerts = try await supervisor.send(.GET, "/api/v1/law-enforcement-notices")
            #expect((alerts.object["items"] as? [[String: Any]])?.first?["id"] as? String == noticeID)
            let page = try await app.browser(.supervisor)
            #expect(try await app.send(.GET, "/notices?lang=en", headers: page.headers).body.string.contains(failed.number))

            await inbox.setAvailable(true)
            #expect(try await lawyer.send(.POST, "/api/v1/law-enforcement-notices/\(noticeID)/retry").status == .ok)
            #expect(try await lawyer.send(.POST, "/api/v1/law-enforcement-notices/\(noticeID)/retry").status == .conflict, "only a failed notice")
            #expect(try await Self.delivery(app).runOnce() == 1)
            #expect(try await NoticeRecord.find(failed.id, on: app.db)?.status == .sent)
            #expect(await inbox.received.count == 1)
        }
    }

    @Test("a duplicate acknowledgement changes nothing; only the gateway's service account may acknowledge")
    func acknowledgement() async throws {
        try await Self.withGateway { app, _, _ in
            let id = try await Self.interviewedCase(app)
            let lawyer = try await app.caller(.lawyer)
            let noticeID = try #require(try await lawyer.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "routine"]).object["id"] as? String)
            _ = try await Self.delivery(app).runOnce()
            let gateway = try await app.gatewayCaller()
            let path = "/api/v1/law-enforcement-notices/\(noticeID)/acknowledgement"
            #expect(try await lawyer.send(.POST, path, ["reference": "X", "receivedAt": "2026-12-01T10:00:00Z"]).status == .notFound)
            #expect(try await gateway.send(.POST, path, ["reference": "", "receivedAt": "2026-12-01T10:00:00Z"]).status == .unprocessableEntity)
            #expect(try await gateway.send(.POST, path, ["reference": "R-1", "receivedAt": "yesterday"]).status == .unprocessableEntity)
            let first = try await gateway.send(.POST, path, ["reference": "R-1", "receivedAt": "2026-12-01T10:00:00+04:00"])
            #expect(first.status == .ok && first.object["status"] as? String == "acknowledged")
            let stamped = try #require(try await NoticeRecord.find(UUID(uuidString: noticeID), on: app.db))
            let again = try await gateway.send(.POST, path, ["reference": "R-2", "receivedAt": "2026-12-01T11:00:00Z"])
            #expect(again.status == .ok && again.object["reference"] as? String == "R-1")
            let after = try #require(try await NoticeRecord.find(UUID(uuidString: noticeID), on: app.db))
            #expect(after.reference == "R-1" && after.acknowledgedAt == stamped.acknowledgedAt)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "notice.acknowledge").count() == 1)
            #expect(try await gateway.send(.POST, "/api/v1/law-enforcement-notices/\(UUID())/acknowledgement", ["reference": "R"]).status == .notFound)
        }
    }

    @Test("the stand-in refuses a wrong signature and keeps nothing")
    func wrongSignature() async throws {
        try await Self.withGateway { app, inbox, url in
            let wrong = HTTPPoliceGateway(url: url, secret: "another secret that is long enough to pass", client: app.http.client.shared)
            await #expect(throws: DeliveryError.self) { try await wrong.deliver(body: Data("{}".utf8), idempotencyKey: UUID().uuidString) }
            #expect(await inbox.posts == 0)
        }
    }

    @Test("the notice carries the incident and safe contact, none of the psychological section; high risk makes it urgent and first")
    func minimumNecessary() async throws {
        try await Self.withGateway { app, inbox, _ in
            let routine = try await Self.interviewedCase(app)
            let high = try await Self.interviewedCase(app, factors: ["strangulation"])
            let lawyer = try await app.caller(.lawyer)
            _ = try await lawyer.send(.POST, "/api/v1/cases/\(routine)/law-enforcement-notices", ["urgency": "routine"])
            let urgent = try await lawyer.send(.POST, "/api/v1/cases/\(high)/law-enforcement-notices", ["urgency": "routine", "prosecution": "wantsProsecution"])
            #expect(urgent.object["urgency"] as? String == "urgent", "high risk is always urgent")
            let (first, _) = try #require(try await Self.delivery(app).claim(now: Date()))
            #expect(first.noticeID.uuidString == urgent.object["id"] as? String, "urgent goes first")
            _ = try await Self.delivery(app).runOnce(now: { Date().addingTimeInterval(31) })
            let bodies = await inbox.received.values.map { String(decoding: $0, as: UTF8.self) }
            #expect(bodies.count == 2)
            for body in bodies {
                #expect(!body.contains(Self.psychologicalMarker) && !body.contains("legal notes"), "no notes of any section")
                #expect(!body.contains("housing") && !body.contains("educationEmployment") && !body.contains("\"needs\""), "no needs assessment")
                #expect(body.contains("Nəsimi") && body.contains("\"violenceForms\""))
                #expect(body.contains("inPersonAtCentre"))
            }
            #expect(bodies.contains { $0.contains("wantsProsecution") && $0.contains("\"strangulation\":true") })
        }
    }

    @Test("without a gateway the notice waits as a letter: hostile text is escaped when printed; delivery by hand is recorded")
    func letter() async throws {
        try await withPenah { app in
            let id = try await Self.interviewedCase(app, district: Self.hostile)
            let lawyer = try await app.browser(.lawyer)
            let created = try await app.send(.POST, "/cases/\(id)/notices", headers: lawyer.headers,
                                             body: formBody([("csrf", lawyer.csrf), ("urgency", "routine"), ("prosecution", "undecided")]))
            #expect(created.status == .seeOther, "\(created.body.string.prefix(300))")
            let notice = try #require(try await NoticeRecord.query(on: app.db).first())
            #expect(notice.channel == .letter && notice.status == .queued)
            #expect(try await OutboxMessage.query(on: app.db).count() == 0)
            let letter = try await app.send(.GET, "/notices/\(notice.id!)/letter?lang=en", headers: lawyer.headers)
            #expect(letter.status == .ok)
            #expect(!letter.body.string.contains("<script>alert") && letter.body.string.contains("&lt;script&gt;"))
            #expect(!letter.body.string.contains(Self.psychologicalMarker))
            #expect(letter.headers.first(name: .cacheControl)?.contains("no-store") == true)
            // In the addressee's language, Azerbaijani, unless another is chosen: the reader's own does not decide it.
            var english = lawyer.headers
            english.replaceOrAdd(name: .acceptLanguage, value: "en")
            let plain = try await app.send(.GET, "/notices/\(notice.id!)/letter", headers: english).body.string
            #expect(plain.contains(Catalogue.shared.text("notice.letter.heading", .az)) && !plain.contains(Catalogue.shared.text("notice.letter.heading", .en)))
            #expect(letter.body.string.contains(Catalogue.shared.text("notice.letter.heading", .en)))
            let empty = try await app.send(.POST, "/notices/\(notice.id!)/delivery?lang=en", headers: lawyer.headers,
                                           body: formBody([("csrf", lawyer.csrf), ("deliveredBy", " ")]))
            #expect(empty.status == .unprocessableEntity)
            let confirmed = try await app.send(.POST, "/notices/\(notice.id!)/delivery", headers: lawyer.headers,
                                               body: formBody([("csrf", lawyer.csrf), ("deliveredBy", "Rəşad Əliyev")]))
            #expect(confirmed.status == .seeOther)
            let sent = try #require(try await NoticeRecord.find(notice.id, on: app.db))
            #expect(sent.status == .sent && sent.deliveredBy == "Rəşad Əliyev")
            let page = try await app.send(.GET, "/cases/\(id)?lang=en", headers: lawyer.headers)
            #expect(page.body.string.contains(notice.number) && page.body.string.contains("Sent"))
        }
    }

    @Test("ESDAS registers the outgoing number once under the outbox's guarantees; a unit set to letters prints, whatever the gateway")
    func esdasAndUnitRoutes() async throws {
        let register = ESDASRegister()
        let (esdas, port) = try await StandInServer.start(ESDASStandIn(token: "esdas-token", register: register), port: 0)
        let inbox = StandInInbox()
        let (gateway, gatewayPort) = try await PoliceGatewayStandIn.start(secret: Self.secret, acknowledger: nil, port: 0, inbox: inbox)
        func stopBoth() async { try? await StandInServer.stop(esdas); try? await StandInServer.stop(gateway) }
        do { try await withPenah(environment: [
            "PENAH_POLICE_GATEWAY_URL": "http://127.0.0.1:\(gatewayPort)/notices", "PENAH_POLICE_GATEWAY_SECRET": Self.secret,
            "PENAH_ESDAS_URL": "http://127.0.0.1:\(port)/esdas/documents", "PENAH_ESDAS_TOKEN": "esdas-token",
            "PENAH_NOTICE_CHANNELS": "policeGateway,esdas", "PENAH_NOTICE_CHANNELS_BAKU_2": "letter",
            "PENAH_DELIVERY_WORKER": "off", "PENAH_NOTICE_MAX_ATTEMPTS": "2", "PENAH_NOTICE_RETRY_BASE_MS": "1"]) { app in
            let id = try await Self.interviewedCase(app)
            let lawyer = try await app.caller(.lawyer)
            let created = try await lawyer.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "routine"])
            let noticeID = try #require(UUID(uuidString: created.object["id"] as? String ?? ""))
            #expect(try await OutboxMessage.query(on: app.db).count() == 2, "the gateway and ESDAS, written with the notice")
            await register.setAvailable(false)
            var later = Date()
            for _ in 0..<4 { later = later.addingTimeInterval(60); let at = later; _ = try await app.noticeDelivery().runOnce(now: { at }) }
            let afterFailure = try #require(try await NoticeRecord.find(noticeID, on: app.db))
            #expect(afterFailure.status == .sent, "a failed registration leaves the notice sent")
            #expect(afterFailure.outgoingNumber == nil)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "notice.failed.esdas").count() == 1)
            await register.setAvailable(true)
            #expect(try await lawyer.send(.POST, "/api/v1/law-enforcement-notices/\(noticeID)/retry").status == .ok)
            let at = later.addingTimeInterval(60)
            _ = try await app.noticeDelivery().runOnce(now: { at })
            let shown = try await lawyer.send(.GET, "/api/v1/law-enforcement-notices/\(noticeID)")
            #expect(shown.object["outgoingNumber"] as? String == "ESDAS-SANDBOX-000001")
            #expect(shown.object["status"] as? String == "sent")
            let registered = await register.numbers.count, delivered = await inbox.received.count
            #expect(registered == 1 && delivered == 1)

            // BAKU-2 is configured for letters: no outbox row, a letter to print.
            let reception2 = try await app.caller(.reception, unit: "BAKU-2")
            let lawyer2 = try await app.caller(.lawyer, unit: "BAKU-2")
            let other = try await reception2.register(sampleApplication(fin: "7PQR2ST", phone: nil))
            #expect(try await lawyer2.send(.POST, "/api/v1/cases/\(other)/assessments", Application.section("legal")).status == .ok)
            let letter = try await lawyer2.send(.POST, "/api/v1/cases/\(other)/law-enforcement-notices", ["urgency": "routine"])
            #expect(letter.object["channel"] as? String == "letter")
            #expect(try await OutboxMessage.query(on: app.db).count() == 2)
        } } catch { await stopBoth(); throw error }
        await stopBoth()
    }

    @Test("channel settings are validated and per unit")
    func channelSettings() throws {
        let base = ["PENAH_DATA_DIR": "/tmp/penah-x"]
        let settings = try Settings.load(environment: base.merging(["PENAH_NOTICE_CHANNELS": "letter", "PENAH_NOTICE_CHANNELS_KARABAKH_AGDAM": "policeGateway,esdas"]) { $1 }, isProduction: false)
        #expect(settings.notices.routes(forUnit: "BAKU-1") == [.letter])
        #expect(settings.notices.routes(forUnit: "KARABAKH-AGDAM") == [.policeGateway, .esdas])
        for bad in [["PENAH_NOTICE_CHANNELS": "pigeon"], ["PENAH_NOTICE_CHANNELS_BAKU_1": "letter,fax"], ["PENAH_ESDAS_URL": "ftp://x"],
                    ["PENAH_ESDAS_URL": "https://esdas.example"], ["PENAH_NOTICE_MAX_ATTEMPTS": "0"], ["PENAH_DELIVERY_WORKER": "maybe"]] {
            #expect(throws: SettingsError.self) { try Settings.load(environment: base.merging(bad) { $1 }, isProduction: false) }
        }
    }

    @Test("a serving node's own worker delivers a new notice within moments")
    func workerDelivers() async throws {
        let inbox = StandInInbox()
        let (gateway, port) = try await PoliceGatewayStandIn.start(secret: Self.secret, acknowledger: nil, port: 0, inbox: inbox)
        do {
            try await withPenah(environment: ["PENAH_POLICE_GATEWAY_URL": "http://127.0.0.1:\(port)/notices", "PENAH_POLICE_GATEWAY_SECRET": Self.secret]) { app in
                // As `serve` does: booting starts the node's delivery worker.
                try await app.asyncBoot()
                let id = try await Self.interviewedCase(app)
                let lawyer = try await app.caller(.lawyer)
                let noticeID = try #require(try await lawyer.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "urgent"]).object["id"] as? String)
                var status = "queued"
                for _ in 0..<100 where status == "queued" {
                    try await Task.sleep(for: .milliseconds(50))
                    status = try await lawyer.send(.GET, "/api/v1/law-enforcement-notices/\(noticeID)").object["status"] as? String ?? ""
                }
                #expect(status == "sent")
                #expect(await inbox.received.keys.contains(noticeID))
            }
        } catch { try? await PoliceGatewayStandIn.stop(gateway); throw error }
        try await PoliceGatewayStandIn.stop(gateway)
    }

    @Test("a message that cannot be sent fails on its own: its batch-mates are recorded as sent, and it reaches failed after its attempts")
    func oneBadMessage() async throws {
        try await Self.withGateway { app, inbox, _ in
            let id = try await Self.interviewedCase(app)
            let lawyer = try await app.caller(.lawyer)
            for _ in 0..<3 { #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "routine"]).status == .created) }
            // The middle notice's body will not open (a damaged row).
            let notices = try await NoticeRecord.query(on: app.db).sort(\.$number).all()
            notices[1].body = "v1.\(UUID().uuidString).AAAA"
            try await notices[1].update(on: app.db)
            var clock = Date()
            for _ in 0..<4 {
                clock = clock.addingTimeInterval(600)
                let at = clock
                _ = try await Self.delivery(app).runOnce(batch: 3, now: { at })
            }
            let after = try await NoticeRecord.query(on: app.db).sort(\.$number).all()
            #expect(after.map(\.status) == [.sent, .failed, .sent])
            #expect(await inbox.received.count == 2, "each good notice sent once, not again every lease")
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$state == .done).count() == 2)
        }
    }

    @Test("several nodes draining the outbox at once send each message once")
    func concurrentWorkers() async throws {
        try await Self.withGateway { app, inbox, _ in
            let id = try await Self.interviewedCase(app)
            let lawyer = try await app.caller(.lawyer)
            for _ in 0..<24 { #expect(try await lawyer.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "routine"]).status == .created) }
            let tried = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 { group.addTask { try await app.noticeDelivery().runOnce(limit: 100, batch: 5) } }
                return try await group.reduce(0, +)
            }
            #expect(tried == 24, "no message claimed twice")
            let posts = await inbox.posts, received = await inbox.received.count
            #expect(posts == 24 && received == 24)
            #expect(try await NoticeRecord.query(on: app.db).filter(\.$status == .sent).count() == 24)
        }
    }

    @Test("notices of one case created at once are numbered one after another")
    func concurrentNumbers() async throws {
        try await withPenah { app in
            let id = try await Self.interviewedCase(app)
            let lawyer = try await app.caller(.lawyer)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<6 { group.addTask { try await lawyer.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "routine"]).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created }, "\(statuses)")
            let numbers = try await NoticeRecord.query(on: app.db).all().map(\.number)
            #expect(Set(numbers).count == 6 && numbers.allSatisfy { $0.hasPrefix("LE-DV-BAKU-1-") })
        }
    }

    @Test("a second notice on a case (a new incident) is taken at once, from the page and the API, without holding up other requests")
    func secondNotice() async throws {
        try await Self.withGateway { app, _, _ in
            let id = try await Self.interviewedCase(app)
            let lawyer = try await app.browser(.lawyer)
            for _ in 0..<2 {
                let posted = try await app.send(.POST, "/cases/\(id)/notices", headers: lawyer.headers,
                                                body: formBody([("csrf", lawyer.csrf), ("urgency", "routine")]))
                #expect(posted.status == .seeOther, "\(posted.status) \(posted.body.string.prefix(300))")
            }
            let api = try await app.caller(.lawyer)
            #expect(try await api.send(.POST, "/api/v1/cases/\(id)/law-enforcement-notices", ["urgency": "urgent"]).status == .created)
            let numbers = try await NoticeRecord.query(on: app.db).filter(\.$caseID == id).all().map(\.number).sorted()
            #expect(numbers.count == 3 && Set(numbers).count == 3)
            // The page still offers the next notice: the API takes it.
            let page = try await app.send(.GET, "/cases/\(id)?lang=en", headers: lawyer.headers)
            #expect(page.body.string.contains("/cases/\(id)/notices"))
        }
    }

    @Test("'the police already know' follows the same rule as informing them: not for a case outside the service, and the page agrees")
    func alreadyKnownOutsideTheService() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let lawyer = try await app.browser(.lawyer)
            let api = try await app.caller(.lawyer)
            // Residence "other": outside this service's card (field 10), referred elsewhere.
            let outside = try await reception.register(sampleApplication(residence: "other"))
            #expect(try await CaseDocumentTests.upload(reception, outside, kind: "policeProtocol", file: CaseDocumentTests.pdf).status == .created)
            // The service used to take this while the page did not offer it.
            #expect(try await api.send(.POST, "/api/v1/cases/\(outside)/police-reference", ["reference": "PR-1"]).status == .conflict)
            #expect(try await NoticeRecord.query(on: app.db).count() == 0)
            let page = try await app.send(.GET, "/cases/\(outside)?lang=en", headers: lawyer.headers)
            #expect(!page.body.string.contains("/cases/\(outside)/police-reference"))
        }
    }

    @Test("bad input and wrong state: 422, 409, 404, nothing written")
    func badInput() async throws {
        try await withPenah { app in
            let reception = try await app.caller(.reception)
            let lawyer = try await app.caller(.lawyer)
            let bare = try await reception.register()
            let path = "/api/v1/cases/\(bare)/law-enforcement-notices"
            #expect(try await lawyer.send(.POST, path, ["urgency": "whenever"]).status == .unprocessableEntity)
            #expect(try await lawyer.send(.POST, path, [String: String]()).status == .unprocessableEntity)
            #expect(try await lawyer.send(.POST, path, ["urgency": "routine"]).status == .conflict, "no legal section yet")
            #expect(try await reception.send(.POST, path, ["urgency": "routine"]).status == .notFound)
            let stranger = try await app.caller(.lawyer, unit: "BAKU-2")
            #expect(try await stranger.send(.POST, path, ["urgency": "routine"]).status == .notFound)
            // Already known to the police: needs the protocol on file.
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(bare)/police-reference", ["reference": "PR-77"]).status == .conflict)
            #expect(try await NoticeRecord.query(on: app.db).count() == 0)
            let upload = try await CaseDocumentTests.upload(reception, bare, kind: "policeProtocol", file: CaseDocumentTests.pdf)
            #expect(upload.status == .created)
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(bare)/police-reference", ["reference": Self.hostile + String(repeating: "x", count: 200)]).status == .unprocessableEntity)
            let known = try await lawyer.send(.POST, "/api/v1/cases/\(bare)/police-reference", ["reference": "PR-77"])
            #expect(known.status == .created && known.object["status"] as? String == "acknowledged" && known.object["reference"] as? String == "PR-77")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "notice.alreadyKnown").count() == 1)
            #expect(try await stranger.send(.GET, "/api/v1/law-enforcement-notices/\(known.object["id"] as? String ?? "")").status == .notFound)
            #expect(try await lawyer.send(.GET, "/api/v1/law-enforcement-notices/not-a-uuid").status == .notFound)
        }
    }
}

extension Application {
    /// An API caller holding the police gateway's service-account role.
    func gatewayCaller() async throws -> APICaller {
        let staff = try await makeStaff(.admin)
        staff.user.role = .lawEnforcementGateway
        staff.user.isService = true
        try await staff.user.update(on: db)
        return APICaller(app: self, staff: staff, token: try await token(for: staff))
    }
}
