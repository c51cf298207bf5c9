# Helpers for the CLI tests in this folder; sourced by each tests/cli/*.sh, not a test
# itself. A test script runs as: bash SCRIPT LLMROUTE_BINARY SOURCE_DIR
#
#   case_ "what this pins"            name the case (shown when a check fails)
#   run ARGS... [<input]              run llmroute; sets CODE and LAST, keeps stdout/stderr
#   expect_code N                     exit status
#   expect_stdout_empty, expect_stderr_empty
#   expect_stdout_equals TEXT         the whole of stdout, trailing newline aside
#   expect_stdout_matches ERE, expect_stderr_matches ERE    some line matches
#   expect_json PYTHON_EXPR           every stdout line is JSON; EXPR holds, with
#                                     `lines` (all lines, parsed), `d` (the first) and
#                                     `raw` (the stdout text) in scope
#   finish                            summary line; exit 1 when any check failed
#
# Not `set -e`: a failed check is reported and counted, and the script goes on.
set -uo pipefail

LLMROUTE=${1:?"usage: bash $0 LLMROUTE_BINARY SOURCE_DIR"}
SOURCE_DIR=${2:?"usage: bash $0 LLMROUTE_BINARY SOURCE_DIR"}
EXAMPLES="$SOURCE_DIR/examples"
QUICKSTART="$EXAMPLES/quickstart.yaml"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

PASSED=0
FAILED=0
CASE="(no case)"
LAST="(nothing run yet)"
CODE=-1

case_() { CASE=$1; }

run() {
  LAST="llmroute $*"
  "$LLMROUTE" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
  CODE=$?
}

pass() { PASSED=$((PASSED + 1)); }

fail() {
  FAILED=$((FAILED + 1))
  {
    echo "FAIL: $CASE"
    echo "  command: $LAST"
    echo "  $1"
    echo "  exit status: $CODE"
    echo "  stdout: $(head -c 3000 "$WORK/stdout")"
    echo "  stderr: $(head -c 3000 "$WORK/stderr")"
  } >&2
}

expect_code() {
  if [[ "$CODE" == "$1" ]]; then pass; else fail "expected exit status $1"; fi
}

expect_stdout_empty() {
  if [[ ! -s "$WORK/stdout" ]]; then pass; else fail "expected nothing on stdout"; fi
}

expect_stderr_empty() {
  if [[ ! -s "$WORK/stderr" ]]; then pass; else fail "expected nothing on stderr"; fi
}

expect_stdout_equals() {
  local actual
  actual=$(cat "$WORK/stdout")
  if [[ "$actual" == "$1" ]]; then pass; else fail "expected stdout: $1"; fi
}

expect_stdout_matches() {
  if grep -Eq -- "$1" "$WORK/stdout"; then pass; else fail "expected a stdout line matching: $1"; fi
}

expect_stderr_matches() {
  if grep -Eq -- "$1" "$WORK/stderr"; then pass; else fail "expected a stderr line matching: $1"; fi
}

expect_json() {
  local verdict
  if verdict=$(python3 - "$WORK/stdout" "$1" <<'PY'
import json
import sys

DECISION_KEYS = ["status", "http_status", "via", "backend", "route", "rule", "rule_name",
                 "match", "model", "model_override", "fallbacks", "reason", "affinity", "panic",
                 "retry"]


def splitmix_pick(entropy, weights):
    """The index the weighted draw picks among `weights` (one tier, no zero weights).

    docs/routing.md#selection."""
    mask = (1 << 64) - 1
    z = (entropy + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    z = z ^ (z >> 31)
    r = (z * sum(weights)) >> 64
    running = 0
    for index, weight in enumerate(weights):
        running += weight
        if running > r:
            return index
    raise AssertionError("unreachable")


def name(namespace, name):
    return {"namespace": namespace, "name": name}


path, expr = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    data = f.read()
try:
    raw = data.decode("utf-8")
except UnicodeDecodeError as error:
    print(f"stdout is not UTF-8: {error}")
    sys.exit(1)
if raw and not raw.endswith("\n"):
    print("stdout does not end with a newline")
    sys.exit(1)
lines = []
# Split on "\n" only: str.splitlines() would also split at U+2028 and friends.
for number, line in enumerate(raw.split("\n")[:-1], 1):
    try:
        lines.append(json.loads(line))
    except ValueError as error:
        print(f"stdout line {number} is not JSON ({error}): {line!r}")
        sys.exit(1)
d = lines[0] if lines else None
try:
    ok = eval("(" + expr + "\n)")  # parenthesized so the expression may span lines
except Exception as error:
    print(f"{expr} raised {type(error).__name__}: {error}")
    sys.exit(1)
if not ok:
    print(f"expected: {expr}")
    sys.exit(1)
PY
  ); then
    pass
  else
    fail "$verdict"
  fi
}

finish() {
  echo "$(basename "$0" .sh): $PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
}
