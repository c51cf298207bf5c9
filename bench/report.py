"""Turns resolve_bench's JSON and the callgrind counts into the README's table."""
import json
import sys


def medians(path):
    with open(path) as f:
        data = json.load(f)
    result = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        result[name] = b
    return result


def ns(b):
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
    return b["cpu_time"] * scale


def main():
    runs = medians(sys.argv[1])
    instructions = {}
    with open(sys.argv[2]) as f:
        for line in f:
            workload, n, count = line.split()
            instructions[(workload, n)] = int(count)

    def get(name):
        return runs.get(name)

    rows = []
    print("| workload | resolve | floor | resolve/floor | linear | linear/resolve | allocs/op | instructions (resolve / floor) |")
    print("|---|---|---|---|---|---|---|---|")
    for n in ("10", "100", "1000", "4000"):
        for kind, label in (("ModelRouting", "model routing"), ("StandardHeader", "standard header")):
            r = get(f"BM_{kind}_Resolve/{n}")
            f = get(f"BM_ModelRouting_Floor/{n}")
            lin = get(f"BM_ModelRouting_Linear/{n}") if kind == "ModelRouting" else None
            if not r or not f:
                continue
            key = "model" if kind == "ModelRouting" else "header"
            instr = instructions.get((key, n))
            floor_instr = instructions.get(("floor", n))
            instr_text = f"{instr} / {floor_instr}" if instr and floor_instr else ""
            print(f"| {label}, N={n} | {ns(r):.0f} ns | {ns(f):.0f} ns | {ns(r) / ns(f):.2f}x | "
                  f"{f'{ns(lin):.0f} ns' if lin else ''} | {f'{ns(lin) / ns(r):.0f}x' if lin else ''} | "
                  f"{r.get('allocs_per_op', 0):.0f} | {instr_text} |")
    floor10 = get("BM_ModelRouting_Floor/10")
    for name, label in (("BM_StandardHeaderDisallowed_Resolve/1000", "standard header, disallowed, N=1000"),
                        ("BM_Regex_Resolve", "regex, 100 rules"),
                        ("BM_GatewayMix_Resolve", "Gateway API mix, 1000 rules"),
                        ("BM_Hosts_Resolve", "hosts, 1000 routes"),
                        ("BM_Selection_Resolve", "selection, 8 backends / 2 tiers")):
        r = get(name)
        if r and floor10:
            print(f"| {label} | {ns(r):.0f} ns | {ns(floor10):.0f} ns | {ns(r) / ns(floor10):.2f}x | | | "
                  f"{r.get('allocs_per_op', 0):.0f} | |")
    compile_run = get("BM_Compile_4000Rules")
    if compile_run:
        print(f"\nLoad + compile of 4000 rules: {ns(compile_run) / 1e6:.1f} ms")
    load_run, compile_only = get("BM_LoadOnly_4000Rules"), get("BM_CompileOnly_4000Rules")
    if load_run and compile_only:
        print(f"  of which load (YAML → Config) {ns(load_run) / 1e6:.1f} ms, "
              f"compile (Config → table) {ns(compile_only) / 1e6:.1f} ms")
    one = get("BM_Threads_ModelRouting_Resolve/real_time/threads:1")
    two = get("BM_Threads_ModelRouting_Resolve/real_time/threads:2")
    if one and two:
        ratio = two["items_per_second"] / one["items_per_second"]
        print(f"Throughput, model routing N=1000: 1 thread {one['items_per_second'] / 1e6:.2f} M/s, "
              f"2 threads {two['items_per_second'] / 1e6:.2f} M/s ({ratio:.2f}x)")
    m10, m4000 = get("BM_ModelRouting_Resolve/10"), get("BM_ModelRouting_Resolve/4000")
    if m10 and m4000:
        print(f"Model routing N=4000 / N=10: {ns(m4000) / ns(m10):.2f}x")


if __name__ == "__main__":
    main()
