#!/usr/bin/env bash
# Compatibility sweep (not part of CI): runs `llmroute check` on every manifest of an
# envoyproxy/ai-gateway checkout that holds an AIGatewayRoute or HTTPRoute, one file at a
# time, and prints one line per file:
#
#   ok    PATH                      compiles, no warnings
#   warn  PATH  N warnings: FIRST   compiles, with warnings (the first one shown)
#   FAIL  PATH  ERROR               does not compile (the error line)
#
# then a count of each. The README lists which files are expected to fail and why.
#
#   scripts/eaig-sweep.sh CHECKOUT            (LLMROUTE=path/to/llmroute to pick a binary)
set -euo pipefail

if [[ $# -ne 1 || ! -d $1 ]]; then
  echo "usage: $0 CHECKOUT   (a directory holding an envoyproxy/ai-gateway checkout)" >&2
  exit 2
fi
checkout=$(cd "$1" && pwd)
llmroute=${LLMROUTE:-$(cd "$(dirname "$0")/.." && pwd)/build/cli/llmroute}
if [[ ! -x $llmroute ]]; then
  echo "$0: no llmroute binary at $llmroute (build the llmroute_cli target or set LLMROUTE)" >&2
  exit 2
fi

ok=0 warned=0 failed=0
while IFS= read -r -d '' file; do
  grep -Eq '^[[:space:]]*kind:[[:space:]]*"?(AIGatewayRoute|HTTPRoute)"?[[:space:]]*$' "$file" || continue
  relative=${file#"$checkout"/}
  status=0
  output=$("$llmroute" check "$file" 2>&1) || status=$?
  # Diagnostics name the file by the path given; show it relative to the checkout.
  output=${output//"$file"/"$relative"}
  if [[ $status -ne 0 ]]; then
    failed=$((failed + 1))
    echo "FAIL  $relative  $(grep -m1 ': error: ' <<<"$output" || head -n1 <<<"$output")"
  elif [[ -n $output ]]; then
    warned=$((warned + 1))
    echo "warn  $relative  $(grep -c '' <<<"$output") warnings: $(head -n1 <<<"$output")"
  else
    ok=$((ok + 1))
    echo "ok    $relative"
  fi
done < <(find "$checkout" \( -name .git -o -name node_modules \) -prune -o \
           -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z)
echo "$ok ok, $warned with warnings, $failed failed"
