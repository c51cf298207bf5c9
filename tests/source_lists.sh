#!/usr/bin/env bash
# The build lists its sources by name (no globs): every source file in the tree is in its
# list, and every listed name is a file. A file missing from a list builds in one
# configuration and fails to link (or silently drops its tests) in another.
#   source_lists.sh PROJECT_DIR
set -u
root=${1:?usage: source_lists.sh PROJECT_DIR}
failed=0

# check LIST_FILE DIR DEPTH PATTERN LISTED...: the files named PATTERN in DIR (down to
# DEPTH levels, paths relative to DIR) are exactly LISTED.
check() {
  local list_file=$1 dir=$2 depth=$3 pattern=$4
  shift 4
  local on_disk listed
  on_disk=$(cd "$root/$dir" && find . -maxdepth "$depth" -name "$pattern" -type f |
    sed 's#^\./##' | sort)
  listed=$(printf '%s\n' "$@" | sort -u)
  local missing extra
  missing=$(comm -23 <(echo "$on_disk") <(echo "$listed") | sed '/^$/d')
  extra=$(comm -13 <(echo "$on_disk") <(echo "$listed") | sed '/^$/d')
  if [[ -n $missing ]]; then
    echo "$list_file does not list (in $dir/):"; sed 's/^/  /' <<<"$missing"; failed=1
  fi
  if [[ -n $extra ]]; then
    echo "$list_file lists files that are not in $dir/:"; sed 's/^/  /' <<<"$extra"; failed=1
  fi
}

# The names inside "set(NAME" / "add_executable(NAME" / "foreach(VAR" ... ")" of a file.
block() {
  local file=$1 opener=$2
  awk -v opener="$opener" '
    index($0, opener) == 1 { on = 1; $0 = substr($0, length(opener) + 1) }
    on { line = $0; done = sub(/\).*$/, "", line); print line; if (done) exit }
  ' "$root/$file" | tr -s ' \t' '\n' | sed '/^$/d'
}

# The library (src/sources.cmake; tests/fuzz compiles the same list).
mapfile -t lib < <(block src/sources.cmake 'set(LLMROUTE_CORE_SOURCES')
check src/sources.cmake src 9 '*.cc' "${lib[@]}"

# The CLI.
mapfile -t cli < <(block cli/CMakeLists.txt 'add_executable(llmroute_cli')
check cli/CMakeLists.txt cli 1 '*.cc' "${cli[@]}"

# The unit tests and the CLI's black-box tests.
mapfile -t unit < <(block tests/CMakeLists.txt 'add_executable(llmroute_tests')
check tests/CMakeLists.txt tests 1 '*_test.cc' "${unit[@]}"
mapfile -t cli_tests < <(block tests/CMakeLists.txt 'foreach(name' | sed 's/$/.sh/')
check tests/CMakeLists.txt tests/cli 1 '*.sh' "${cli_tests[@]}"

# The benchmarks: one binary per file, and capi_bench.
mapfile -t bench < <(block bench/CMakeLists.txt 'foreach(name' | sed 's/$/.cc/')
check bench/CMakeLists.txt bench 1 '*.cc' "${bench[@]}" capi_bench.cc

# The fuzz harnesses: NAME_fuzz.cc, each an executable of tests/fuzz/CMakeLists.txt.
mapfile -t fuzz < <(grep -oE '[a-z_]+_fuzz\.cc|foreach\(fuzzer[^)]*\)' "$root/tests/fuzz/CMakeLists.txt" |
  sed -E 's/^foreach\(fuzzer//; s/\)$//' | tr -s ' ' '\n' | sed '/^$/d; /\.cc$/!s/$/.cc/')
check tests/fuzz/CMakeLists.txt tests/fuzz 1 '*_fuzz.cc' "${fuzz[@]}"

if ((failed)); then exit 1; fi
echo "ok: every source is listed"
