"""nginx + llmroute (examples/nginx) end to end: real HTTP through nginx's Lua module to
stub upstreams on loopback.

  nginx_e2e.py REPO_DIR LIBRARY   (LIBRARY: build/capi/libllmroute.so.0)

Exits 77 (skipped) when nginx or its Lua module is missing.
"""
import os
import shutil
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MODULES = "/usr/lib/nginx/modules"


def main():
    repo, library = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    nginx = shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
    if not nginx:
        harness.skip("nginx is not installed (apt-get install nginx libnginx-mod-http-lua lua-resty-core)")
    for module in ("ndk_http_module.so", "ngx_http_lua_module.so"):
        if not os.path.exists(os.path.join(MODULES, module)):
            harness.skip(f"{MODULES}/{module} is missing (apt-get install libnginx-mod-http-lua)")

    fixture = harness.Fixture("llmroute-nginx-e2e-")
    checks = harness.Checks("nginx")
    try:
        port = harness.free_port()
        example = os.path.join(repo, "examples", "nginx")
        # The example's own http- and server-level parts, with this test's ports and files.
        conf = f"""load_module {MODULES}/ndk_http_module.so;
load_module {MODULES}/ngx_http_lua_module.so;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {fixture.path("nginx.pid")};
error_log {fixture.path("error.log")} info;
daemon off;
env LLMROUTE_LIBRARY;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    lua_package_path "{repo}/bindings/lua/?.lua;{repo}/examples/gateway/?.lua;{example}/?.lua;;";
    init_by_lua_block {{
        require("llmroute_nginx").configure {{
            routes = "{fixture.routes}",
            backends = "{fixture.backends}",
            check_interval = 0.1,
            failure_cooldown_ms = 60000,
        }}
    }}
    include {example}/llmroute.conf;
    server {{
        listen 127.0.0.1:{port};
        include {example}/llmroute-server.conf;
    }}
}}
"""
        with open(fixture.path("nginx.conf"), "w") as f:
            f.write(conf)
        env = dict(os.environ, LLMROUTE_LIBRARY=library)
        proc = fixture.start([nginx, "-p", fixture.dir + "/", "-c", "nginx.conf", "-e",
                              fixture.path("error.log")], env=env)
        harness.wait_listening(port, proc)

        harness.routing_checks(checks, port)
        harness.retry_checks(checks, port, fixture)
        # One health view per worker (worker_processes 2).
        harness.health_checks(checks, port, fixture, views=2, retried=True)

        def reload_under_load():
            load = harness.Load(port)
            try:
                rewrites = 0
                for i in range(24):
                    backend = "b" if i % 2 == 0 else "a"
                    harness.write_atomically(fixture.routes, harness.routes_yaml(backend))
                    rewrites += 1
                    if i % 6 == 5:  # and now and then a whole `nginx -s reload`
                        os.kill(proc.pid, signal.SIGHUP)
                    harness.wait_for_backend(port, backend)
            finally:
                load.stop()
            harness.expect(rewrites >= 20 and load.count > 100,
                           f"{rewrites} rewrites, {load.count} requests")
            harness.expect(not load.errors,
                           f"{len(load.errors)} of {load.count} failed: {load.errors[:3]}")
            print(f"     {rewrites} rewrites (4 nginx -s reload), {load.count} requests, 0 errors")

        checks.check("24 config rewrites and 4 reloads under load: no failed request",
                     reload_under_load)

        # `nginx -s reload` with a routes file that does not compile is refused: the
        # running workers keep their table.
        harness.broken_config_check(checks, port, fixture,
                                    while_broken=lambda: os.kill(proc.pid, signal.SIGHUP))

        # nginx refuses a request line longer than a large_client_header_buffers buffer
        # (16 KB in the example) and more than 1,000 header lines itself; up to 1,000
        # short headers fit the example's buffers and are all routed.
        harness.hostile_checks(checks, port, long_path_status=414, too_many_headers_status=400)
    finally:
        fixture.close()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
