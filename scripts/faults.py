#!/usr/bin/env python3
"""Penah's fault suite: the real `penah` debug executable, real processes, real faults.

On SQLite and on PostgreSQL it proves:
  * kill -9 in the middle of a load loses no acknowledged ticket, and `verify-audit` passes after;
  * the police-notice outbox survives a receiver that is down and a sender killed mid-delivery:
    every notice ends `sent` and the receiver keeps each one once;
  * hall boards connecting and dropping at random while desks call never crash a debug server,
    and every board still connected hears every call;
On SQLite it also proves:
  * a full disk: writes answer 503 with Retry-After, /health says the database cannot write, and
    writes succeed again once there is room, without a restart (a small tmpfs; needs root);
On PostgreSQL it also proves:
  * two nodes x 20 desks: no ticket is called twice, and every board on both nodes hears every call,
    also across a PostgreSQL restart (the relay reconnects and catches up);
  * the database down: 503 with Retry-After and /health 503, then recovery without a restart.
Each check prints its figures. Stdlib only. Usage: scripts/faults.py BINARY [POSTGRES_URL]
"""
import base64, hashlib, hmac, json, os, random, shutil, signal, socket, sqlite3, struct, subprocess, sys, tempfile
import threading, time
import urllib.error, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIN = sys.argv[1]
PG_URL = sys.argv[2] if len(sys.argv) > 2 else None
failures = []


def check(ok, message):
    print(("ok   " if ok else "FAIL ") + message, flush=True)
    if not ok:
        failures.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, token=None, body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def totp(uri, step_offset=0):
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30 + step_offset), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Penah:
    """One server node, and the commands run against its data."""

    def __init__(self, env, name, log_dir=None):
        self.env, self.name, self.port, self.process = env, name, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(log_dir or env["PENAH_DATA_DIR"], f"{name}.log"), "ab")

    def command(self, *args, stdin=None):
        return subprocess.run([BIN, *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=300)

    def start(self):
        self.process = subprocess.Popen([BIN, "serve", "--port", str(self.port)], env=self.env, stdout=self.log, stderr=self.log)
        for _ in range(240):
            try:
                if http("GET", self.url + "/health", timeout=2)[0] in (200, 503):
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"{self.name} did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def alive(self):
        return self.process.poll() is None


def staff_token(node, username, role, unit):
    password = "fault suite password 42"
    created = node.command("user", "create", "--username", username, "--role", role, "--unit", unit, "--password-stdin", stdin=password + "\n")
    uri = next(line for line in created.stdout.splitlines() if line.startswith("otpauth://"))
    status, _, body = http("POST", node.url + "/api/v1/auth/token", body={"username": username, "password": password, "otp": totp(uri)})
    assert status in (200, 201), (status, body)
    return json.loads(body)["token"]


class Board(threading.Thread):
    """A hall board on a node's live feed, collecting the ticket numbers it hears."""

    def __init__(self, url, unit="BAKU-1", drop_after=None):
        super().__init__(daemon=True)
        self.url, self.unit, self.drop_after, self.heard, self.connected = url, unit, drop_after, [], threading.Event()

    def run(self):
        try:
            with socket.create_connection(("127.0.0.1", urllib.parse.urlparse(self.url).port), timeout=120) as s:
                s.sendall(f"GET /board/{self.unit}/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n".encode())
                started, buffer = time.time(), b""
                s.settimeout(0.2)
                while True:
                    if self.drop_after is not None and time.time() - started > self.drop_after:
                        return  # the board goes away without a word
                    try:
                        chunk = s.recv(65536)
                    except socket.timeout:
                        continue
                    if not chunk:
                        return
                    buffer += chunk
                    if b": connected" in buffer:
                        self.connected.set()
                    for line in buffer.split(b"\n"):
                        if line.startswith(b"data: "):
                            try:
                                number = json.loads(line[6:])["number"]
                            except ValueError:
                                continue
                            if number not in self.heard:
                                self.heard.append(number)
        except OSError:
            return


def call_all(nodes, token, desks, unit="BAKU-1"):
    """Desks press call-next on the nodes in turn until nobody waits; returns the called numbers."""
    called, lock = [], threading.Lock()

    def desk(number):
        node = nodes[number % len(nodes)]
        while True:
            status, _, body = http("POST", f"{node.url}/api/v1/units/{unit}/desks/{number}/call-next", token)
            if status == 204:
                return
            if status == 200:
                with lock:
                    called.append(json.loads(body)["number"])
            else:
                time.sleep(0.05)

    threads = [threading.Thread(target=desk, args=(d,)) for d in range(1, desks + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return called


def set_desks(env, count):
    """Test set-up: the demo centre gets `count` desks (the admin page is a form with CSRF)."""
    if "DATABASE_URL" in env:
        subprocess.run(["psql", env["DATABASE_URL"], "-qc", f"UPDATE units SET desk_count = {count} WHERE code = 'BAKU-1'"], check=True)
    else:
        with sqlite3.connect(os.path.join(env["PENAH_DATA_DIR"], "penah.sqlite")) as db:
            db.execute("UPDATE units SET desk_count = ? WHERE code = 'BAKU-1'", (count,))


class Receiver:
    """A police gateway on this machine: checks the signature, keeps each notice once by its
    Idempotency-Key, and can hold its answer (a delivery in flight) or be down (not listening)."""

    def __init__(self, port, secret):
        self.port, self.secret, self.kept, self.posts, self.bad = port, secret.encode(), {}, 0, 0
        self.hold, self.in_flight, self.server = 0.0, threading.Event(), None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                expected = "sha256=" + hmac.new(receiver.secret, body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(self.headers.get("X-Penah-Signature", ""), expected):
                    receiver.bad += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.posts += 1
                key = self.headers.get("Idempotency-Key")
                receiver.kept[key] = receiver.kept.get(key, 0) + 1
                receiver.in_flight.set()
                time.sleep(receiver.hold)
                self.send_response(202)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def outbox(env, label):
    port, secret = free_port(), "fault suite gateway secret, 32 characters or more"
    env = dict(env, PENAH_POLICE_GATEWAY_URL=f"http://127.0.0.1:{port}/notices", PENAH_POLICE_GATEWAY_SECRET=secret,
               PENAH_NOTICE_CHANNELS="policeGateway", PENAH_NOTICE_RETRY_BASE_MS="200", PENAH_NOTICE_MAX_ATTEMPTS="100")
    node = Penah(env, f"{label}-outbox")
    node.start()
    reception = staff_token(node, f"fault.outbox.r.{label}", "reception", "BAKU-1")
    lawyer = staff_token(node, f"fault.outbox.l.{label}", "lawyer", "BAKU-1")
    victim = {"firstName": "Gülnarə", "lastName": "Outbox", "birthDate": "1991-04-17", "sex": "female", "residence": "citizen",
              "documentType": "idCard", "documentNumber": "AZE" + str(random.randint(10**7, 10**8 - 1)), "address": "Bakı",
              "preferredLanguage": "az", "interpreterNeeded": False}
    status, _, body = http("POST", node.url + "/api/v1/cases", reception, body={
        "channel": "inPerson", "applicant": {"kind": "victim"}, "victim": victim,
        "consent": {"services": True, "referral": True, "capturedAs": "signature"}})
    case = json.loads(body)["id"]
    http("POST", node.url + f"/api/v1/cases/{case}/assessments", lawyer, body={
        "section": "legal", "violenceForms": ["physical"], "relationship": "spouse", "riskFactors": {}, "needs": ["safety"],
        "notes": "fault suite", "incidentDate": "2026-11-20", "incidentDistrict": "Nəsimi", "childrenPresent": False})
    notices = []
    for _ in range(10):
        status, _, body = http("POST", node.url + f"/api/v1/cases/{case}/law-enforcement-notices", lawyer, body={"urgency": "urgent"})
        if status == 201:
            notices.append(json.loads(body)["id"])
    check(len(notices) == 10, f"[{label}] outbox: 10 notices queued ({len(notices)})")

    def statuses():
        return [json.loads(http("GET", node.url + f"/api/v1/law-enforcement-notices/{n}", lawyer)[2]).get("status") for n in notices]

    # The receiver is down: nothing is lost, nothing fails for good, batch-mates do not block each other.
    time.sleep(3)
    down = statuses()
    check(all(s == "queued" for s in down), f"[{label}] outbox, receiver down for 3 s: all 10 still queued ({sorted(set(down))})")
    # The receiver comes up but holds each answer; the sender is killed while deliveries are in flight.
    receiver = Receiver(port, secret)
    receiver.hold = 2.0
    receiver.start()
    try:
        in_flight = receiver.in_flight.wait(30)
        node.kill()
        receiver.hold = 0.0
        node.start()
        started, done = time.time(), []
        while time.time() - started < 90:
            done = statuses()
            if all(s in ("sent", "acknowledged") for s in done):
                break
            time.sleep(1)
        check(in_flight and all(s in ("sent", "acknowledged") for s in done),
              f"[{label}] outbox after kill -9 mid-delivery: all sent in {time.time() - started:.0f} s ({sorted(set(done))})")
        once = sorted(receiver.kept) == sorted(notices)
        check(once and receiver.bad == 0, f"[{label}] outbox: the receiver kept each of the 10 notices once "
              f"({len(receiver.kept)} kept from {receiver.posts} deliveries, {receiver.bad} badly signed)")
    finally:
        receiver.stop()
        node.stop()


def disk_full(base):
    """SQLite on a 16 MB tmpfs: fill it, then free it."""
    mount = tempfile.mkdtemp(prefix="penah-faults-disk-")
    logs = tempfile.mkdtemp(prefix="penah-faults-disk-logs-")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount], capture_output=True, text=True)
    check(mounted.returncode == 0, f"[sqlite] full disk: a 16 MB tmpfs for the data directory ({mounted.stderr.strip() or 'mounted'})")
    if mounted.returncode != 0:
        return
    env = dict(base, PENAH_DATA_DIR=mount)
    node = Penah(env, "sqlite-disk", log_dir=logs)
    try:
        subprocess.run([BIN, "seed-demo"], env=env, capture_output=True, check=True)
        node.start()
        token = staff_token(node, "fault.disk", "reception", "BAKU-1")
        filler = os.path.join(mount, "filler")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        answers = [http("POST", node.url + "/api/v1/units/BAKU-1/tickets", token, body={}) for _ in range(5)]
        codes = sorted({a[0] for a in answers})
        retry = all(a[1].get("Retry-After") for a in answers if a[0] == 503)
        health = http("GET", node.url + "/health")[0]
        check(codes == [503] and retry, f"[sqlite] full disk: writes answer {codes}, Retry-After {'on each' if retry else 'missing'}")
        check(health == 503, f"[sqlite] full disk: /health answers {health}")
        check(node.alive(), "[sqlite] full disk: the server is up")
        os.remove(filler)
        recovered = None
        for i in range(20):
            if http("POST", node.url + "/api/v1/units/BAKU-1/tickets", token, body={})[0] == 201:
                recovered = i * 0.5
                break
            time.sleep(0.5)
        check(recovered is not None and http("GET", node.url + "/health")[0] == 200,
              f"[sqlite] room again: writes succeed and /health is ok without a restart (after {recovered} s)")
        log = open(os.path.join(logs, "sqlite-disk.log"), errors="replace").read()
        check("sqlite-full" in log or "sqlite-ioError" in log, "[sqlite] full disk: the log names the database error code")
    finally:
        node.stop()
        subprocess.run(["umount", mount])
        shutil.rmtree(logs, ignore_errors=True)


def kill_mid_load(env, label):
    node = Penah(env, f"{label}-kill")
    node.start()
    token = staff_token(node, f"fault.kill.{label}", "reception", "BAKU-1")
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()

    def issue():
        while not stop.is_set():
            try:
                status, _, body = http("POST", node.url + "/api/v1/units/BAKU-1/tickets", token, body={}, timeout=5)
            except OSError:
                return
            if status == 201:
                with lock:
                    acknowledged.append(json.loads(body)["id"])

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(3)
    node.kill()
    stop.set()
    for t in threads:
        t.join()
    node.start()
    token = staff_token(node, f"fault.kill2.{label}", "reception", "BAKU-1")
    status, _, body = http("GET", node.url + "/api/v1/units/BAKU-1/queue", token)
    stored = {t["id"] for t in json.loads(body).get("waiting", []) + json.loads(body).get("called", [])} if status == 200 else set()
    lost = [t for t in acknowledged if t not in stored]
    check(status == 200 and not lost, f"[{label}] kill -9 mid-load: {len(acknowledged)} tickets acknowledged, {len(lost)} lost")
    node.stop()
    verified = node.command("verify-audit")
    check(verified.returncode == 0, f"[{label}] verify-audit after kill -9: {verified.stdout.strip() or verified.stderr.strip()}")


def boards_drop(env, label):
    node = Penah(env, f"{label}-boards")
    node.start()
    token = staff_token(node, f"fault.boards.{label}", "reception", "BAKU-1")
    for _ in range(40):
        http("POST", node.url + "/api/v1/units/BAKU-1/tickets", token, body={})
    live = [Board(node.url) for _ in range(10)]
    for b in live:
        b.start()
    for b in live:
        b.connected.wait(10)
    dropping = [Board(node.url, drop_after=random.uniform(0.05, 1.5)) for _ in range(50)]
    for b in dropping:
        b.start()
    called = call_all([node], token, 2)
    time.sleep(1.5)
    missed = sum(1 for b in live if sorted(b.heard) != sorted(called))
    check(node.alive(), f"[{label}] 50 boards dropping while {len(called)} calls were made: the debug server is up")
    check(missed == 0 and len(called) >= 40, f"[{label}] every one of 10 live boards heard all {len(called)} calls ({missed} missed some)")
    node.stop()


def two_nodes(env):
    a, b = Penah(env, "pg-node-a"), Penah(env, "pg-node-b")
    a.start()
    b.start()
    token = staff_token(a, "fault.nodes", "reception", "BAKU-1")
    boards = [Board(a.url) for _ in range(5)] + [Board(b.url) for _ in range(5)]
    for board in boards:
        board.start()
    for board in boards:
        board.connected.wait(10)
    for _ in range(100):
        http("POST", a.url + "/api/v1/units/BAKU-1/tickets", token, body={})
    first = call_all([a, b], token, 20)
    # A PostgreSQL restart drops every connection, the relays' LISTEN ones included.
    subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True)
    for _ in range(100):
        for _ in range(5):
            if http("POST", b.url + "/api/v1/units/BAKU-1/tickets", token, body={})[0] == 201:
                break
            time.sleep(0.2)
    second = call_all([a, b], token, 20)
    time.sleep(3)
    called = first + second
    check(len(called) == len(set(called)) >= 200, f"[postgres] 2 nodes x 20 desks: {len(called)} calls, {len(called) - len(set(called))} double")
    missed = sum(1 for board in boards if set(board.heard) != set(called))
    check(missed == 0, f"[postgres] every board on both nodes heard all {len(set(called))} calls across a PostgreSQL restart ({missed} missed some)")
    check(a.alive() and b.alive(), "[postgres] both nodes up after the restart")
    return a, b, token


def database_down(a, token):
    subprocess.run(["pg_ctlcluster", "15", "main", "stop"], check=True)
    try:
        status, headers, _ = http("POST", a.url + "/api/v1/units/BAKU-1/tickets", token, body={}, timeout=30)
        health = http("GET", a.url + "/health", timeout=30)[0]
        check(status == 503 and headers.get("Retry-After"), f"[postgres] database down: a write answers {status}, Retry-After {headers.get('Retry-After')}")
        check(health == 503, f"[postgres] database down: /health answers {health}")
    finally:
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=True)
    recovered = None
    for i in range(60):
        if http("POST", a.url + "/api/v1/units/BAKU-1/tickets", token, body={})[0] == 201:
            recovered = i * 0.5
            break
        time.sleep(0.5)
    check(recovered is not None, f"[postgres] database back: writes succeed again without a restart (after {recovered} s)")


def main():
    base = {"PATH": os.environ["PATH"], "LOG_LEVEL": "warning"}
    sqlite_env = dict(base, PENAH_DATA_DIR=tempfile.mkdtemp(prefix="penah-faults-"))
    subprocess.run([BIN, "seed-demo"], env=sqlite_env, capture_output=True, check=True)
    set_desks(sqlite_env, 20)
    kill_mid_load(sqlite_env, "sqlite")
    boards_drop(sqlite_env, "sqlite")
    outbox(sqlite_env, "sqlite")
    disk_full(base)
    if PG_URL:
        database = "penah_faults_" + str(os.getpid())
        admin = urllib.parse.urlparse(PG_URL)
        subprocess.run(["psql", PG_URL, "-qc", f"CREATE DATABASE {database}"], check=True)
        url = admin._replace(path="/" + database).geturl()
        pg_env = dict(base, PENAH_DATA_DIR=tempfile.mkdtemp(prefix="penah-faults-pg-"), DATABASE_URL=url,
                      PENAH_MASTER_KEY=base64.b64encode(os.urandom(32)).decode())
        try:
            subprocess.run([BIN, "seed-demo"], env=pg_env, capture_output=True, check=True)
            set_desks(pg_env, 20)
            kill_mid_load(pg_env, "postgres")
            boards_drop(pg_env, "postgres")
            outbox(pg_env, "postgres")
            a, b, token = two_nodes(pg_env)
            try:
                database_down(a, token)
            finally:
                a.stop()
                b.stop()
        finally:
            subprocess.run(["psql", PG_URL, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"])
    print(f"{len(failures)} fault check(s) failed" if failures else "All fault checks passed.")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
