"""Browser test for Penah: every public and staff page in az, ru and en, checked by axe (no serious
or critical finding), at 200 % zoom, without JavaScript, and the quick exit by button and by Shift×3.
Runs Debian's Chromium through Playwright; fails on the first problem with a message saying which."""
import base64, hashlib, hmac, os, struct, sys, time, urllib.parse

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

BASE = os.environ["E2E_BASE"]
LANGS = ["az", "ru", "en"]
PUBLIC = ["/", "/safety"]
STAFF = ["/staff", "/admin/users", "/admin/units"]
failures = []
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
# Screenshots of the walk's steps, kept by CI as artefacts.
SHOTS = os.path.join(".build", "e2e-shots")
os.makedirs(SHOTS, exist_ok=True)


def shot(page, name):
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAIL", message)


def totp(uri):
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def audit(page, label):
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    for v in bad:
        print(" ", v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
    check(not bad, f"axe: {len(bad)} serious/critical finding(s) on {label}")


def check_page(page, path, lang):
    label = f"{path} [{lang}]"
    response = page.goto(f"{BASE}{path}?lang={lang}")
    check(response.status == 200, f"{label} answered {response.status}")
    check(page.locator("html").get_attribute("lang") == lang, f"{label} has the wrong lang attribute")
    check(page.locator("main").count() == 1 and page.locator("header").count() >= 1, f"{label} lacks landmarks")
    check(page.locator("h1").count() == 1, f"{label} should have exactly one h1")
    audit(page, label)
    # 200 % zoom on a 1280-px screen is a 640-px viewport: nothing may need horizontal scrolling.
    page.set_viewport_size({"width": 640, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    check(overflow <= 1, f"{label} scrolls sideways at 200 % zoom ({overflow}px)")
    # A phone: 360 px wide.
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    check(overflow <= 1, f"{label} scrolls sideways at 360 px ({overflow}px)")
    page.set_viewport_size({"width": 1280, "height": 900})


def errors(page):
    """The error summary and the messages beside the fields, if the page shows any."""
    if not page.locator(".error-summary").count():
        return ""
    return " | ".join([page.inner_text(".error-summary")] + page.locator(".field-error, .error-message").all_inner_texts())


def submit(page, form, what):
    """Presses the form's button and fails with the page's error summary if it shows one."""
    page.click(f"{form} button[type=submit]")
    problem = errors(page)
    check(not problem, f"{what}: {problem[:300]}")


def decoded_qr(page, selector):
    """The text of the QR code drawn at selector, read from a screenshot by zxing-cpp."""
    import io
    import zxingcpp
    from PIL import Image
    image = Image.open(io.BytesIO(page.locator(selector).screenshot()))
    found = zxingcpp.read_barcodes(image)
    return found[0].text if found else None


def next_totp_step():
    """A second sign-in by the same person needs a code from a later 30-second step (a code is used once)."""
    time.sleep(30 - time.time() % 30 + 1)


def sign_in(page, user=None, uri=None, lands="/staff"):
    page.goto(f"{BASE}/login?lang=en")
    page.fill("#username", user or os.environ["E2E_USER"])
    page.fill("#password", os.environ["E2E_PASSWORD"])
    page.fill("#otp", totp(uri or os.environ["E2E_TOTP_URI"]))
    page.click("button[type=submit]")
    ok = page.url.split("?")[0].rstrip("/").endswith(lands)
    if not ok:
        print(page.content()[:3000])
    check(ok, f"sign-in did not reach {lands}: {page.url}")


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    for lang in LANGS:
        for path in PUBLIC:
            check_page(page, path, lang)
        check_page(page, "/login", lang)
        check_page(page, "/enrol", lang)

    # Keyboard: the first Tab lands on the quick exit.
    page.goto(f"{BASE}/?lang=en")
    page.keyboard.press("Tab")
    check(page.evaluate("document.activeElement.id") == "quick-exit", "quick exit is not first in the tab order")

    # Quick exit by Shift pressed three times: the page leaves through /exit for the neutral site
    # (which this sandbox cannot reach, so the test watches the requests rather than the result).
    exits = []
    page.on("request", lambda r: exits.append(r.url) if r.url.startswith(BASE + "/exit") else None)
    page.goto(f"{BASE}/safety?lang=ru")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_timeout(800)
    check(bool(exits), "Shift×3 did not trigger the quick exit")
    check(not page.url.startswith(BASE), f"Shift×3 left the page on {page.url}")

    # Quick exit by the button.
    exits.clear()
    page.goto(f"{BASE}/?lang=az")
    page.click("#quick-exit")
    page.wait_for_timeout(800)
    check(bool(exits), "the quick exit button did not leave")

    # After a quick exit (button, Shift×3, or Tab then Enter), Back shows no Penah page with service
    # words: a Penah page shown again leaves at once, hidden until it has gone.
    def shows_service_words(tab):
        if not tab.url.startswith(BASE):
            return False
        hidden = tab.evaluate("document.documentElement.style.visibility") == "hidden"
        return not hidden and any(w in tab.inner_text("body").lower() for w in ["zorak", "насил", "violence", "dost"])

    for how in ["button", "shift", "keyboard"]:
        tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        tab.goto(f"{BASE}/?lang=en")
        tab.goto(f"{BASE}/safety?lang=en")
        if how == "button":
            tab.click("#quick-exit")
        elif how == "shift":
            for _ in range(3):
                tab.keyboard.press("Shift")
        else:
            tab.keyboard.press("Tab")
            tab.keyboard.press("Enter")
        tab.wait_for_timeout(800)
        for _ in range(2):
            try:
                tab.go_back(wait_until="commit", timeout=3000)
            except Exception:
                pass
            tab.wait_for_timeout(600)
            check(not shows_service_words(tab), f"after quick exit by {how}, Back showed a Penah page: {tab.url}")
        tab.context.close()
    home = browser.new_context().new_page()
    home.goto(f"{BASE}/?lang=en")
    check("violence" not in home.inner_text("h1").lower(), "the public home heading names the violence")
    home.context.close()

    # Staff pages, signed in, in every language (a fresh browser profile: the quick exit above
    # told this one to clear its site data).
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page)
    for lang in LANGS:
        for path in STAFF:
            check_page(page, path, lang)
    shot(page, "01-admin-start")

    # Enrolment: the admin invites a person; in that person's browser the QR code drawn beside the
    # secret reads back (zxing-cpp, from a screenshot) as exactly the otpauth URI shown.
    page.goto(f"{BASE}/admin/users?lang=en")
    page.fill("#username", "e2e.enrolled")
    page.fill("#displayName", "Aynur Qasımova")
    page.select_option("#role", "psychologist")
    page.select_option("#unit", "BAKU-1")
    submit(page, "form[action='/admin/users']", "inviting a person")
    invitation = page.inner_text("p.code strong").strip()
    enrolling = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    enrolling.goto(f"{BASE}/enrol?lang=en")
    enrolling.fill("#code", invitation)
    enrolling.fill("#password", os.environ["E2E_PASSWORD"])
    submit(enrolling, "form[action='/enrol']", "starting enrolment")
    uri = enrolling.inner_text("p.code code").strip()
    check(uri.startswith("otpauth://"), f"enrolment shows no otpauth URI: {uri[:40]}")
    check(decoded_qr(enrolling, "figure.qr svg") == uri, "the enrolment QR code does not read as the URI beside it")
    audit(enrolling, "/enrol with its QR code")
    shot(enrolling, "01b-enrol-qr")
    enrolling.fill("#otp", totp(uri))
    submit(enrolling, "form[action='/enrol/confirm']", "confirming enrolment")
    enrolling.context.close()

    # Reception: desk and kiosk; then the public hall board receives a call live.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, os.environ["E2E_RECEPTION"], os.environ["E2E_RECEPTION_TOTP_URI"])
    for lang in LANGS:
        check_page(desk, "/desk/BAKU-1", lang)
    # "Stay signed in" keeps the page as it is: no reload, so nothing typed is lost.
    desk.goto(f"{BASE}/desk/BAKU-1?lang=en")
    desk.evaluate("window.__kept = 1; document.getElementById('session-warning').hidden = false")
    desk.click("#session-stay button")
    desk.wait_for_timeout(800)
    check(desk.evaluate("window.__kept") == 1, "'Stay signed in' reloaded the page")
    check(desk.evaluate("document.getElementById('session-warning').hidden"), "the warning stayed after 'Stay signed in'")
    # The entrance kiosk is a device of its own, enrolled with its one-time code; a ticket is
    # taken by POST and shown after a redirect, so a reload issues nothing.
    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920}).new_page()
    kiosk.goto(f"{BASE}/device/enrol?lang=en")
    kiosk.fill("#code", os.environ["E2E_KIOSK_CODE"])
    kiosk.click("button[type=submit]")
    check("/kiosk/BAKU-1" in kiosk.url, f"kiosk enrolment did not open the kiosk page: {kiosk.url}")
    for lang in LANGS:
        check_page(kiosk, "/kiosk/BAKU-1", lang)
    check(kiosk.locator("a[href='/staff'], a[href^='/cases']").count() == 0, "the kiosk page links to staff pages")
    kiosk.click(".kiosk-button")
    number = kiosk.inner_text(".ticket-number")
    kiosk.reload()
    check(kiosk.inner_text(".ticket-number") == number, "reloading the kiosk's ticket page changed the ticket")
    board = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    board.goto(f"{BASE}/board/BAKU-1?lang=az")
    audit(board, "/board/BAKU-1")
    board.wait_for_timeout(500)
    desk.goto(f"{BASE}/desk/BAKU-1?desk=3&lang=en")
    desk.click("text=Issue ticket")
    desk.click("text=Call next")
    board.wait_for_function("document.getElementById('current-desk').textContent === '3'", timeout=5000)
    check(board.inner_text("#current-number").startswith("S-"), "the board did not show the call")
    shot(desk, "02-desk-called")
    shot(board, "03-board")
    # Call next again while that ticket still holds the desk: nobody else is called, the page says why.
    desk.click("text=Call next")
    check(desk.locator(".error-summary").count() == 1, "a second 'call next' at a held desk did not ask to finish first")
    check(desk.evaluate("document.activeElement && document.activeElement.classList.contains('error-summary')"),
          "the error summary did not take the focus")
    # The desk page keeps itself current: a ticket taken at the kiosk appears in its waiting list
    # without a reload.
    desk.goto(f"{BASE}/desk/BAKU-1?desk=3&lang=en")
    desk.evaluate("window.__notReloaded = 1")
    kiosk.goto(f"{BASE}/kiosk/BAKU-1?lang=en")
    kiosk.click(".kiosk-button")
    waiting = kiosk.inner_text(".ticket-number").strip()
    try:
        desk.wait_for_function("n => document.querySelector('#desk-live ol.waiting') && document.querySelector('#desk-live ol.waiting').textContent.includes(n)",
                               arg=waiting, timeout=5000)
    except Exception:
        check(False, f"the desk's waiting list did not show {waiting} live")
    check(desk.evaluate("window.__notReloaded") == 1, "the desk page reloaded instead of updating itself")

    # Intake: reception registers a case through the form; the case page and its printable in
    # every language, for reception and for the lawyer (who also sees the interview forms).
    for lang in LANGS:
        check_page(desk, "/cases/new", lang)
    desk.goto(f"{BASE}/cases/new?lang=en")
    desk.fill("#victim-lastName", "İsmayılova")
    desk.fill("#victim-firstName", "Gülnarə")
    desk.fill("#victim-birthDate", "17.04.1991")
    desk.fill("#victim-fin", "5ZK8M2P")
    desk.fill("#victim-documentNumber", "AZE12345678")
    desk.fill("#victim-address", "\"'><script>alert(1)</script>")
    desk.check("#consent-services")
    desk.check("#consent-referral")
    desk.click("form.intake button[type=submit]")
    check("/cases/" in desk.url and "/new" not in desk.url, f"registration did not open the case ({desk.url})")
    case_path = urllib.parse.urlparse(desk.url).path
    check("<script>alert" not in desk.content(), "hostile text reached the page unescaped")
    # Results as you type: the list narrows without pressing the button, the address follows, and
    # "Ismayilova" typed on a keyboard without Azerbaijani letters finds "İsmayılova".
    desk.goto(f"{BASE}/cases?lang=en")
    result = f"#case-results a[href='{case_path}']"
    desk.fill("#q", "Qqxzw")
    try:
        desk.wait_for_selector(result, state="detached", timeout=5000)
        desk.fill("#q", "Ismayilova")
        desk.wait_for_selector(result, timeout=5000)
    except Exception:
        check(False, "the case list did not follow the search as it was typed")
    check("q=Ismayilova" in desk.url, f"the address did not follow the search: {desk.url}")
    shot(desk, "03b-search-as-you-type")
    for lang in LANGS:
        check_page(desk, case_path, lang)
        check_page(desk, "/cases", lang)
    lawyer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(lawyer, os.environ["E2E_LAWYER"], os.environ["E2E_LAWYER_TOTP_URI"])
    for lang in LANGS:
        check_page(lawyer, case_path, lang)
        check_page(lawyer, case_path + "/print/application", lang)
        check_page(lawyer, "/notices", lang)
        check_page(lawyer, "/notifications", lang)
    # The case page: where it stands in the steps, and the way to each section.
    lawyer.goto(f"{BASE}{case_path}?lang=en")
    check(lawyer.locator(".progress-steps li").count() == 5, "the case page has no progress view of the five steps")
    check(lawyer.locator("#notification-count").count() == 1, "the header has no notification count")
    shot(lawyer, "04-case-lawyer")
    # Refusing asks first, on a page of its own, and going back changes nothing.
    lawyer.fill("#explanation", "Sınaq: təsdiq soruşulur")
    lawyer.click("form[action$='/refusal'] button.danger")
    check(lawyer.locator("h1").inner_text() == "Refuse the application?", "refusing did not ask for confirmation")
    audit(lawyer, "the refusal's confirmation page")
    shot(lawyer, "05-refusal-confirmation")
    lawyer.click("text=Go back without changing anything")
    check(lawyer.locator("form[action$='/refusal']").count() == 1, "going back from the confirmation refused the case")

    # An interview typed when the session runs out is not lost: the page hands it to the server
    # (sealed, 30 minutes), clears the screen, and offers it back after the same person signs in.
    kept = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    kept.clock.install()
    next_totp_step()
    sign_in(kept, os.environ["E2E_LAWYER"], os.environ["E2E_LAWYER_TOTP_URI"])
    kept.goto(f"{BASE}{case_path}?lang=en")
    kept.check("#vf-physical")
    kept.select_option("#relationship", "spouse")
    kept.check("#need-shelter")
    kept.fill("#notes", "Typed before the timeout: she was choked")
    kept.clock.fast_forward("31:00")
    kept.wait_for_selector("#session-ended-kept", state="visible", timeout=5000)
    check("choked" not in kept.inner_text("body"), "the screen still shows the interview after the session ended")
    next_totp_step()
    sign_in(kept, os.environ["E2E_LAWYER"], os.environ["E2E_LAWYER_TOTP_URI"], lands="/session/parked")
    check("choked" in kept.inner_text("main"), "the kept form does not show what was typed")
    audit(kept, "/session/parked")
    kept.click("text=Send it now")
    check(case_path in kept.url, f"sending the kept form did not return to the case ({kept.url})")
    check("choked" in kept.inner_text("main"), "the kept interview was not saved")
    kept.context.close()

    # The rest of the five steps, clicked through: the act, the psychologist's section, the joint
    # decision with both signatures, the police notice, the placement request; SXA approves it into a
    # shelter and the lawyer's open page hears of it live; the shelter admits her by code, and
    # discharges her after asking.
    desk.goto(f"{BASE}{case_path}?lang=en")
    desk.select_option("#kind", "policeProtocol")
    desk.set_input_files("#file", files=[{"name": "akt.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    submit(desk, "form[action$='/documents']", "uploading the act")
    psychologist = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(psychologist, os.environ["E2E_PSYCHOLOGIST"], os.environ["E2E_PSYCHOLOGIST_TOTP_URI"])
    psychologist.goto(f"{BASE}{case_path}?lang=ru")
    psychologist.check("#vf-psychological")
    psychologist.select_option("#relationship", "spouse")
    psychologist.check("#need-shelter")
    psychologist.fill("#notes", "Боится возвращаться домой")
    submit(psychologist, "form[action$='/assessment']", "the psychological section")
    lawyer.goto(f"{BASE}{case_path}?lang=en")
    lawyer.check("#needsRehabilitation")
    lawyer.check("#svc-shelter")
    submit(lawyer, "form[action$='/decision']", "drafting the decision")
    submit(lawyer, "form[action$='/decision/sign']", "the lawyer's signature")
    psychologist.goto(f"{BASE}{case_path}?lang=ru")
    submit(psychologist, "form[action$='/decision/sign']", "the psychologist's signature")
    shot(psychologist, "05b-signed-360px")
    lawyer.goto(f"{BASE}{case_path}?lang=en")
    submit(lawyer, "form[action$='/notices']", "the police notice")
    # The police letter, printed, is one A4 page (Chromium's own print to PDF, pages counted).
    lawyer.goto(f"{BASE}{case_path}?lang=en")
    letter = lawyer.get_attribute("a[href$='/letter']", "href")
    check(letter is not None, "the case page has no police letter to print")
    if letter:
        lawyer.goto(f"{BASE}{letter}")
        check(lawyer.locator("html").get_attribute("lang") == "az", "the police letter is not in Azerbaijani by default")
        pdf = lawyer.pdf(format="A4")
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        check(pages == 1, f"the police letter prints on {pages} A4 pages, not one")
    lawyer.goto(f"{BASE}{case_path}?lang=en")
    submit(lawyer, "form[action$='/placement']", "the placement request")
    lawyer.goto(f"{BASE}{case_path}?lang=en")
    unread = lawyer.inner_text("#notification-count").strip()
    sxa = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(sxa, os.environ["E2E_SXA"], os.environ["E2E_SXA_TOTP_URI"])
    sxa.goto(f"{BASE}/sxa/inbox?lang=en")
    sxa.click("a[href^='/sxa/requests/']")
    audit(sxa, "SXA's request page")
    check("İsmayılova" not in sxa.content() and "5ZK8M2P" not in sxa.content(), "identity reached SXA's request page")
    sxa.locator("input[name=shelterId]").first.check()
    submit(sxa, "form:has(input[name=shelterId])", "SXA's approval")
    shot(sxa, "06b-sxa-approved")
    try:
        lawyer.wait_for_function("n => document.getElementById('notification-count').textContent.trim() !== n", arg=unread, timeout=5000)
    except Exception:
        check(False, "the lawyer's open page did not hear of SXA's approval")
    lawyer.reload()
    admission = lawyer.inner_text(".ticket-number.code").strip()
    slip = lawyer.get_attribute("a[href$='/slip']", "href") or lawyer.get_attribute(".ticket-card a", "href")
    for lang in LANGS:
        check_page(lawyer, slip, lang)
    shelter = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(shelter, os.environ["E2E_SHELTER"], os.environ["E2E_SHELTER_TOTP_URI"])
    shelter.goto(f"{BASE}/shelter/SHELTER-SXA-1?lang=az")
    shelter.fill("#admissionCode", admission)
    submit(shelter, "form[action$='/admissions']", "admission by code")
    check("İsmayılova" not in shelter.content(), "identity reached the shelter with the admission")
    shot(shelter, "08-shelter-stay")
    shelter.click("form[action*='/discharge'] button.danger")
    check(shelter.locator("form button.danger").count() == 1 and "/discharge" in (shelter.get_attribute("form:has(button.danger)", "action") or ""),
          "discharging did not ask for confirmation")
    audit(shelter, "the discharge's confirmation page")
    shelter.click("form button.danger")
    check(shelter.locator(".success-banner").count() == 1, "the discharge did not confirm what happened")
    lawyer.goto(f"{BASE}{case_path}?lang=en")
    check("discharged" in lawyer.inner_text("section[aria-labelledby='placement-h']").lower(),
          "the case page does not show the discharge")
    shot(lawyer, "09-case-discharged")

    # SXA and the shelter: their pages in every language (none of them may show identity; the Swift
    # suite walks them for it).
    shelter.set_viewport_size({"width": 1280, "height": 900})
    for lang in LANGS:
        for path in ["/sxa/inbox", "/sxa/stays", "/shelters"]:
            check_page(sxa, path, lang)
        check_page(shelter, "/shelter/SHELTER-SXA-1", lang)
    check("İsmayılova" not in sxa.content() and "5ZK8M2P" not in shelter.content(), "identity reached SXA or the shelter")
    sxa.goto(f"{BASE}/staff?lang=en")
    shot(sxa, "06-sxa-start")
    shelter.goto(f"{BASE}/staff?lang=en")
    shot(shelter, "07-shelter-start")

    # The auditor's pages.
    auditor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(auditor, os.environ["E2E_AUDITOR"], os.environ["E2E_AUDITOR_TOTP_URI"])
    for lang in LANGS:
        check_page(auditor, "/audit", lang)

    # Without JavaScript the pages still work and the quick exit is a plain link.
    nojs = browser.new_context(java_script_enabled=False).new_page()
    response = nojs.goto(f"{BASE}/?lang=en")
    check(response.status == 200, "page fails without JavaScript")
    check(nojs.get_attribute("#quick-exit", "href") == "/exit", "quick exit needs JavaScript")

    check(not csp_errors, f"CSP violations: {csp_errors[:3]}")
    browser.close()

if failures:
    print(f"{len(failures)} browser check(s) failed")
    sys.exit(1)
print("browser test passed")
