import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import PenahDomain
@testable import PenahServer

@Suite("Admin pages, enrolment and the auditor's pages")
struct AdminPagesTests {
    func browser(_ app: Application, _ role: Role) async throws -> (TestStaff, HTTPHeaders, String) {
        let browser = try await app.browser(role)
        return (browser.staff, browser.headers, browser.csrf)
    }

    func enrolmentCode(in html: String) -> String? {
        html.components(separatedBy: "<p class=\"code\"><strong>").dropFirst().first?.components(separatedBy: "</strong>").first
    }

    @Test("an admin invites a person, who chooses their own password, confirms TOTP and signs in")
    func inviteAndEnrol() async throws {
        try await withPenah { app in
            let (_, admin, csrf) = try await browser(app, .admin)
            let created = try await app.send(.POST, "/admin/users?lang=en", headers: admin, body: formBody([
                ("csrf", csrf), ("username", "leyla.h"), ("displayName", "Leyla Həsənova"), ("role", "lawyer"), ("unit", "BAKU-2"),
            ]))
            #expect(created.status == .created)
            let code = try #require(enrolmentCode(in: created.body.string))
            let pending = try #require(try await StaffUser.query(on: app.db).filter(\.$username == "leyla.h").first())
            #expect(pending.passwordHash == nil && pending.enrolledAt == nil)

            // The person, in their own browser.
            let form = try await app.send(.GET, "/enrol")
            let pre = try #require(form.cookie("penah_pre"))
            var headers = formHeaders
            headers.add(name: .cookie, value: "penah_pre=\(pre)")
            let formCSRF = form.body.string.components(separatedBy: "name=\"csrf\" value=\"")[1].components(separatedBy: "\"")[0]
            let weak = try await app.send(.POST, "/enrol", headers: headers, body: formBody([("csrf", formCSRF), ("code", code), ("password", "short")]))
            #expect(weak.status == .unprocessableEntity)
            let started = try await app.send(.POST, "/enrol", headers: headers, body: formBody([
                ("csrf", formCSRF), ("code", code.lowercased()), ("password", "my own long pass phrase"),
            ]))
            #expect(started.status == .ok)
            let uri = try #require(started.body.string.components(separatedBy: "<code>otpauth://").dropFirst().first?.components(separatedBy: "</code>").first)
            let secretText = try #require(URLComponents(string: "otpauth://" + uri.replacingOccurrences(of: "&amp;", with: "&"))?
                .queryItems?.first { $0.name == "secret" }?.value)
            let secret = try #require(Base32.decode(secretText))
            // Beside it, the same URI as a QR code drawn on the page (no image from elsewhere).
            let drawn = try QRCode("otpauth://" + uri.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(started.body.string.contains("<path d=\"\(drawn.pathData)\" fill=\"black\"/>"))
            #expect(!started.body.string.contains("<img"))
            // Not usable before confirmation.
            let early = try await app.send(.POST, "/api/v1/auth/token", headers: jsonHeaders, body: jsonBody([
                "username": "leyla.h", "password": "my own long pass phrase", "otp": TOTP.code(secret: secret, step: TOTP.step(at: Date()) - 1),
            ]))
            #expect(early.status == .unauthorized)
            let confirmed = try await app.send(.POST, "/enrol/confirm", headers: headers, body: formBody([
                ("csrf", formCSRF), ("code", code), ("otp", TOTP.code(secret: secret, step: TOTP.step(at: Date()))),
            ]))
            #expect(confirmed.status == .ok)
            let signedIn = try await app.send(.POST, "/api/v1/auth/token", headers: jsonHeaders, body: jsonBody([
                "username": "leyla.h", "password": "my own long pass phrase", "otp": TOTP.code(secret: secret, step: TOTP.step(at: Date()) + 1),
            ]))
            #expect(signedIn.status == .ok)
            // The code is spent.
            let again = try await app.send(.POST, "/enrol", headers: headers, body: formBody([("csrf", formCSRF), ("code", code), ("password", "my own long pass phrase")]))
            #expect(again.status == .unprocessableEntity)
            let actions = try await AuditEvent.query(on: app.db).all().map(\.action)
            #expect(actions.contains("staff.invite") && actions.contains("staff.enrolConfirm"))
        }
    }

    @Test("invalid invitations name the field and create nothing")
    func badInvite() async throws {
        try await withPenah { app in
            let (_, admin, csrf) = try await browser(app, .admin)
            let before = try await StaffUser.query(on: app.db).count()
            for fields in [
                [("username", "\"'><script>alert(1)</script>"), ("role", "lawyer"), ("unit", "BAKU-1")],
                [("username", "ok.name"), ("role", "sxaOfficer"), ("unit", "BAKU-1")],
                [("username", "ok.name"), ("role", "superuser"), ("unit", "BAKU-1")],
                [("username", "ok.name"), ("role", "lawyer"), ("unit", "../../etc")],
                [],
            ] {
                let response = try await app.send(.POST, "/admin/users", headers: admin, body: formBody([("csrf", csrf)] + fields))
                #expect(response.status == .unprocessableEntity)
                #expect(!response.body.string.contains("<script>alert"))
            }
            #expect(try await StaffUser.query(on: app.db).count() == before)
        }
    }

    @Test("disabling ends the person's sessions; reset of the second factor sends them back to enrolment")
    func disableAndReset() async throws {
        try await withPenah { app in
            let (_, admin, csrf) = try await browser(app, .admin)
            let person = try await app.makeStaff(.reception)
            let token = try await app.token(for: person)
            let id = try person.user.requireID()
            let disabled = try await app.send(.POST, "/admin/users/\(id)/disable", headers: admin, body: formBody([("csrf", csrf), ("confirmed", "yes")]))
            #expect(disabled.status == .seeOther)
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer(token)).status == .unauthorized)
            _ = try await app.send(.POST, "/admin/users/\(id)/enable", headers: admin, body: formBody([("csrf", csrf)]))
            let fresh = try await app.token(for: person)
            let reset = try await app.send(.POST, "/admin/users/\(id)/reset-second-factor", headers: admin, body: formBody([("csrf", csrf), ("confirmed", "yes")]))
            #expect(reset.status == .ok)
            #expect(enrolmentCode(in: reset.body.string) != nil)
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer(fresh)).status == .unauthorized)
            let stored = try #require(try await StaffUser.find(id, on: app.db))
            #expect(stored.passwordHash == person.user.passwordHash, "an admin never sets a password")
            #expect(stored.totpSecretSealed == nil && stored.enrolledAt == nil)
            let unknown = try await app.send(.POST, "/admin/users/\(UUID())/disable", headers: admin, body: formBody([("csrf", csrf)]))
            #expect(unknown.status == .notFound)
        }
    }

    @Test("an admin creates units through the page, with localised errors")
    func units() async throws {
        try await withPenah { app in
            let (_, admin, csrf) = try await browser(app, .admin)
            let ok = try await app.send(.POST, "/admin/units", headers: admin, body: formBody([
                ("csrf", csrf), ("code", "GANJA"), ("kind", "regionalCentre"), ("name", "Gəncə regional DOST mərkəzi"), ("parent", "HQ"),
            ]))
            #expect(ok.status == .seeOther)
            #expect(try await UnitService(db: app.db).find(code: "GANJA")?.kind == .regionalCentre)
            let bad = try await app.send(.POST, "/admin/units?lang=ru", headers: admin, body: formBody([
                ("csrf", csrf), ("code", "GANJA"), ("kind", "shelter"), ("name", ""), ("capacity", "lots"),
            ]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Недопустимое значение."))
        }
    }

    @Test("the auditor browses events and a record's access log; filters are validated")
    func auditPages() async throws {
        try await withPenah { app in
            let (auditor, headers, _) = try await browser(app, .auditor)
            let person = try await app.makeStaff(.lawyer)
            _ = try await app.send(.POST, "/api/v1/auth/token", headers: jsonHeaders, body: jsonBody([
                "username": person.username, "password": "wrong password!!", "otp": "123456"]))
            let id = try person.user.requireID().uuidString
            let all = try await app.send(.GET, "/audit?lang=en&action=auth.signIn", headers: headers)
            #expect(all.status == .ok)
            #expect(all.body.string.contains("denied") && all.body.string.contains(id))
            let log = try await app.send(.GET, "/audit/records/\(id)", headers: headers)
            // Actions and roles by their translated names (az by default), not their codes.
            #expect(log.body.string.contains("<td>İşçinin yaradılması</td>") && log.body.string.contains("<td>Sistemə giriş</td>"))
            #expect(!log.body.string.contains("<td>staff.create</td>"))
            // An event on a case shows the case's number beside its id, and the actor's role by name.
            let reception = try await app.caller(.reception)
            let caseID = try await reception.register()
            let number = try #require(try await CaseRecord.find(caseID, on: app.db)?.number)
            let onCase = try await app.send(.GET, "/audit/records/\(caseID)?lang=en", headers: headers).body.string
            #expect(onCase.contains("<td>Case registered</td>") && onCase.contains("<td>Reception operator</td>"))
            #expect(onCase.contains("case \(number) <a href=\"/audit/records/\(caseID)\">"))
            #expect(!onCase.contains("İsmayılova"), "the auditor reads who touched a case, never what it says")
            // Wide tables take the screen's width (1280 px shows every column); other pages keep the reading width.
            #expect(onCase.contains("<main id=\"main\" tabindex=\"-1\" class=\"wide\">"))
            let start = try await app.send(.GET, "/staff", headers: headers).body.string
            #expect(start.contains("<main id=\"main\" tabindex=\"-1\">"))
            let byUser = try await app.send(.GET, "/audit?user=\(auditor.username)", headers: headers)
            #expect(!byUser.body.string.contains("auth.signIn"))
            let badDate = try await app.send(.GET, "/audit?from=31.02.2026&lang=en", headers: headers)
            #expect(badDate.status == .unprocessableEntity)
            #expect(badDate.body.string.contains("There is no such day: check the day and the month."))
            let notADate = try await app.send(.GET, "/audit?from=yesterday&lang=en", headers: headers)
            #expect(notADate.status == .unprocessableEntity && notADate.body.string.contains("Enter the date as dd.mm.yyyy."))
            let hostile = try await app.send(.GET, "/audit?record=%3Cscript%3Ealert(1)%3C/script%3E", headers: headers)
            #expect(hostile.status == .ok && !hostile.body.string.contains("<script>alert"))
        }
    }
}

@Suite("Editing accounts")
struct EditAccountTests {
    @Test("a change of role ends the person's sessions; a rename does not")
    func privilegeChange() async throws {
        try await withPenah { app in
            let admin = try await app.browser(.admin)
            let (headers, session) = (admin.headers, admin)
            let person = try await app.makeStaff(.reception)
            let id = try person.user.requireID()
            let token = try await app.token(for: person)
            let form = try await app.send(.GET, "/admin/users/\(id)", headers: headers)
            #expect(form.status == .ok && form.body.string.contains(person.username))
            let renamed = try await app.send(.POST, "/admin/users/\(id)", headers: headers, body: formBody([
                ("csrf", session.csrf), ("displayName", "Aysel Quliyeva"), ("role", "reception"), ("unit", "BAKU-1")]))
            #expect(renamed.status == .seeOther)
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer(token)).status == .ok)
            let promoted = try await app.send(.POST, "/admin/users/\(id)", headers: headers, body: formBody([
                ("csrf", session.csrf), ("displayName", "Aysel Quliyeva"), ("role", "supervisor"), ("unit", "BAKU-1")]))
            #expect(promoted.status == .seeOther)
            #expect(try await app.send(.GET, "/api/v1/units", headers: .bearer(token)).status == .unauthorized)
            let misfit = try await app.send(.POST, "/admin/users/\(id)", headers: headers, body: formBody([
                ("csrf", session.csrf), ("displayName", "X"), ("role", "shelterStaff"), ("unit", "BAKU-1")]))
            #expect(misfit.status == .unprocessableEntity)
            #expect(try await StaffUser.find(id, on: app.db)?.role == .supervisor)
        }
    }
}

@Suite("Editing units")
struct EditUnitTests {
    @Test("an admin renames a unit and sets a shelter's places and a centre's desks; bad values change nothing")
    func edit() async throws {
        try await withPenah { app in
            let admin = try await app.browser(.admin)
            let (headers, session) = (admin.headers, admin)
            #expect(try await app.send(.GET, "/admin/units/BAKU-3", headers: headers).status == .ok)
            let ok = try await app.send(.POST, "/admin/units/BAKU-3", headers: headers,
                                        body: formBody([("csrf", session.csrf), ("name", "Bakı 3 saylı DOST mərkəzi"), ("desks", "12")]))
            #expect(ok.status == .seeOther)
            #expect(try await UnitService(db: app.db).find(code: "BAKU-3")?.desks == 12)
            let shelter = try await app.send(.POST, "/admin/units/SHELTER-NGO-1", headers: headers,
                                             body: formBody([("csrf", session.csrf), ("name", "Sığınacaq"), ("capacity", "25")]))
            #expect(shelter.status == .seeOther)
            #expect(try await UnitService(db: app.db).find(code: "SHELTER-NGO-1")?.capacity == 25)
            for fields in [[("name", ""), ("desks", "3")], [("name", "X"), ("desks", "500")], [("name", "X"), ("desks", "many")]] {
                let bad = try await app.send(.POST, "/admin/units/BAKU-3", headers: headers, body: formBody([("csrf", session.csrf)] + fields))
                #expect(bad.status == .unprocessableEntity)
            }
            #expect(try await UnitService(db: app.db).find(code: "BAKU-3")?.name == "Bakı 3 saylı DOST mərkəzi")
            let noCapacity = try await app.send(.POST, "/admin/units/SHELTER-NGO-1", headers: headers,
                                                body: formBody([("csrf", session.csrf), ("name", "Sığınacaq"), ("capacity", "")]))
            #expect(noCapacity.status == .unprocessableEntity)
            #expect(try await app.send(.GET, "/admin/units/NOPE", headers: headers).status == .notFound)
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "unit.update").count()
            #expect(audited == 2)
        }
    }
}
