#!/usr/bin/env bash
# Stage "fuzz": builds the libFuzzer targets (tests/fuzz/*_fuzz.cc, clang, ASan and UBSan)
# in build-fuzz/ and runs each for LLMROUTE_FUZZ_SECONDS (default 60) from a temporary copy
# of its committed corpus (tests/fuzz/corpus/NAME for NAME_fuzz; tests/fuzz/NAME.dict when
# there is one), as many at once as there are cores. The tree is not written to. A crash,
# leak, timeout (-timeout=10 s an input) or failed check fails the stage; its log and
# reproducer are printed (the reproducer is kept in LLMROUTE_FUZZ_ARTIFACTS, default
# build-fuzz/artifacts/).
#
#   scripts/ci/fuzz.sh [TARGET...]     e.g. scripts/ci/fuzz.sh capi_fuzz resolve_fuzz
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
jobs=$(nproc)
seconds=${LLMROUTE_FUZZ_SECONDS:-60}
artifacts=${LLMROUTE_FUZZ_ARTIFACTS:-$root/build-fuzz/artifacts}

CC=${FUZZ_CC:-clang} CXX=${FUZZ_CXX:-clang++} cmake -S tests/fuzz -B build-fuzz >/dev/null

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  # Every harness the fuzz build defines (lua_request_fuzz needs the Lua 5.3 headers).
  defined=$(cmake --build build-fuzz --target help)
  for source in tests/fuzz/*_fuzz.cc; do
    target=$(basename "$source" .cc)
    if grep -qw "$target" <<<"$defined"; then
      targets+=("$target")
    else
      echo "fuzz: $target is not built here (see the cmake output of tests/fuzz)"
    fi
  done
fi
cmake --build build-fuzz -j"$jobs" --target "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/llmroute-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

run() {  # run TARGET: one bounded campaign; its log in $work/TARGET.log
  local target=$1 name=${1%_fuzz}
  local corpus="$work/corpus-$name" args=()
  mkdir -p "$corpus"
  if [[ -d tests/fuzz/corpus/$name ]]; then
    cp -R "tests/fuzz/corpus/$name/." "$corpus/"
  fi
  [[ -f tests/fuzz/$name.dict ]] && args+=("-dict=tests/fuzz/$name.dict")
  local status=0
  "build-fuzz/$target" "$corpus" "${args[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
    >"$work/$target.log" 2>&1 || status=$?
  echo "$status" >"$work/$target.status"
}

failed=()
for target in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || true; done
  run "$target" &
done
wait
for target in "${targets[@]}"; do
  if [[ $(cat "$work/$target.status") == 0 ]]; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
    echo "fuzz: $target: ${runs:-?} inputs in ${seconds}s, no failure"
  else
    failed+=("$target")
    echo "fuzz: $target FAILED; the end of its log:"
    tail -n 60 "$work/$target.log"
    ls -1 "$artifacts/$target-"* 2>/dev/null | sed 's/^/fuzz: reproducer: /' || true
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
