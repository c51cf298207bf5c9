#!/usr/bin/env bash
# Installs the packages, then builds and runs every test, in stages (scripts/ci/STAGE.sh):
#   fast   the normal build of everything in build/ and the whole ctest suite
#   asan   the whole ctest suite again under ASan+UBSan (bindings included), build-asan/
#   tsan   the C++ and C ABI test binaries under ThreadSanitizer, build-tsan/
#   fuzz   every libFuzzer target for LLMROUTE_FUZZ_SECONDS (60) each, build-fuzz/
# LLMROUTE_CI_STAGES picks stages (default: all of them, in this order), e.g.
#   LLMROUTE_CI_STAGES=fast scripts/test.sh        LLMROUTE_CI_STAGES="asan tsan" ...
# Each stage's wall and CPU time (user+system, all cores) is printed at the end, also when
# one fails (the run stops there).
set -euo pipefail
cd "$(dirname "$0")/.."

all_stages=(fast asan tsan fuzz)
read -r -a stages <<<"${LLMROUTE_CI_STAGES:-${all_stages[*]}}"
for stage in "${stages[@]}"; do
  [[ -f scripts/ci/$stage.sh ]] || {
    echo "test.sh: unknown stage '$stage' (stages: ${all_stages[*]})" >&2; exit 2; }
done

timings=()
report() {
  local status=$?
  echo
  echo "test.sh: stage times (wall clock, $(nproc) cores):"
  printf '  %s\n' "${timings[@]}"
  [[ $status -eq 0 ]] && echo "test.sh: all passed" || echo "test.sh: FAILED (exit $status)"
  rm -f "$times_file"
}
trap report EXIT

times_file=$(mktemp)
cpu_seconds() {  # CPU_SECONDS VAR: user+system seconds of this shell's finished children
  times >"$times_file"  # (in this shell: a $(times) subshell has no children yet)
  printf -v "$1" '%s' "$(awk 'END { t = 0
    for (i = 1; i <= 2; ++i) { split($i, p, "m"); t += p[1] * 60 + p[2] }
    printf "%d", t }' "$times_file")"
}

clock() {  # clock NAME COMMAND...: runs it and records its wall and CPU time
  local name=$1 start=$SECONDS cpu_start cpu_end status=0
  cpu_seconds cpu_start
  shift
  echo "==== test.sh: $name"
  "$@" || status=$?
  cpu_seconds cpu_end
  local elapsed=$((SECONDS - start)) cpu=$((cpu_end - cpu_start))
  timings+=("$(printf '%-13s %3dm%02ds wall %4dm%02ds CPU%s' "$name" $((elapsed / 60)) \
    $((elapsed % 60)) $((cpu / 60)) $((cpu % 60)) "$([[ $status -eq 0 ]] || echo "  FAILED")")")
  return "$status"
}

clock install-deps bash scripts/install-deps.sh
for stage in "${stages[@]}"; do
  clock "$stage" bash "scripts/ci/$stage.sh"
done
