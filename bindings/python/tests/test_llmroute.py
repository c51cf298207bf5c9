"""Tests of the Python binding (run by ctest with LLMROUTE_LIBRARY set to the built library)."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import subprocess
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import llmroute  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DATA = os.path.join(REPO, "tests", "data")
QUICKSTART = os.path.join(REPO, "examples", "quickstart.yaml")
# One rule with a modelNameOverride, one without, and a catch-all.
OVERRIDE_ROUTE = """apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: o}
spec:
  rules:
  - matches: [{headers: [{name: x-model, value: small}]}]
    backendRefs: [{name: a, modelNameOverride: small-2024}]
  - matches: [{headers: [{name: x-model, value: big}]}]
    backendRefs: [{name: b}]
  - backendRefs: [{name: c}]
"""

BAD_REGEX = """apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: chat}
spec:
  rules:
    - matches:
        - headers:
            - {type: RegularExpression, name: x-ai-eg-model, value: "gpt-(4"}
      backendRefs: [{name: openai}]
"""


def route_text(name: str) -> str:
    return f"""apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {{name: {name}}}
spec:
  rules:
    - backendRefs: [{{name: {name}-1}}, {{name: {name}-2}}]
"""


def nsname(n):
    return None if n is None else str(n)


def render(d: llmroute.Decision) -> dict:
    return {
        "status": d.status.value,
        "http_status": d.http_status,
        "via": None if d.via is None else d.via.value,
        "backend": nsname(d.backend),
        "route": nsname(d.route),
        "rule": d.rule,
        "rule_name": d.rule_name,
        "match": d.match,
        "model": d.model,
        "model_override": d.model_override,
        "fallbacks": [str(f) for f in d.fallbacks],
        "backend_kind": None if d.backend_kind is None else d.backend_kind.value,
        "mutations": None if d.mutations is None else {
            "header_set": [list(p) for p in d.mutations.header_set],
            "header_remove": list(d.mutations.header_remove),
            "body_set": [list(p) for p in d.mutations.body_set],
            "body_remove": list(d.mutations.body_remove),
        },
        "retry": None if d.retry is None else {
            "codes": list(d.retry.codes), "attempts": d.retry.attempts,
            "backoff_ms": d.retry.backoff_ms},
        "affinity": d.affinity,
        "panic": d.panic,
    }


def expected(case: dict) -> dict:
    """A case's expected decision, with the cases file's defaults filled in."""
    e = dict(case["expect"])
    e.setdefault("backend_kind", "Backend" if e["status"] == "routed" else None)
    e.setdefault("mutations", None)
    e.setdefault("retry", None)
    e.pop("next", None)
    e.setdefault("affinity", False)
    e.setdefault("panic", False)
    return e


def render_attempt(a):
    return None if a is None else {"backend": str(a.backend), "model_override": a.model_override}


class SharedCasesTest(unittest.TestCase):
    """tests/data/shared_cases.json: the same decisions as the C++ API."""

    def test_shared_cases(self):
        with open(os.path.join(DATA, "shared_cases.json")) as f:
            doc = json.load(f)
        count = 0
        for suite in doc["suites"]:
            router = llmroute.Router.from_file(os.path.join(DATA, suite["config"]),
                                               **suite["options"])
            for case in suite["cases"]:
                with self.subTest(suite=suite["name"], case=case["name"]):
                    request = dict(case["request"])
                    down = request.pop("down", None)
                    if down is not None:
                        request["health"] = llmroute.Health()
                        for full in down:
                            request["health"].mark_down(*full.split("/"))
                    d = router.resolve(**request)
                    self.assertEqual(render(d), expected(case))
                    for q in case["expect"].get("next", []):
                        self.assertEqual(render_attempt(d.next_attempt(q["attempt"], q["status"])),
                                         q["expect"], q)
                        self.assertEqual(router.next_attempt(d, q["attempt"], q["status"]),
                                         d.next_attempt(q["attempt"], q["status"]))
                    self.assertEqual(d.reason is None, d.status is llmroute.Status.ROUTED)
                    count += 1
        self.assertGreaterEqual(count, 20)

    def test_shared_models(self):
        with open(os.path.join(DATA, "shared_cases.json")) as f:
            models = json.load(f)["models"]
        router = llmroute.Router.from_file(os.path.join(DATA, models["config"]))
        for case in models["cases"]:
            with self.subTest(case=case["name"]):
                got = router.models() if case["host"] is None else router.models(case["host"])
                self.assertEqual([{"id": m.model, "route": str(m.route), "owned_by": m.owned_by,
                                   "created": m.created} for m in got], case["expect"])


class RetryAndExplainTest(unittest.TestCase):
    """The retry policy, next attempts outliving the router, and explain."""

    def setUp(self):
        self.router = llmroute.Router.from_file(os.path.join(DATA, "shared_cases_retry.yaml"))

    def tearDown(self):
        self.router.close()

    def test_policy_and_next_attempt_outlive_the_router(self):
        d = self.router.resolve(headers={"x-ai-eg-model": "gpt-4o"})
        self.router.close()
        self.assertEqual(d.retry, llmroute.Retry((429, 503), 2, 100))
        self.assertEqual(d.fallback_overrides, ("gpt-4o-azure", None))
        self.assertEqual(d.next_attempt(1, 429),
                         llmroute.Attempt(llmroute.NamespacedName("team", "azure"), "gpt-4o-azure"))
        self.assertIsNone(d.next_attempt(1, 500))
        self.assertIsNone(d.next_attempt(0, 0))

    def test_explain_is_the_cli_text(self):
        text = self.router.explain(headers={"x-ai-eg-model": "qwen"}, method="POST")
        self.assertIsInstance(text, str)
        self.assertIn('met:     header x-ai-eg-model Exact "qwen", seen "qwen"', text)
        self.assertIn("decision: routed (200) backend team/qwen-a via rule", text)
        self.assertIn("retry: up to 3 retries after a connection failure or timeout or status 502, "
                      "backoff 5400000 ms", text)
        self.assertIn("request: POST / host (none), 1 headers", text)

    def test_explain_of_a_bad_body_and_a_closed_router(self):
        text = self.router.explain(body="[1]")
        self.assertIn("decision: bad_request (400)", text)
        self.router.close()
        with self.assertRaises(llmroute.Error):
            self.router.explain()


STICKY = os.path.join(DATA, "shared_cases_affinity.yaml")


class AffinityAndHealthTest(unittest.TestCase):
    def test_affinity_fallbacks_are_not_mixed_up_between_keys(self):
        router = llmroute.Router.from_file(STICKY)
        first = router.resolve(headers={"x-ai-eg-model": "chat", "x-session": "user-1"})
        second = router.resolve(headers={"x-ai-eg-model": "chat", "x-session": "c-7"})
        self.assertEqual([str(f) for f in first.fallbacks], ["ns/gamma", "ns/alpha", "ns/spare"])
        self.assertEqual([str(f) for f in second.fallbacks], ["ns/gamma", "ns/beta", "ns/spare"])
        self.assertTrue(first.affinity and second.affinity)

    def test_affinity_option(self):
        router = llmroute.Router.from_file(QUICKSTART, affinity_body_field="user")
        d = router.resolve(body='{"model": "llama-3-70b", "user": "u"}')
        self.assertTrue(d.affinity)
        with self.assertRaises(ValueError):
            llmroute.Router.from_file(QUICKSTART, affinity_header="a", affinity_body_field="b")
        with self.assertRaises(llmroute.ConfigError):
            llmroute.Router.from_file(QUICKSTART, affinity_header="a b")

    def test_health_marks_cooldowns_and_panic(self):
        router = llmroute.Router.from_file(STICKY)
        health = llmroute.Health(now_ms=1000)
        health.mark_down("ns", "beta", for_ms=100)
        self.assertEqual(health.state("ns", "beta"), (True, 1100))
        headers = {"x-ai-eg-model": "chat", "x-session": "user-3"}
        d = router.resolve(headers=headers, health=health)
        self.assertEqual((str(d.backend), d.panic), ("ns/alpha", False))
        self.assertEqual([str(f) for f in d.fallbacks], ["ns/gamma", "ns/spare"])
        health.set_now(1100)
        self.assertEqual(health.state("ns", "beta"), (False, None))
        self.assertEqual(str(router.resolve(headers=headers, health=health).backend), "ns/beta")
        for name in ("alpha", "beta", "gamma", "spare"):
            health.mark_down("ns", name)
        self.assertTrue(router.resolve(headers=headers, health=health).panic)
        health.mark_up("ns", "spare")
        d = router.resolve(headers=headers, health=health)
        self.assertEqual((str(d.backend), d.panic, d.fallbacks), ("ns/spare", False, ()))
        with self.assertRaises(ValueError):
            health.mark_down("ns", "a", for_ms=0)
        with self.assertRaises(ValueError):
            llmroute.Health().set_now(5)


class ErrorsTest(unittest.TestCase):
    def test_config_error_carries_the_cli_line(self):
        with self.assertRaises(llmroute.ConfigError) as caught:
            llmroute.Router.from_text(BAD_REGEX, file_name="bad.yaml")
        self.assertEqual(
            str(caught.exception),
            "bad.yaml:8:69: error: spec.rules[0].matches[0].headers[0].value: "
            "invalid regular expression: missing ): gpt-(4")
        self.assertEqual(caught.exception.message, str(caught.exception))
        self.assertEqual(caught.exception.code, "config")
        self.assertIsInstance(caught.exception, llmroute.Error)

    def test_missing_file(self):
        with self.assertRaises(llmroute.ConfigError) as caught:
            llmroute.Router.from_file("/nonexistent/routes.yaml")
        self.assertEqual(caught.exception.code, "not_found")
        self.assertIn("/nonexistent/routes.yaml", caught.exception.message)

    def test_bad_options(self):
        with self.assertRaises(ValueError):
            llmroute.Router.from_file(QUICKSTART, allowed_backends="Explicit")
        with self.assertRaises(ValueError):
            llmroute.Router.from_file(QUICKSTART, on_disallowed="reject")
        with self.assertRaises(TypeError):
            llmroute.Router.from_file(QUICKSTART, no_such_option=1)
        with self.assertRaises(llmroute.ConfigError):
            llmroute.Router.from_file(QUICKSTART, model_header="not a token")

    def test_bad_entropy(self):
        router = llmroute.Router.from_file(QUICKSTART)
        for bad in (-1, 1 << 64):
            with self.assertRaises(ValueError):
                router.resolve(entropy=bad)
        router.resolve(entropy=(1 << 64) - 1)

    def test_library_not_found_lists_what_was_tried(self):
        code = (
            "import llmroute\n"
            "llmroute._candidates = lambda: ['/nonexistent/libllmroute.so', 'libllmroute-none.so.0']\n"
            "try:\n"
            "    llmroute.version()\n"
            "except llmroute.LibraryNotFoundError as e:\n"
            "    print(e)\n")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout
        self.assertIn("LLMROUTE_LIBRARY", out)
        self.assertIn("/nonexistent/libllmroute.so (no such file)", out)
        self.assertIn("libllmroute-none.so.0", out)


class ResolveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.router = llmroute.Router.from_file(QUICKSTART)

    def test_standard_header(self):
        d = self.router.resolve(method="POST", path="/v1/chat/completions",
                                headers={"x-ai-gateway-backend": "llama-cloud"})
        self.assertIs(d.status, llmroute.Status.ROUTED)
        self.assertEqual(d.status, "routed")
        self.assertTrue(d.routed)
        self.assertIs(d.via, llmroute.Via.STANDARD_HEADER)
        self.assertEqual(d.backend, llmroute.NamespacedName("default", "llama-cloud"))
        self.assertEqual(d.route, llmroute.NamespacedName("default", "quickstart"))
        self.assertEqual(d.fallbacks, ())

    def test_decision_is_frozen(self):
        d = self.router.resolve()
        with self.assertRaises(dataclasses.FrozenInstanceError):
            d.status = llmroute.Status.ROUTED  # type: ignore[misc]
        self.assertEqual([f.name for f in dataclasses.fields(d)],
                         ["status", "http_status", "via", "backend", "route", "rule",
                          "rule_name", "match", "model", "model_override", "fallbacks",
                          "reason", "backend_kind", "mutations", "fallback_overrides", "retry",
                          "affinity", "panic"])

    def test_header_forms_agree(self):
        as_dict = self.router.resolve(headers={"x-ai-gateway-backend": ["openai", "llama-cloud"]})
        as_pairs = self.router.resolve(headers=[("x-ai-gateway-backend", "openai"),
                                                ("X-AI-Gateway-Backend", b"llama-cloud")])
        self.assertIs(as_dict.status, llmroute.Status.BAD_REQUEST)
        self.assertEqual(as_dict, as_pairs)
        self.assertIsNone(as_dict.route)
        self.assertIsNotNone(as_dict.reason)

    def test_body_and_unicode_model(self):
        d = self.router.resolve(method="POST", body=b'{"model": "gpt-4o-mini"}')
        self.assertEqual((d.backend.name, d.model), ("openai", "gpt-4o-mini"))
        d = self.router.resolve(body='{"model": "mod\\u00e8le"}')
        self.assertEqual((d.status, d.model), (llmroute.Status.NO_ROUTE, "mod\u00e8le"))
        d = self.router.resolve(headers={"x-ai-eg-model": "ünï"})
        self.assertEqual(d.model, "ünï")
        d = self.router.resolve(body="[]")
        self.assertEqual((d.status, d.model), (llmroute.Status.BAD_REQUEST, None))
        # A short body after a long one: what follows it in the buffer is not read.
        self.router.resolve(body='{"model": "' + "x" * 5000 + '"}')
        for truncated in ('{"model": "gpt-4o-mini"', '{"model": "gpt-4o-mini",', '{'):
            d = self.router.resolve(body=truncated)
            self.assertEqual(d.status, llmroute.Status.BAD_REQUEST, truncated)

    def test_models_and_table_properties(self):
        models = self.router.models()
        self.assertEqual([(m.model, str(m.route)) for m in models],
                         [("gpt-4o-mini", "default/quickstart"),
                          ("llama-3-70b", "default/quickstart")])
        self.assertEqual(self.router.model_header, "x-ai-eg-model")
        self.assertEqual(self.router.warnings, [])
        self.assertEqual(llmroute.version(), "0.1.0")
        self.assertTrue(os.path.exists(llmroute.library_path())
                        or "/" not in llmroute.library_path())

    def test_owned_headers_and_upstream_model(self):
        self.assertEqual(self.router.owned_headers, ["x-ai-eg-model", "x-ai-gateway-backend"])
        plain = llmroute.Router.from_text(OVERRIDE_ROUTE, model_header="X-Model")
        self.assertEqual(plain.owned_headers, ["x-model"])
        d = plain.resolve(headers={"x-model": "small"})
        self.assertEqual((d.model, d.model_override, d.upstream_model),
                         ("small", "small-2024", "small-2024"))
        d = plain.resolve(headers={"x-model": "big"})
        self.assertEqual((d.model, d.upstream_model), ("big", "big"))
        d = plain.resolve()
        self.assertIsNone(d.upstream_model)

    def test_warnings(self):
        router = llmroute.Router.from_text("apiVersion: v1\nkind: Foo\n", file_name="w.yaml")
        self.assertEqual(router.warnings,
                         ['w.yaml:2:7: warning: kind: skipped document of unknown kind "Foo"'])

    def test_many_headers(self):
        headers = [(f"x-filler-{i}", "v" * i) for i in range(300)]
        headers.append(("x-ai-eg-model", "gpt-4o-mini"))
        d = self.router.resolve(headers=headers, body=None)
        self.assertEqual(d.backend.name, "openai")


    def test_decision_cache_is_bounded_by_bytes(self):
        router = llmroute.Router.from_file(QUICKSTART)
        bound = llmroute._DECISION_CACHE_BYTES
        for i in range(300):
            model = f"{i:06d}" + "m" * (64 * 1024)
            d = router.resolve(headers={"x-ai-eg-model": model})
            self.assertEqual((d.status, d.model), (llmroute.Status.NO_ROUTE, model))
            d = router.resolve(headers={"x-ai-eg-model": model})  # the same again
            self.assertEqual(d.model, model)
            entries, size = router._decision_cache_size()
            self.assertLessEqual(size, bound, f"after {i + 1} distinct large models")
            self.assertLessEqual(entries, llmroute._DECISION_CACHE_SIZE)
        # Small models are still cached, and every answer stays right.
        for i in range(3 * llmroute._DECISION_CACHE_SIZE):
            model = f"m{i}" + "x" * (i % 300)
            d = router.resolve(headers={"x-ai-eg-model": model})
            self.assertEqual(d.model, model)
            entries, size = router._decision_cache_size()
            self.assertLessEqual(size, bound)
            self.assertLessEqual(entries, llmroute._DECISION_CACHE_SIZE)
        self.assertGreater(entries, 0)
        d = router.resolve(headers={"x-ai-eg-model": "gpt-4o-mini"})
        self.assertIs(router.resolve(headers={"x-ai-eg-model": "gpt-4o-mini"}), d)
        self.assertEqual((d.backend.name, d.model), ("openai", "gpt-4o-mini"))


class MaxBodySizeTest(unittest.TestCase):
    def test_a_longer_body_is_a_bad_request(self):
        router = llmroute.Router.from_file(QUICKSTART, max_body_size=64)
        body = '{"model": "gpt-4o-mini", "pad": "' + "x" * 29 + '"}'
        self.assertEqual(len(body), 64)
        d = router.resolve(method="POST", body=body)
        self.assertEqual((d.status, d.model), (llmroute.Status.ROUTED, "gpt-4o-mini"))
        d = router.resolve(method="POST", body=body + " ")
        self.assertEqual((d.status, d.http_status), (llmroute.Status.BAD_REQUEST, 400))
        self.assertEqual(d.reason, "body is larger than the max body size of 64 bytes")
        self.assertIsNone(d.model)
        # The default (64 MiB) reads the same body.
        d = llmroute.Router.from_file(QUICKSTART).resolve(method="POST", body=body + " ")
        self.assertIs(d.status, llmroute.Status.ROUTED)

    def test_kept_across_reload(self):
        router = llmroute.Router.from_file(QUICKSTART, max_body_size=8)
        router.reload()
        d = router.resolve(body='{"model": "gpt-4o-mini"}')
        self.assertIs(d.status, llmroute.Status.BAD_REQUEST)

    def test_out_of_range(self):
        for bad in (0, -1, 1 << 32, True, 1.5, "64"):
            with self.assertRaises(ValueError, msg=repr(bad)):
                llmroute.Router.from_file(QUICKSTART, max_body_size=bad)
        llmroute.Router.from_file(QUICKSTART, max_body_size=(1 << 32) - 1)


class VersionTest(unittest.TestCase):
    def test_the_library_version(self):
        self.assertRegex(llmroute.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(llmroute.__version__, llmroute.version())
        expected = os.environ.get("LLMROUTE_EXPECTED_VERSION")
        if expected:
            self.assertEqual(llmroute.version(), expected)


class ReloadTest(unittest.TestCase):
    def test_reload_from_text_and_file(self):
        router = llmroute.Router.from_text(route_text("blue"))
        self.assertEqual(router.resolve().route.name, "blue")
        router.reload(text=route_text("green"))
        self.assertEqual(router.resolve().route.name, "green")
        self.assertEqual(router.generation, 1)
        router.reload(QUICKSTART, standard_header=True)
        self.assertEqual(router.resolve(headers={"x-ai-eg-model": "gpt-4o-mini"}).backend.name,
                         "openai")

    def test_failed_reload_keeps_the_table(self):
        router = llmroute.Router.from_text(route_text("blue"))
        with self.assertRaises(llmroute.ConfigError):
            router.reload(text=BAD_REGEX)
        self.assertEqual(router.resolve().route.name, "blue")
        self.assertEqual(router.generation, 0)

    def test_reload_while_other_threads_resolve(self):
        router = llmroute.Router.from_text(route_text("blue"))
        stop = threading.Event()
        errors = []
        counts = [0] * 3

        def reader(index):
            while not stop.is_set():
                d = router.resolve(entropy=index)
                route = d.route.name
                if not (d.backend.name.startswith(route + "-")
                        and d.fallbacks[0].name.startswith(route + "-")):
                    errors.append(d)
                counts[index] += 1

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for i in range(40):
            router.reload(text=route_text("green" if i % 2 == 0 else "blue"))
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertTrue(all(counts))
        self.assertEqual(router.generation, 40)

    def test_decisions_outlive_the_router(self):
        router = llmroute.Router.from_text(route_text("blue"))
        d = router.resolve(headers={"x-ai-eg-model": "m"}, entropy=3)
        del router
        gc.collect()
        self.assertEqual((str(d.route), d.model, str(d.fallbacks[0])[:13]),
                         ("default/blue", "m", "default/blue-"))

    def test_closed_router_raises(self):
        router = llmroute.Router.from_text(route_text("blue"))
        d = router.resolve()
        router.close()
        with self.assertRaises(llmroute.Error):
            router.resolve()
        with self.assertRaises(llmroute.Error):
            router.models()
        with self.assertRaises(llmroute.Error):
            router.reload()
        router.close()  # twice is fine
        self.assertEqual(d.route.name, "blue")
        with llmroute.Router.from_text(route_text("blue")) as r:
            self.assertEqual(r.resolve().route.name, "blue")


if __name__ == "__main__":
    unittest.main()
