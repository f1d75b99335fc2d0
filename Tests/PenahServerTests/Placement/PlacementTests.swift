import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Anonymous placement")
struct PlacementTests {
    @Test("preconditions: a signed decision, consent to referral, and the act or a supervisor's override; one open request")
    func preconditions() async throws {
        try await withPenah { app in
            let lawyer = try await app.caller(.lawyer)
            let reception = try await app.caller(.reception)
            let undecided = try await reception.register()
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(undecided)/placement-requests", ["urgency": "routine"]).status == .conflict)
            let noAct = try await app.decidedCase(withAct: false)
            let path = "/api/v1/cases/\(noAct)/placement-requests"
            #expect(try await lawyer.send(.POST, path, ["urgency": "routine"]).status == .conflict, "no act, no override")
            #expect(try await lawyer.send(.POST, path, ["urgency": "soon"]).status == .unprocessableEntity)
            #expect(try await lawyer.send(.POST, path, ["urgency": "routine", "children": [["age": 31, "sex": "male"]]]).status == .unprocessableEntity)
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(noAct)/placement-override", ["reason": "x"]).status == .notFound, "supervisors only")
            let supervisor = try await app.caller(.supervisor)
            #expect(try await supervisor.send(.POST, "/api/v1/cases/\(noAct)/placement-override", ["reason": "  "]).status == .unprocessableEntity)
            #expect(try await supervisor.send(.POST, "/api/v1/cases/\(noAct)/placement-override", ["reason": "Təcili: uşaqlarla küçədədir"]).status == .created)
            let submitted = try await lawyer.send(.POST, path, ["urgency": "routine", "children": [["age": 6, "sex": "female"], ["age": 9, "sex": "male"]],
                                                                "avoidRegions": ["Xətai"]] as [String: Any])
            #expect(submitted.status == .created, "\(submitted.text)")
            #expect(submitted.object["status"] as? String == "submitted" && submitted.object["dueAt"] != nil)
            #expect(try await lawyer.send(.POST, path, ["urgency": "routine"]).status == .conflict, "one open request per case")
            let request = try #require(try await PlacementRequest.query(on: app.db).first())
            #expect(request.places == 3 && request.emergencyOverride)
            #expect(try await PlacementRequest.query(on: app.db).count() == 1)

            // No consent to referral: refused.
            var body = sampleApplication(fin: nil, phone: nil)
            body["consent"] = ["services": true, "referral": false, "capturedAs": "signature"]
            let noConsent = try await reception.register(body)
            #expect(try await lawyer.send(.POST, "/api/v1/cases/\(noConsent)/placement-requests", ["urgency": "routine"]).status == .conflict)
            let other = try await app.caller(.lawyer, unit: "BAKU-2")
            #expect(try await other.send(.POST, path, ["urgency": "routine"]).status == .notFound)
        }
    }

    @Test("requests for one case sent at once (on two nodes on PostgreSQL): one is open, the others are 409")
    func oneOpenRequestUnderConcurrency() async throws {
        try await withPenah { app in
            let caseID = try await app.decidedCase()
            let lawyer = try await app.caller(.lawyer)
            func race(_ nodes: [Application]) async throws -> [HTTPStatus] {
                try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for i in 0..<6 {
                        let caller = APICaller(app: nodes[i % nodes.count], staff: lawyer.staff, token: lawyer.token)
                        group.addTask { try await caller.send(.POST, "/api/v1/cases/\(caseID)/placement-requests", ["urgency": "routine"]).status }
                    }
                    return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
                }
            }
            var statuses: [HTTPStatus] = []
            if TestDatabase.isPostgres {
                try await BoardRelayTests().withSecondNode(app) { nodeB in statuses = try await race([app, nodeB]) }
            } else {
                statuses = try await race([app])
            }
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .conflict }.count == 5, "\(statuses)")
            #expect(try await PlacementRequest.query(on: app.db).filter(\.$caseID == caseID).count() == 1)
        }
    }

    @Test("two SXA officers approving the last place at once: one succeeds, the other gets 409; never oversold", arguments: 0..<2)
    func lastPlace(_ run: Int) async throws {
        try await withPenah { app in
            _ = try await app.makeStaff(.sxaOfficer)
            let shelter = try #require(try await UnitService(db: app.db).find(code: "SHELTER-NGO-1"))
            shelter.capacity = 1
            try await shelter.update(on: app.db)
            let first = try await app.placementRequest(caseID: try await app.decidedCase())
            let second = try await app.placementRequest(caseID: try await app.decidedCase())
            let a = try await app.caller(.sxaOfficer), b = try await app.caller(.sxaOfficer)
            let body = ["decision": "approved", "shelterId": shelter.id!.uuidString]
            async let one = a.send(.POST, "/api/v1/placement-requests/\(first)/decision", body)
            async let two = b.send(.POST, "/api/v1/placement-requests/\(second)/decision", body)
            let (r1, r2) = (try await one, try await two)
            let statuses = [r1.status, r2.status].map(\.code).sorted()
            #expect(statuses == [200, 409], "\(statuses) \(r1.text) \(r2.text)")
            let profile = try #require(try await ShelterProfile.query(on: app.db).filter(\.$unitID == shelter.id!).first())
            #expect(profile.occupied + profile.held == 1)
            // "No place" is recorded as unmet need; the request waits on the list.
            let firstWon = try await PlacementRequest.find(first, on: app.db)?.status == .approved
            let loser = firstWon ? second : first
            #expect(try await a.send(.POST, "/api/v1/placement-requests/\(loser)/decision", ["decision": "waiting"]).status == .ok)
            #expect(try await PlacementRequest.find(loser, on: app.db)?.status == .waiting)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "placement.unmetNeed").count() == 1)
            let inbox = try await a.send(.GET, "/api/v1/placement-requests?status=waiting")
            #expect((inbox.object["items"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("admission: the code opens the door once; a used, an expired, a mistyped or another shelter's code is refused; guessing is throttled")
    func admission() async throws {
        try await withPenah(environment: ["PENAH_ADMISSION_CODE_HOURS": "1"]) { app in
            let caseID = try await app.decidedCase()
            let requestID = try await app.placementRequest(caseID: caseID, body: ["urgency": "routine", "children": [["age": 4, "sex": "male"]]])
            let code = try await app.approve(requestID, caseID: caseID)
            let shelterID = try await app.shelterID()
            let held = try #require(try await ShelterProfile.query(on: app.db).filter(\.$unitID == shelterID).first())
            #expect(held.held == 2, "she and her son")
            // Another shelter's staff: the route is outside their scope, and their own door refuses the code.
            let stranger = try await app.caller(.shelterStaff, unit: "SHELTER-NGO-1")
            #expect(try await stranger.send(.POST, "/api/v1/shelters/\(shelterID)/admissions", ["admissionCode": code]).status == .notFound)
            #expect(try await stranger.send(.GET, "/api/v1/shelters/\(shelterID)/stays").status == .notFound)
            let ngo = try await app.shelterID("SHELTER-NGO-1")
            #expect(try await stranger.send(.POST, "/api/v1/shelters/\(ngo)/admissions", ["admissionCode": code]).status == .unprocessableEntity)
            let ownShelters = try await stranger.send(.GET, "/api/v1/shelters")
            #expect((ownShelters.object["items"] as? [[String: Any]])?.map { $0["unitCode"] as? String } == ["SHELTER-NGO-1"])

            let door = try await app.caller(.shelterStaff)
            let mistyped = String(code.dropLast()) + (code.last == "A" ? "C" : "A")
            #expect(try await door.send(.POST, "/api/v1/shelters/\(shelterID)/admissions", ["admissionCode": mistyped]).status == .unprocessableEntity)
            let admitted = try await door.send(.POST, "/api/v1/shelters/\(shelterID)/admissions", ["admissionCode": code.lowercased()])
            #expect(admitted.status == .created, "\(admitted.text)")
            #expect(admitted.object["pseudonym"] as? String == (try await CaseRecord.find(caseID, on: app.db))?.pseudonym)
            #expect(try await door.send(.POST, "/api/v1/shelters/\(shelterID)/admissions", ["admissionCode": code]).status == .unprocessableEntity, "single use")
            let counts = try #require(try await ShelterProfile.query(on: app.db).filter(\.$unitID == shelterID).first())
            #expect(counts.held == 0 && counts.occupied == 2)

            // Expiry: an approved hold past its time frees the places and the code no longer opens.
            let second = try await app.decidedCase()
            let secondRequest = try await app.placementRequest(caseID: second)
            let secondCode = try await app.approve(secondRequest, caseID: second)
            let staff = StaffContext(userID: door.staff.user.id!, username: door.staff.username, displayName: "t", role: .shelterStaff,
                                     unitCode: "SHELTER-SXA-1", unitName: "x", session: AuthSessionRef(id: UUID(), kind: .api, csrfToken: nil))
            let later = Date().addingTimeInterval(2 * 3_600)
            await #expect(throws: ValidationProblems.self) {
                _ = try await ShelterDoor(db: app.db, vault: app.vault(), settings: app.settings)
                    .admit(code: secondCode, shelterID: shelterID, staff: staff, actor: .system("t"), address: "t", now: later)
            }
            // The door went by the time alone; pages show the hold as expired before the job records it.
            let stored = try #require(try await PlacementRequest.find(secondRequest, on: app.db))
            #expect(try stored.status == .approved && PlacementView(stored, now: later).status == .holdExpired)
            #expect(try await ShelterProfile.query(on: app.db).filter(\.$unitID == shelterID).first()?.held == stored.places)
            // The job (HoldExpiry.job in serve) records it and gives the places back — once, though every
            // node runs it: a third hold, still valid, shows a place given back twice.
            let third = try await app.decidedCase()
            let thirdRequest = try await app.placementRequest(caseID: third)
            _ = try await app.approve(thirdRequest, caseID: third)
            let kept = try #require(try await PlacementRequest.find(thirdRequest, on: app.db))
            kept.holdExpiresAt = later.addingTimeInterval(3_600)
            try await kept.save(on: app.db)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await HoldExpiry(db: app.db).sweep(now: later) } }
                try await group.waitForAll()
            }
            #expect(try await PlacementRequest.find(secondRequest, on: app.db)?.status == .holdExpired)
            #expect(try await ShelterProfile.query(on: app.db).filter(\.$unitID == shelterID).first()?.held == kept.places)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "placement.holdExpired").count() == 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "placement.admission.refused.notValid").count() >= 1)

            // Guessing: after ten failures the door slows down (one instant, so the test does not race the clock).
            let doorService = ShelterDoor(db: app.db, vault: app.vault(), settings: app.settings)
            let instant = Date()
            var throttled = false
            for _ in 0..<12 {
                do { _ = try await doorService.admit(code: AdmissionCode.generate(), shelterID: shelterID, staff: staff, actor: .system("t"), address: "10.0.0.9", now: instant) }
                catch let abort as Abort where abort.status == .tooManyRequests { throttled = true }
                catch is ValidationProblems {}
            }
            #expect(throttled)
            let api = try await door.send(.POST, "/api/v1/shelters/\(shelterID)/admissions", ["admissionCode": code])
            #expect(api.status == .unprocessableEntity || api.status == .tooManyRequests)
        }
    }

    @Test("question thread, refusal on the one ground, stays with services, extension and discharge; the DOST case sees the outcome")
    func lifecycle() async throws {
        try await withPenah { app in
            let caseID = try await app.decidedCase()
            let requestID = try await app.placementRequest(caseID: caseID)
            let sxa = try await app.caller(.sxaOfficer)
            let lawyer = try await app.caller(.lawyer)
            let base = "/api/v1/placement-requests/\(requestID)"
            #expect(try await lawyer.send(.POST, "\(base)/answers", ["text": "x"]).status == .conflict, "nothing asked yet")
            #expect(try await sxa.send(.POST, "\(base)/questions", ["text": ""]).status == .unprocessableEntity)
            #expect(try await sxa.send(.POST, "\(base)/questions", ["text": "Uşaq məktəbə gedir?"]).status == .created)
            #expect(try await PlacementRequest.find(requestID, on: app.db)?.status == .question)
            #expect(try await lawyer.send(.POST, "\(base)/answers", ["text": "Bəli, 3-cü sinif."]).status == .created)
            #expect(try await PlacementRequest.find(requestID, on: app.db)?.status == .submitted)
            let detail = try await sxa.send(.GET, base)
            #expect((detail.object["thread"] as? [[String: Any]])?.count == 2)
            #expect(try await sxa.send(.POST, "\(base)/decision", ["decision": "refused"]).status == .unprocessableEntity)
            #expect(try await sxa.send(.POST, "\(base)/decision", ["decision": "maybe"]).status == .unprocessableEntity)
            #expect(try await sxa.send(.POST, "\(base)/decision", ["decision": "approved"]).status == .unprocessableEntity)

            let refusedCase = try await app.decidedCase()
            let refusedRequest = try await app.placementRequest(caseID: refusedCase)
            let refused = try await sxa.send(.POST, "/api/v1/placement-requests/\(refusedRequest)/decision", ["decision": "refused", "explanation": "Hüquqi əsası yoxdur: ..."])
            #expect(refused.status == .ok && refused.object["status"] as? String == "refused")
            let refusedView = try await lawyer.send(.GET, "/api/v1/cases/\(refusedCase)")
            #expect((refusedView.object["placement"] as? [String: Any])?["refusal"] as? String == "Hüquqi əsası yoxdur: ...")
            let clocks = refusedView.object["clocks"] as? [[String: Any]] ?? []
            #expect(clocks.first { $0["kind"] as? String == "backOffice" }?["stoppedAt"] != nil)
            #expect(clocks.first { $0["kind"] as? String == "total" }?["stoppedAt"] != nil)
            #expect(try await sxa.send(.POST, "/api/v1/placement-requests/\(refusedRequest)/decision", ["decision": "waiting"]).status == .conflict)

            let code = try await app.approve(requestID, caseID: caseID)
            let door = try await app.caller(.shelterStaff)
            let shelterID = try await app.shelterID()
            let stayID = try #require(try await door.send(.POST, "/api/v1/shelters/\(shelterID)/admissions", ["admissionCode": code]).object["stayId"] as? String)
            #expect(try await door.send(.POST, "/api/v1/stays/\(stayID)/services", ["services": ["psychologicalSupport", "legalAid"]]).status == .ok)
            #expect(try await door.send(.POST, "/api/v1/stays/\(stayID)/services", ["services": ["teleport"]]).status == .unprocessableEntity)
            #expect(try await door.send(.POST, "/api/v1/stays/\(stayID)/extension", ["until": "2027-12-31"]).status == .notFound, "SXA extends")
            #expect(try await sxa.send(.POST, "/api/v1/stays/\(stayID)/extension", ["until": "2020-01-01"]).status == .unprocessableEntity)
            #expect(try await sxa.send(.POST, "/api/v1/stays/\(stayID)/extension", ["until": BakuFormat.dayKey(Date().addingTimeInterval(300 * 86_400))]).status == .ok)
            #expect(try await door.send(.POST, "/api/v1/stays/\(stayID)/discharge", ["reason": "vanished"]).status == .unprocessableEntity)
            #expect(try await door.send(.POST, "/api/v1/stays/\(stayID)/discharge", ["reason": "independentHousing"]).status == .ok)
            #expect(try await door.send(.POST, "/api/v1/stays/\(stayID)/discharge", ["reason": "other"]).status == .conflict)
            #expect(try await ShelterProfile.query(on: app.db).filter(\.$unitID == shelterID).first()?.occupied == 0)
            let outcome = try await lawyer.send(.GET, "/api/v1/cases/\(caseID)")
            let placement = outcome.object["placement"] as? [String: Any] ?? [:]
            #expect(placement["dischargeReason"] as? String == "independentHousing")
            #expect((placement["servicesGiven"] as? [String])?.sorted() == ["legalAid", "psychologicalSupport"])
            #expect(placement["admissionCode"] == nil, "gone once used")
        }
    }
}

@Suite("A shelter's location (ShelterRules.seesLocation)")
struct ShelterLocationTests {
    @Test("only SXA and shelter staff see where a shelter is; the admin's API update keeps what it cannot see")
    func location() async throws {
        #expect(Role.allCases.filter(ShelterRules.seesLocation) == [.sxaOfficer, .shelterStaff])
        try await withPenah { app in
            let sxa = try await app.caller(.sxaOfficer)
            let admin = try await app.caller(.admin)
            let shelter = try await app.shelterID()
            let profile: [String: Any] = ["operatorCode": "sxa", "intake": ["takesWomen": true, "takesChildren": true, "accessible": [],
                                                                            "languages": ["az"], "district": "Xətai"], "location": "Gizli ünvan 7"]
            #expect(try await sxa.send(.POST, "/api/v1/shelters/\(shelter)", profile).status == .ok)
            var moved = profile
            moved["location"] = "Başqa yer"
            let changed = try await admin.send(.POST, "/api/v1/shelters/\(shelter)", moved)
            #expect(changed.status == .ok && !changed.text.contains("Gizli") && !changed.text.contains("Başqa"), "\(changed.text)")
            #expect(!(try await admin.send(.GET, "/api/v1/shelters").text.contains("Gizli")))
            #expect(try await sxa.send(.GET, "/api/v1/shelters").text.contains("Gizli ünvan 7"))
            #expect(try await ShelterProfile.query(on: app.db).filter(\.$unitID == shelter).first()?.location == "Gizli ünvan 7")
        }
    }
}
