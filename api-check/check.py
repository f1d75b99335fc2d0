#!/usr/bin/env python3
"""Penah's API against its own description (Sources/PenahServer/Resources/openapi.json).

1. A walk of the five steps through the API, as each role does them: every JSON answer must be an
   answer the description documents for that operation, and match its schema.
2. schemathesis with every role's token: no server error, and every answer (status, content type,
   body) as described, whatever the input.
Run through api-check/run, which installs the two Python packages it needs.
"""
import json, os, subprocess, sys, tempfile, urllib.error, urllib.request

BIN, ST = sys.argv[1], sys.argv[2]
sys.argv = [sys.argv[0], BIN]  # the fault suite's helpers read the executable from argv
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import faults  # noqa: E402
from openapi_schema_validator import OAS31Validator  # noqa: E402

SPEC = json.load(open(os.path.join(os.path.dirname(__file__), "..", "Sources", "PenahServer", "Resources", "openapi.json")))
failures = []


def documented(method, template, status, body):
    """The answer `status` with `body` is one the description gives for this operation."""
    operation = SPEC["paths"][template][method.lower()]
    answer = operation["responses"].get(str(status))
    if answer is None:
        failures.append(f"{method} {template}: {status} is not documented")
        return
    if "$ref" in answer:
        answer = SPEC["components"]["responses"][answer["$ref"].split("/")[-1]]
    for media, content in answer.get("content", {}).items():
        if "json" in media and "schema" in content and body:
            schema = dict(content["schema"], components=SPEC["components"])
            errors = sorted(OAS31Validator(schema).iter_errors(json.loads(body)), key=str)
            for error in errors[:3]:
                failures.append(f"{method} {template} {status}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")


class Caller:
    def __init__(self, node, role, unit):
        self.node, self.role = node, role
        self.token = faults.staff_token(node, f"api.{role}", role, unit)

    def send(self, method, template, expect, body=None, **ids):
        path = template.format(**ids)
        status, _, raw = faults.http(method, self.node.url + path, token=self.token, body=body)
        documented(method, template, status, raw)
        if status != expect:
            failures.append(f"{self.role} {method} {path}: {status}, expected {expect}: {raw[:300]!r}")
        return json.loads(raw) if raw and raw[:1] in (b"{", b"[") else {}

    def upload(self, case_id, kind, content):
        """An act as multipart/form-data, the way the desk's form sends it."""
        boundary = "penah-api-check"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"akt.pdf\"\r\n"
                f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        template = "/api/v1/cases/{caseID}/documents"
        request = urllib.request.Request(self.node.url + template.format(caseID=case_id), data=body, method="POST")
        request.add_header("Authorization", "Bearer " + self.token)
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        documented("POST", template, status, raw)
        if status != 201:
            failures.append(f"{self.role} upload: {status}: {raw[:300]!r}")


APPLICATION = {"channel": "inPerson", "applicant": {"kind": "victim"},
               "victim": {"firstName": "Gülnarə", "lastName": "İsmayılova", "patronymic": "Rəşid qızı", "birthDate": "1991-04-17",
                          "sex": "female", "residence": "citizen", "documentType": "idCard", "documentNumber": "AZE12345678",
                          "fin": "5ZK8M2P", "phone": "050 123 45 67", "address": "Bakı, Nəsimi r-nu", "preferredLanguage": "az",
                          "interpreterNeeded": False},
               "consent": {"services": True, "referral": True, "capturedAs": "signature"}}


def section(name):
    return {"section": name, "violenceForms": ["physical"], "relationship": "spouse", "riskFactors": {"strangulation": True},
            "needs": ["safety", "shelter"], "notes": "Danışdı.", "incidentDate": "2026-11-20", "incidentDistrict": "Nəsimi",
            "childrenPresent": True}


def walk(callers):
    reception, lawyer, psychologist = callers["reception"], callers["lawyer"], callers["psychologist"]
    sxa, shelter = callers["sxaOfficer"], callers["shelterStaff"]
    ticket = reception.send("POST", "/api/v1/units/{unitCode}/tickets", 201, unitCode="BAKU-1")
    reception.send("GET", "/api/v1/units/{unitCode}/queue", 200, unitCode="BAKU-1")
    reception.send("POST", "/api/v1/units/{unitCode}/desks/{desk}/call-next", 200, unitCode="BAKU-1", desk=1)
    case = reception.send("POST", "/api/v1/cases", 201, dict(APPLICATION, ticketId=ticket.get("id")))
    case_id = case.get("id")
    reception.upload(case_id, "policeProtocol", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    reception.send("GET", "/api/v1/cases/{caseID}", 200, caseID=case_id)
    reception.send("GET", "/api/v1/cases", 200)
    lawyer.send("POST", "/api/v1/cases/{caseID}/assessments", 200, section("legal"), caseID=case_id)
    psychologist.send("POST", "/api/v1/cases/{caseID}/assessments", 200, section("psychological"), caseID=case_id)
    decision = {"needsRehabilitation": True, "services": ["shelter"], "riskLevel": "high",
                "safeContact": {"methods": ["phoneCall"], "mayIdentifyAsDost": False, "voicemailSafe": False, "smsSafe": False}}
    lawyer.send("POST", "/api/v1/cases/{caseID}/decision", 200, decision, caseID=case_id)
    lawyer.send("POST", "/api/v1/cases/{caseID}/decision/sign", 200, caseID=case_id)
    psychologist.send("POST", "/api/v1/cases/{caseID}/decision/sign", 200, caseID=case_id)
    lawyer.send("POST", "/api/v1/cases/{caseID}/law-enforcement-notices", 201, {"urgency": "routine"}, caseID=case_id)
    lawyer.send("GET", "/api/v1/law-enforcement-notices", 200)
    request = lawyer.send("POST", "/api/v1/cases/{caseID}/placement-requests", 201, {"urgency": "routine"}, caseID=case_id)
    sxa.send("GET", "/api/v1/placement-requests", 200)
    sxa.send("GET", "/api/v1/placement-requests/{requestID}", 200, requestID=request.get("id"))
    shelters = sxa.send("GET", "/api/v1/shelters", 200).get("items", [])
    shelter_id = next((s["id"] for s in shelters if s.get("unitCode") == "SHELTER-SXA-1"), None)
    sxa.send("POST", "/api/v1/placement-requests/{requestID}/decision", 200, {"decision": "approved", "shelterId": shelter_id},
             requestID=request.get("id"))
    detail = lawyer.send("GET", "/api/v1/cases/{caseID}", 200, caseID=case_id)
    code = (detail.get("placement") or {}).get("admissionCode")
    shelter.send("POST", "/api/v1/shelters/{shelterID}/admissions", 201, {"admissionCode": code}, shelterID=shelter_id)
    shelter.send("GET", "/api/v1/shelters/{shelterID}/stays", 200, shelterID=shelter_id)
    callers["supervisor"].send("GET", "/api/v1/cases", 200)
    callers["auditor"].send("GET", "/api/v1/audit/verify", 200)
    callers["admin"].send("GET", "/api/v1/units", 200)


# Examples per operation and role: 5 keeps CI within its time (each role covers every operation
# with a few inputs); PENAH_API_CHECK_EXAMPLES=50 for a deeper run by hand.
EXAMPLES = os.environ.get("PENAH_API_CHECK_EXAMPLES", "5")


def fuzz(node, caller):
    """schemathesis for one role. Signing out is left out: it would end the token under test."""
    spec = os.path.join(tempfile.mkdtemp(), "openapi.json")
    json.dump(SPEC, open(spec, "w"))
    result = subprocess.run([ST, "run", spec, "--url", node.url, "-H", f"Authorization: Bearer {caller.token}",
                             "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,unsupported_method",
                             "--exclude-path", "/api/v1/auth/token", "--max-examples", EXAMPLES, "--seed", "1", "--no-color"],
                            capture_output=True, text=True)
    summary = [line for line in result.stdout.splitlines() if "failures" in line or "passed" in line][-1:]
    print(f"schemathesis as {caller.role}: {' '.join(summary)}", flush=True)
    if result.returncode != 0:
        failures.append(f"schemathesis as {caller.role}:\n" + result.stdout[-6000:])


def main():
    env = {"PATH": os.environ["PATH"], "LOG_LEVEL": "warning", "PENAH_DATA_DIR": tempfile.mkdtemp(prefix="penah-api-")}
    subprocess.run([BIN, "seed-demo", "--cases", "20"], env=env, capture_output=True, check=True)
    node = faults.Penah(env, "api")
    node.start()
    try:
        units = {"reception": "BAKU-1", "lawyer": "BAKU-1", "psychologist": "BAKU-1", "supervisor": "BAKU-1",
                 "sxaOfficer": "SXA", "shelterStaff": "SHELTER-SXA-1", "admin": "HQ", "auditor": "HQ", "callCentre": "BAKU-1"}
        callers = {role: Caller(node, role, unit) for role, unit in units.items()}
        walk(callers)
        print(f"walk of the five steps: {len(failures)} answer(s) off the description", flush=True)
        if os.environ.get("PENAH_API_CHECK_WALK_ONLY") != "1":
            for caller in callers.values():
                fuzz(node, caller)
    finally:
        node.stop()
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(failures)} API check(s) failed" if failures else "The API answers as described.")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
