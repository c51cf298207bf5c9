#!/usr/bin/env bash
# Installs the build into a prefix inside the build tree, then consumes it as a user would:
#   - a C program (tests/capi/consumer/route.c) through the CMake package (llmroute::c),
#     pkg-config llmroute (the shared library) and pkg-config --static llmroute (the archive);
#   - a C++ program (route.cc) through the CMake package (llmroute::cpp) and pkg-config
#     llmroute-cpp;
#   - the Python package, pip-installed into a folder, and the Lua modules, loading the
#     installed library;
# each routes a request with the standard header, and every binding reports the project's
# version.
#
#   install_test.sh BUILD_DIR SOURCE_DIR C_COMPILER CXX_COMPILER PYTHON VERSION
set -euo pipefail
build=$(cd "$1" && pwd) source=$(cd "$2" && pwd) cc=$3 cxx=$4 python=$5 version=$6
work="$build/install-test"
prefix="$work/prefix"
rm -rf "$work"
mkdir -p "$work"

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in include/llmroute/c.h include/llmroute/version.h include/llmroute/llmroute.h \
         include/llmroute/table.h lib/cmake/llmroute/llmrouteConfig.cmake \
         lib/cmake/llmroute/FindRE2.cmake lib/pkgconfig/llmroute.pc \
         lib/pkgconfig/llmroute-cpp.pc lib/libllmroute.a lib/libllmroute_cpp.a \
         share/lua/5.1/llmroute.lua; do
  [[ -f "$prefix/$f" ]] || { echo "not installed: $f"; exit 1; }
done
[[ ! -e "$prefix/include/llmroute.h" ]] || { echo "the C header is llmroute/c.h, not llmroute.h"; exit 1; }
[[ -L "$prefix/lib/libllmroute.so" && -f "$prefix/lib/libllmroute.so.0" ]] || {
  echo "libllmroute.so and its soname link are not installed"; exit 1; }

config="$source/examples/quickstart.yaml"
check() {  # check PROGRAM: the standard header picks an allowed backend, refuses another
  local out
  out=$("$@" "$config" llama-cloud)
  [[ "$out" == "routed 200 via standard_header: default/llama-cloud (route default/quickstart)" ]] || {
    echo "$*: unexpected: $out"; exit 1; }
  out=$("$@" "$config" llama-local)
  [[ "$out" == "backend_not_allowed 400 via standard_header (route default/quickstart)" ]] || {
    echo "$*: unexpected: $out"; exit 1; }
  echo "ok: $*"
}
consumer="$source/tests/capi/consumer"

# 1. find_package(llmroute) → llmroute::c (C) and llmroute::cpp (C++)
cmake -S "$consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >"$work/cmake-configure.log"
cmake --build "$work/cmake-build" >"$work/cmake-build.log"
check "$work/cmake-build/route"
check "$work/cmake-build/route_cpp"
if ldd "$work/cmake-build/route_cpp" | grep -q libllmroute; then
  echo "route_cpp links libllmroute.so (llmroute::cpp is the static C++ library)"; exit 1
fi

# 2. pkg-config llmroute, shared library
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[[ "$(pkg-config --modversion llmroute)" == "$version" ]] || { echo "llmroute.pc version"; exit 1; }
libdir=$(pkg-config --variable=libdir llmroute)
# shellcheck disable=SC2046
"$cc" -std=c99 -Wall -Werror "$consumer/route.c" -o "$work/route-pkgconfig" \
  $(pkg-config --cflags --libs llmroute) -Wl,-rpath,"$libdir"
check "$work/route-pkgconfig"

# 3. pkg-config --static llmroute, the archive and its dependencies
# shellcheck disable=SC2046
"$cc" -std=c99 -Wall -Werror "$consumer/route.c" -o "$work/route-static" \
  $(pkg-config --cflags llmroute) "$libdir/libllmroute.a" \
  $(pkg-config --static --libs llmroute | sed 's/-lllmroute\b//')
if ldd "$work/route-static" | grep -q libllmroute; then
  echo "route-static links libllmroute.so"; exit 1
fi
check "$work/route-static"

# 4. pkg-config llmroute-cpp, the C++ library and its dependencies
[[ "$(pkg-config --modversion llmroute-cpp)" == "$version" ]] || {
  echo "llmroute-cpp.pc version"; exit 1; }
# shellcheck disable=SC2046
"$cxx" -std=c++20 -Wall -Werror "$consumer/route.cc" -o "$work/route-cpp-pkgconfig" \
  $(pkg-config --cflags --libs llmroute-cpp)
check "$work/route-cpp-pkgconfig"

# 5. Python: pip install --no-build-isolation (offline, the interpreter's own setuptools)
# from a copy of the sources (the build writes next to them), into a folder.
ok_python=""
for candidate in "$python" python3 /usr/bin/python3; do
  if "$candidate" -c "import setuptools, wheel, pip" 2>/dev/null; then ok_python=$candidate; break; fi
done
[[ -n "$ok_python" ]] || {
  echo "no Python with pip, setuptools and wheel (Debian: python3-pip python3-setuptools python3-wheel)"
  exit 1; }
mkdir -p "$work/python-src/bindings"
cp "$source/CMakeLists.txt" "$work/python-src/"
cp -r "$source/bindings/python" "$work/python-src/bindings/"
rm -rf "$work/python-src/bindings/python/build" "$work/python-src/bindings/python/"*.egg-info
PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$ok_python" -m pip install --quiet \
  --no-build-isolation --target "$work/python" "$work/python-src/bindings/python" \
  >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
python_route='
import importlib.metadata, os, sys
import llmroute
assert llmroute.__file__.startswith(os.environ["TARGET"]), llmroute.__file__
version = os.environ["VERSION"]
assert llmroute.version() == version, llmroute.version()
assert llmroute.__version__ == version, llmroute.__version__
assert importlib.metadata.version("llmroute") == version, importlib.metadata.version("llmroute")
d = llmroute.Router.from_file(sys.argv[1]).resolve(
    method="POST", path="/v1/chat/completions",
    headers={"x-ai-eg-model": "llama-3-70b", "x-ai-gateway-backend": "llama-cloud"})
assert (d.status, str(d.backend)) == ("routed", "default/llama-cloud"), d
prefix = os.path.realpath(os.environ["PREFIX"])
with open("/proc/self/maps") as maps:
    loaded = {line.split()[-1] for line in maps if "libllmroute" in line}
assert loaded and all(os.path.realpath(p).startswith(prefix + "/") for p in loaded), loaded
print("ok: python", llmroute.library_path())
'
run_python() {
  (cd "$work" && env -u LLMROUTE_LIBRARY PYTHONPATH="$work/python" PYTHONDONTWRITEBYTECODE=1 \
     TARGET="$work/python" PREFIX="$prefix" VERSION="$version" "$@" \
     "$ok_python" -c "$python_route" "$config")
}
run_python LLMROUTE_LIBRARY="$prefix/lib"                  # the variable: a folder
run_python LLMROUTE_LIBRARY="$prefix/lib/libllmroute.so.0" # or the file
run_python LD_LIBRARY_PATH="$prefix/lib"                   # the soname, on the library path

# 6. Lua: the installed LuaJIT FFI module and Lua C modules, on the installed library.
lua_version='local l = require "llmroute"
assert(l.version() == os.getenv("VERSION"), l.version())
assert(l._VERSION == l.version(), l._VERSION)
local r = assert(l.from_file(os.getenv("CONFIG")))
local d = assert(r:resolve({ method = "POST", headers = {
  ["x-ai-eg-model"] = "llama-3-70b", ["x-ai-gateway-backend"] = "llama-cloud" } }))
assert(d.status == "routed" and d.backend.name == "llama-cloud", d.status)
print("ok: " .. ((jit and jit.version) or _VERSION))'
if command -v luajit >/dev/null; then
  LD_LIBRARY_PATH="$prefix/lib" VERSION="$version" CONFIG="$config" \
    LUA_PATH="$prefix/share/lua/5.1/?.lua" luajit -e "$lua_version"
fi
for v in 5.3 5.4; do
  if command -v "lua$v" >/dev/null && [[ -f "$prefix/lib/lua/$v/llmroute.so" ]]; then
    LD_LIBRARY_PATH="$prefix/lib" VERSION="$version" CONFIG="$config" \
      env "LUA_CPATH_${v/./_}=$prefix/lib/lua/$v/?.so" "lua$v" -e "$lua_version"
  fi
done
