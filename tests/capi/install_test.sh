#!/usr/bin/env bash
# Installs the build into a prefix inside the build tree, then builds tests/capi/consumer
# against it three ways (CMake package, pkg-config with the shared library, pkg-config
# --static with the archive) and routes a request with the standard header through each.
#
#   install_test.sh BUILD_DIR SOURCE_DIR C_COMPILER
set -euo pipefail
build=$1 source=$2 cc=$3
work="$build/install-test"
prefix="$work/prefix"
rm -rf "$work"
mkdir -p "$work"

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in include/llmroute.h include/llmroute/table.h lib/cmake/llmroute/llmrouteConfig.cmake \
         lib/pkgconfig/llmroute.pc lib/libllmroute.a; do
  [[ -f "$prefix/$f" ]] || { echo "not installed: $f"; exit 1; }
done
[[ -L "$prefix/lib/libllmroute.so" && -f "$prefix/lib/libllmroute.so.0" ]] || {
  echo "libllmroute.so and its soname link are not installed"; exit 1; }

config="$source/examples/quickstart.yaml"
check() {  # check PROGRAM: the standard header picks an allowed backend, refuses another
  local out
  out=$("$1" "$config" llama-cloud)
  [[ "$out" == "routed 200 via standard_header: default/llama-cloud (route default/quickstart)" ]] || {
    echo "$1: unexpected: $out"; exit 1; }
  out=$("$1" "$config" llama-local)
  [[ "$out" == "backend_not_allowed 400 via standard_header (route default/quickstart)" ]] || {
    echo "$1: unexpected: $out"; exit 1; }
  echo "ok: $1"
}

# 1. find_package(llmroute) → llmroute::llmroute
cmake -S "$source/tests/capi/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" >"$work/cmake-configure.log"
cmake --build "$work/cmake-build" >"$work/cmake-build.log"
check "$work/cmake-build/route"

# 2. pkg-config, shared library
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
libdir=$(pkg-config --variable=libdir llmroute)
# shellcheck disable=SC2046
"$cc" -std=c99 -Wall -Werror "$source/tests/capi/consumer/route.c" -o "$work/route-pkgconfig" \
  $(pkg-config --cflags --libs llmroute) -Wl,-rpath,"$libdir"
check "$work/route-pkgconfig"

# 3. pkg-config --static, the archive and its dependencies
# shellcheck disable=SC2046
"$cc" -std=c99 -Wall -Werror "$source/tests/capi/consumer/route.c" -o "$work/route-static" \
  $(pkg-config --cflags llmroute) "$libdir/libllmroute.a" \
  $(pkg-config --static --libs llmroute | sed 's/-lllmroute\b//')
if ldd "$work/route-static" | grep -q libllmroute; then
  echo "route-static links libllmroute.so"; exit 1
fi
check "$work/route-static"
