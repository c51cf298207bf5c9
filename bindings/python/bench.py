"""Per-call cost of Router.resolve on the request of bench/capi_bench.cc, in CPU time:

    LLMROUTE_LIBRARY=build/capi/libllmroute.so PYTHONPATH=bindings/python \\
        python3 bindings/python/bench.py examples/quickstart.yaml
"""

import sys
import time
import timeit

import llmroute


def main() -> None:
    config = sys.argv[1]
    number = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    router = llmroute.Router.from_file(config)
    cases = {
        "standard_header": [("x-ai-eg-model", "llama-3-70b"),
                            ("x-ai-gateway-backend", "llama-cloud")],
        "model_rule": [("x-ai-eg-model", "llama-3-70b")],
    }
    for name, headers in cases.items():
        def call():
            return router.resolve(method="POST", path="/v1/chat/completions",
                                  headers=headers, entropy=7)
        assert call().routed
        best = min(timeit.repeat(call, number=number, repeat=5, timer=time.process_time))
        print(f"{'Python ' + sys.version.split()[0] + ' ctypes':<28} {name:<16} "
              f"{best / number * 1e9:8.1f} ns/call")


if __name__ == "__main__":
    main()
