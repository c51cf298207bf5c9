"""HAProxy + llmroute (examples/haproxy) end to end: real HTTP through HAProxy's Lua 5.3
with the llmroute C module to stub upstreams on loopback.

  haproxy_e2e.py REPO_DIR LUA_CMODULE_DIR   (the directory of llmroute.so for Lua 5.3)

The test runs the example's haproxy.cfg with its own ports and files: the example's
global, defaults and gateway frontend as written, this test's backends instead of the
example's. Exits 77 (skipped) when haproxy or its Lua is missing.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def config(repo, cmodule_dir, fixture, port):
    example = open(os.path.join(repo, "examples", "haproxy", "haproxy.cfg")).read()
    # The example up to its backends, without its stub servers.
    head = example[:example.index("# One section per llmroute backend")]
    head = re.sub(r"# Stub backends for the example\.\n.*?(?=\n# What every llmroute)", "",
                  head, flags=re.S)
    head = head.replace("bind 127.0.0.1:8081", f"bind 127.0.0.1:{port}")
    head = head.replace("build/bindings/lua/5.3/?.so", os.path.join(cmodule_dir, "?.so"))
    head = head.replace("setenv LLMROUTE_ROUTES examples/gateway/routes.yaml",
                        f"setenv LLMROUTE_ROUTES {fixture.routes}")
    head = head.replace("setenv LLMROUTE_CHECK_INTERVAL 1", "setenv LLMROUTE_CHECK_INTERVAL 0.1")
    head = head.replace("setenv LLMROUTE_FAILURE_COOLDOWN_MS 5000",
                        "setenv LLMROUTE_FAILURE_COOLDOWN_MS 60000")
    head = head.replace(" examples/", f" {repo}/examples/")
    head = head.replace("global\n", f"global\n    nbthread 2\n    pidfile {fixture.path('haproxy.pid')}\n", 1)

    stubs = {name: stub.port for name, stub in fixture.stubs.items()}
    stubs["dead"] = fixture.dead_port
    chains = [["a"], ["b"], ["c"], ["bad503"], ["bad429"], ["dead"], ["plain503"],
              ["once429"], ["cool429"], ["cool503"],
              ["a", "b"], ["b", "a"], ["bad503", "a"], ["bad429", "b"], ["dead", "c"]]
    backends = []
    for chain in chains:
        name = ":".join(f"default.{n}" for n in chain)
        backends.append(f"backend {name} from llmroute")
        for n in chain:
            backends.append(f"    server default.{n} 127.0.0.1:{stubs[n]}")
    return head + "\n".join(backends) + "\n"


def main():
    repo, cmodule_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    haproxy = shutil.which("haproxy") or (os.path.exists("/usr/sbin/haproxy") and "/usr/sbin/haproxy")
    if not haproxy:
        harness.skip("haproxy is not installed (apt-get install haproxy)")
    version = subprocess.run([haproxy, "-vv"], capture_output=True, text=True).stdout
    if "Built with Lua version : Lua 5.3" not in version:
        harness.skip("this haproxy is not built with Lua 5.3")
    if not os.path.exists(os.path.join(cmodule_dir, "llmroute.so")):
        harness.skip(f"the llmroute Lua 5.3 module is not built in {cmodule_dir}")

    fixture = harness.Fixture("llmroute-haproxy-e2e-")
    checks = harness.Checks("haproxy")
    try:
        port = harness.free_port()
        cfg = fixture.path("haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(config(repo, cmodule_dir, fixture, port))
        check = subprocess.run([haproxy, "-c", "-q", "-f", cfg], capture_output=True, text=True)
        harness.expect(check.returncode == 0, f"haproxy -c: {check.stdout}{check.stderr}")
        proc = fixture.start([haproxy, "-db", "-f", cfg])
        harness.wait_listening(port, proc)

        # HAProxy 2.6 retries on connection failures and 5xx, not on 429 (`retry-on`
        # does not take it): the 429 reaches the client. The routing checks expect a
        # fallback after 429, so that one case is checked here instead.
        harness.routing_checks(checks, port, limited_status=429)
        # One health view per thread (nbthread 2). A 429 reaches the client; a 503 too
        # (cool503 has no chain section), after `retries 3` on its one server.
        harness.health_checks(checks, port, fixture, views=2, retried=False, tries_per_503=4)

        def reload_under_load():
            load = harness.Load(port)
            try:
                rewrites = 0
                for i in range(24):
                    backend = "b" if i % 2 == 0 else "a"
                    harness.write_atomically(fixture.routes, harness.routes_yaml(backend))
                    rewrites += 1
                    harness.wait_for_backend(port, backend)
            finally:
                load.stop()
            harness.expect(load.count > 100, f"{load.count} requests")
            harness.expect(not load.errors,
                           f"{len(load.errors)} of {load.count} failed: {load.errors[:3]}")
            print(f"     {rewrites} rewrites, {load.count} requests, 0 errors")

        checks.check("24 config rewrites under load: no failed request", reload_under_load)
        harness.broken_config_check(checks, port, fixture)

        # HAProxy answers a URI over 64 KB 414 itself, and 400 to more headers than
        # tune.http.maxhdr (1,024 in the example); 1,000 headers fit and are all routed.
        harness.hostile_checks(checks, port, long_path_status=414, too_many_headers_status=400)
    finally:
        fixture.close()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
