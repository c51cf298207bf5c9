"""What the proxy end-to-end tests share: stub upstreams, free ports, HTTP requests and
the checks every proxy must pass (standard library only).

A stub upstream answers every request with JSON naming itself and echoing the request
line, headers (in order, as received) and body; it can be told to answer 503 or 429
(with or without Retry-After) instead. A "dead" backend is a port nobody listens on.
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SKIP = 77  # ctest's SKIP_RETURN_CODE

# The stubs must read the 1,000 headers a proxy passes on (http.server stops at 100).
http.client._MAXHEADERS = 5000


def skip(message):
    print(f"SKIPPED: {message}")
    sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _StubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # proxy's delayed ACK hold every answer for 40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _answer(self):
        with self.server.lock:  # counted before answering: the proxy may be faster
            self.server.hits += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        status = self.server.status
        payload = json.dumps({
            "backend": self.server.name,
            "method": self.command,
            "path": self.path,
            "headers": [[k.lower(), v] for k, v in self.headers.items()],
            "body": body,
        }).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if status == 429 and self.server.retry_after is not None:
            self.send_header("Retry-After", self.server.retry_after)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, *args):
        pass


class Stub:
    """One upstream in a thread: `name` answers `status` (200 unless told otherwise); a
    429 carries `Retry-After: retry_after` (seconds) unless it is None."""

    def __init__(self, name, status=200, retry_after="1"):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _StubHandler)
        self.server.daemon_threads = True
        self.server.name = name
        self.server.status = status
        self.server.retry_after = retry_after
        self.server.hits = 0
        self.server.lock = threading.Lock()
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def hits(self):
        with self.server.lock:
            return self.server.hits

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds

    def json(self):
        return json.loads(self.body)

    @property
    def backend(self):
        """The stub that answered, or None."""
        try:
            return self.json().get("backend")
        except ValueError:
            return None

    def upstream_headers(self, name):
        """The values of header `name` the backend received, in order."""
        return [v for k, v in self.json()["headers"] if k == name.lower()]


def request(port, method="GET", path="/v1/chat/completions", headers=(), body=None,
            timeout=10):
    """One request on a fresh connection; headers: (name, value) pairs, sent in order."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        data = body.encode() if isinstance(body, str) else body
        for name, value in headers:
            conn.putheader(name, value)
        if data is not None:
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        r = conn.getresponse()
        payload = r.read().decode("utf-8", "replace")
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, payload,
                        time.monotonic() - started)
    finally:
        conn.close()


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# The routes every proxy test uses. Backends: a, b, c answer 200; bad503 and plain503
# answer 503, bad429 429 with Retry-After: 1, once429 429 without Retry-After, cool429 429
# with Retry-After: 30, cool503 503; dead refuses connections. `live` is rewritten by the
# reload test. Each backend the health checks mark down serves one rule only.
def routes_yaml(live_backend="a"):
    return f"""apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {{name: chat, namespace: default}}
spec:
  standardRoutingHeader: {{enabled: true}}
  rules:
    - matches: [{{headers: [{{name: x-ai-eg-model, value: gpt-4o-mini}}]}}]
      backendRefs: [{{name: a}}]
    - matches: [{{headers: [{{name: x-ai-eg-model, value: split}}]}}]
      backendRefs: [{{name: a, weight: 70}}, {{name: b, weight: 30}}]
    - matches: [{{headers: [{{name: x-tenant, value: research}}]}}]
      backendRefs: [{{name: c}}]
    - matches: [{{headers: [{{name: x-ai-eg-model, value: flaky}}]}}]
      backendRefs: [{{name: bad503}}, {{name: a, priority: 1}}]
      retry: {{codes: [503]}}
    - matches: [{{headers: [{{name: x-ai-eg-model, value: limited}}]}}]
      backendRefs: [{{name: bad429}}, {{name: b, priority: 1}}]
      retry: {{codes: [429]}}
    - matches: [{{headers: [{{name: x-ai-eg-model, value: refused}}]}}]
      backendRefs: [{{name: dead}}, {{name: c, priority: 1}}]
      retry: {{}}
    - matches: [{{headers: [{{name: x-ai-eg-model, value: strict}}]}}]
      backendRefs: [{{name: plain503}}, {{name: a, priority: 1}}]
      retry: {{codes: [429], attempts: 1}}
    - matches: [{{headers: [{{name: x-ai-eg-model, value: unretried}}]}}]
      backendRefs: [{{name: once429}}, {{name: a, priority: 1}}]
    - matches: [{{headers: [{{name: x-ai-eg-model, value: renamed}}]}}]
      backendRefs:
        - {{name: once429, modelNameOverride: first-model}}
        - {{name: b, priority: 1, modelNameOverride: second-model}}
      retry: {{codes: [429], attempts: 1}}
    - matches: [{{headers: [{{name: x-ai-eg-model, value: cooling429}}]}}]
      backendRefs: [{{name: cool429}}, {{name: c, priority: 1}}]
      retry: {{codes: [429], attempts: 1}}
    - matches: [{{headers: [{{name: x-ai-eg-model, value: cooling503}}]}}]
      backendRefs: [{{name: cool503}}, {{name: c, priority: 1}}]
      retry: {{codes: [503], attempts: 1}}
    - matches: [{{headers: [{{name: x-ai-eg-model, value: live}}]}}]
      backendRefs: [{{name: {live_backend}}}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {{name: elsewhere, namespace: other}}
spec: {{schema: {{name: OpenAI}}}}
"""


class Fixture:
    """A temp dir, the stub upstreams, the backends file, and processes to stop."""

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.stubs = {}
        self.processes = []
        for name, status, retry_after in (
                ("a", 200, None), ("b", 200, None), ("c", 200, None), ("bad503", 503, None),
                ("plain503", 503, None), ("cool503", 503, None), ("bad429", 429, "1"),
                ("once429", 429, None), ("cool429", 429, "30")):
            self.stubs[name] = Stub(name, status, retry_after)
        self.dead_port = free_port()
        self.routes = os.path.join(self.dir, "routes.yaml")
        self.backends = os.path.join(self.dir, "backends.txt")
        write_atomically(self.routes, routes_yaml())
        lines = [f"default/{n} 127.0.0.1:{s.port}" for n, s in self.stubs.items()]
        lines.append(f"default/dead 127.0.0.1:{self.dead_port}")
        write_atomically(self.backends, "\n".join(lines) + "\n")

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self, argv, **kwargs):
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True, **kwargs)
        self.processes.append(p)
        return p

    def close(self):
        for p in self.processes:
            if p.poll() is None:
                p.terminate()  # by PID; the proxies stop their own workers
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for stub in self.stubs.values():
            stub.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_listening(port, process, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode("utf-8", "replace")
            raise AssertionError(f"the proxy exited with {process.returncode}:\n{out}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


class Checks:
    """Named checks; a failure is reported and the run goes on."""

    def __init__(self, proxy):
        self.proxy = proxy
        self.failures = []
        self.passed = 0

    def check(self, name, fn):
        started = time.monotonic()
        try:
            fn()
            self.passed += 1
            print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)
        except Exception as e:  # report every failure, not only the first
            self.failures.append(name)
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)

    def finish(self):
        print(f"{self.proxy}: {self.passed} passed, {len(self.failures)} failed")
        return 1 if self.failures else 0


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_error(r, status, code):
    expect(r.status == status, f"status {r.status}, want {status}: {r.body[:300]}")
    expect(r.headers.get("content-type", "").startswith("application/json"),
           f"content-type {r.headers.get('content-type')}")
    error = r.json()["error"]
    expect(error["code"] == code, f"code {error['code']}, want {code}")
    expect(isinstance(error["type"], str) and isinstance(error["message"], str),
           f"error body {r.body}")


def routing_checks(checks, port, limited_status=200):
    """The behaviour both proxies share: standard header, body, rules, split, fallbacks.
    `limited_status`: what a client gets when the chosen backend answers 429 (200: the
    proxy moved to the fallback)."""

    def selected(r, want):
        got = r.headers.get("x-ai-eg-selected-backend")
        expect(got == want, f"x-ai-eg-selected-backend {got!r}, want {want!r}")

    def standard_header_allowed():
        r = request(port, headers=[("x-ai-gateway-backend", "b"), ("x-ai-eg-model", "gpt-4o-mini")])
        expect(r.status == 200 and r.backend == "b", f"{r.status} {r.body[:200]}")
        selected(r, "default/b")
        expect(r.upstream_headers("x-ai-gateway-backend") == [],
               "the owned standard header reached the backend")

    def standard_header_refused():
        # Unknown everywhere; declared in another namespace; a backend of the route
        # spelled in another case.
        for value in ("ghost", "other/elsewhere", "A"):
            r = request(port, headers=[("x-ai-gateway-backend", value)])
            expect_error(r, 400, "backend_not_allowed")

    def body_model_wins():
        body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
        r = request(port, "POST", headers=[("x-ai-eg-model", "split"), ("X-AI-EG-Model", "limited")],
                    body=body)
        expect(r.status == 200 and r.backend == "a", f"{r.status} {r.body[:200]}")
        expect(r.upstream_headers("x-ai-eg-model") == ["gpt-4o-mini"],
               f"backend saw x-ai-eg-model {r.upstream_headers('x-ai-eg-model')}")
        expect(r.json()["body"] == body, "the body reached the backend changed")
        selected(r, "default/a")

    def bad_body():
        r = request(port, "POST", body="{not json")
        expect_error(r, 400, "bad_request")

    def header_rule():
        r = request(port, headers=[("X-Tenant", "research")])
        expect(r.status == 200 and r.backend == "c", f"{r.status} {r.body[:200]}")

    def no_route():
        r = request(port, headers=[("x-ai-eg-model", "nobody-serves-this")])
        expect_error(r, 404, "no_route")

    def split():
        counts = {"a": 0, "b": 0}
        lock = threading.Lock()

        def worker(n):
            for _ in range(n):
                r = request(port, headers=[("x-ai-eg-model", "split")])
                with lock:
                    counts[r.backend] = counts.get(r.backend, 0) + 1

        threads = [threading.Thread(target=worker, args=(250,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # 1,000 draws at p = 0.7: standard deviation 14.5; allow 5 of them.
        expect(sum(counts.values()) == 1000 and 627 <= counts["a"] <= 773,
               f"70/30 split gave {counts}")

    def fallbacks():
        cases = [("flaky", "bad503", "a"), ("refused", "dead", "c")]
        if limited_status == 200:
            cases.append(("limited", "bad429", "b"))
        else:
            r = request(port, "POST", headers=[("x-ai-eg-model", "limited")],
                        body=json.dumps({"model": "limited"}))
            expect(r.status == limited_status and r.backend == "bad429",
                   f"limited: {r.status} from {r.backend}, want {limited_status} from bad429")
        for model, first, then in cases:
            r = request(port, "POST", headers=[("x-ai-eg-model", model)],
                        body=json.dumps({"model": model}))
            expect(r.status == 200 and r.backend == then,
                   f"{model}: {r.status} from {r.backend}, want 200 from {then} after {first}")
            selected(r, f"default/{then}")

    checks.check("standard header routes to an allowed backend, never reaches it", standard_header_allowed)
    checks.check("disallowed and unknown standard header: 400 JSON error", standard_header_refused)
    checks.check("the body's model routes; a disagreeing x-ai-eg-model never reaches the backend", body_model_wins)
    checks.check("a body that is not JSON: 400 JSON error", bad_body)
    checks.check("a header rule routes", header_rule)
    checks.check("no match: 404 JSON error", no_route)
    checks.check("70/30 split over 1,000 requests", split)
    checks.check("503, 429 and a refused connection move to the next fallback"
                 if limited_status == 200 else
                 f"503 and a refused connection move to the next fallback; 429 answers {limited_status}",
                 fallbacks)


class Load:
    """Threads sending routed requests until stopped, each on a fresh connection; every
    answer that is not 200 from a live backend is an error."""

    def __init__(self, port, threads=4):
        self.port = port
        self.stop_flag = threading.Event()
        self.errors = []
        self.count = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def _run(self):
        while not self.stop_flag.is_set():
            try:
                r = request(self.port, "POST", headers=[("x-ai-eg-model", "live")],
                            body='{"model": "live"}')
                ok = r.status == 200 and r.backend in ("a", "b")
                error = None if ok else f"{r.status} {r.body[:120]}"
            except Exception as e:
                error = f"{type(e).__name__}: {e}"
            with self.lock:
                self.count += 1
                if error:
                    self.errors.append(error)

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join()


def wait_for_backend(port, backend, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if request(port, headers=[("x-ai-eg-model", "live")]).backend == backend:
            return
        time.sleep(0.02)
    raise AssertionError(f"'live' did not move to {backend} within {seconds} s")


def broken_config_check(checks, port, fixture, while_broken=None):
    """A routes file that does not compile leaves the current table (also across
    `while_broken`, e.g. a reload of the proxy); a good one after it takes effect."""

    def run():
        write_atomically(fixture.routes, "kind: [unclosed\n")
        time.sleep(0.5)  # several checks of the file
        if while_broken:
            while_broken()
            time.sleep(0.5)
        r = request(port, headers=[("x-ai-eg-model", "gpt-4o-mini")])
        expect(r.status == 200 and r.backend == "a", f"{r.status} {r.body[:200]}")
        write_atomically(fixture.routes, routes_yaml("c"))
        wait_for_backend(port, "c")

    checks.check("a config that does not compile leaves the current table", run)


def hostile_checks(checks, port, long_path_status, too_many_headers_status):
    """A 64 KiB path, 1,000 headers and 2,000 headers are answered promptly, and the proxy
    keeps serving. 1,000 header lines (Host and the model header included) are routed."""

    def long_path():
        r = request(port, path="/v1/" + "a" * 65536, headers=[("x-ai-eg-model", "gpt-4o-mini")])
        expect(r.status == long_path_status, f"64 KiB path: {r.status}, want {long_path_status}")
        expect(r.seconds < 2, f"64 KiB path took {r.seconds:.2f} s")

    def many_headers():
        # Host (sent by http.client) + 998 fillers + the model header = 1,000 lines.
        headers = [(f"x-filler-{i:04d}", "v" * 8) for i in range(998)]
        headers.append(("x-ai-eg-model", "gpt-4o-mini"))
        r = request(port, headers=headers)
        expect(r.status == 200 and r.backend == "a",
               f"1,000 headers: {r.status} from {r.backend}: {r.body[:200]}")
        expect(r.seconds < 2, f"1,000 headers took {r.seconds:.2f} s")

    def too_many_headers():
        headers = [(f"x-filler-{i:04d}", "v" * 8) for i in range(2000)]
        r = request(port, headers=headers)
        expect(r.status == too_many_headers_status,
               f"2,000 headers: {r.status}, want {too_many_headers_status}")
        expect(r.seconds < 2, f"2,000 headers took {r.seconds:.2f} s")

    def still_serving():
        r = request(port, headers=[("x-ai-eg-model", "gpt-4o-mini")])
        expect(r.status == 200 and r.backend == "a", f"{r.status} {r.body[:200]}")

    checks.check(f"64 KiB path: the proxy's own {long_path_status}, promptly", long_path)
    checks.check("1,000 header lines: routed, promptly", many_headers)
    checks.check(f"2,000 headers: the proxy's own {too_many_headers_status}, promptly",
                 too_many_headers)
    checks.check("the proxy keeps serving after hostile requests", still_serving)


def retry_checks(checks, port, fixture):
    """The decision's retry policy decides whether a failed try is retried, and where (the
    nginx example follows it; HAProxy 2.6 retries by its configuration)."""

    def selected(r, want):
        got = r.headers.get("x-ai-eg-selected-backend")
        expect(got == want, f"x-ai-eg-selected-backend {got!r}, want {want!r}")

    def retried_with_override():
        # codes [429], attempts 1: once429 answers 429, b (the first fallback) answers,
        # with its own modelNameOverride.
        first = fixture.stubs["once429"]
        before = first.hits
        r = request(port, "POST", headers=[("x-ai-eg-model", "renamed")],
                    body=json.dumps({"model": "renamed"}))
        expect(r.status == 200 and r.backend == "b", f"{r.status} from {r.backend}: {r.body[:200]}")
        selected(r, "default/b")
        expect(first.hits == before + 1, f"once429 got {first.hits - before} tries, want 1")
        expect(r.upstream_headers("x-ai-eg-model") == ["second-model"],
               f"the fallback saw x-ai-eg-model {r.upstream_headers('x-ai-eg-model')}")

    def code_not_in_policy():
        # codes [429]: plain503's 503 is not retried; the client gets it.
        first = fixture.stubs["plain503"]
        before = first.hits
        r = request(port, "POST", headers=[("x-ai-eg-model", "strict")],
                    body=json.dumps({"model": "strict"}))
        expect_error(r, 503, "upstream_failed")
        selected(r, "default/plain503")
        expect(first.hits == before + 1, f"plain503 got {first.hits - before} tries, want 1")

    def no_policy():
        # A rule without retry: its 429 reaches the client, its fallback is not tried.
        r = request(port, "POST", headers=[("x-ai-eg-model", "unretried")],
                    body=json.dumps({"model": "unretried"}))
        expect(r.status == 429 and r.backend == "once429",
               f"{r.status} from {r.backend}, want 429 from once429: {r.body[:200]}")
        selected(r, "default/once429")

    checks.check("retry policy codes [429]: the first fallback answers, with its model",
                 retried_with_override)
    checks.check("retry policy codes [429]: a 503 is not retried", code_not_in_policy)
    checks.check("no retry policy: the 429 reaches the client", no_policy)


def health_checks(checks, port, fixture, views, retried, tries_per_503=1):
    """A backend that answered 429 with Retry-After (cool429, 30 s) or 503 (cool503) is
    marked down in the answering worker's health view: the decisions that follow choose c
    directly. `views`: how many separate health views the proxy keeps (one per worker or
    thread), so how many requests the failing backend may get at most. `retried`: the
    proxy retries the failed try to the fallback (else the client gets the failure).
    `tries_per_503`: how many times the proxy tries the backend for one request."""

    def run(model, name, tries_per_request):
        stub = fixture.stubs[name]
        before = stub.hits
        for i in range(4 * views + 8):
            r = request(port, "POST", headers=[("x-ai-eg-model", model)],
                        body=json.dumps({"model": model}))
            if r.status == 200:
                expect(r.backend == "c", f"request {i}: 200 from {r.backend}, want c")
                expect(r.headers.get("x-ai-eg-selected-backend") == "default/c",
                       f"request {i}: selected {r.headers.get('x-ai-eg-selected-backend')}")
            else:
                expect(not retried and r.status == stub.server.status and r.backend == name,
                       f"request {i}: {r.status} from {r.backend}: {r.body[:200]}")
        tries = stub.hits - before
        most = views * tries_per_request
        expect(1 <= tries <= most,
               f"{name} got {tries} tries from {4 * views + 8} requests, want 1 to {most}")

    checks.check("after a 429 with Retry-After, decisions skip the backend (health view)",
                 lambda: run("cooling429", "cool429", 1))
    checks.check("after a 503, decisions skip the backend for the cooldown (health view)",
                 lambda: run("cooling503", "cool503", tries_per_503))
