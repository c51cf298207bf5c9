#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build and test llmroute from scratch.
# Idempotent: when every package is already installed it does not touch apt at all.
set -euo pipefail

packages=(
  # Build and test the library, the CLI and the benchmarks.
  build-essential cmake pkg-config git
  libabsl-dev libre2-dev libsimdjson-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3
  # The Lua and Python bindings, fuzzing and memory checks.
  # luajit2 is OpenResty's LuaJIT, the one libnginx-mod-http-lua links: Debian's plain
  # luajit package conflicts with it.
  luajit2 lua5.3 lua5.4 liblua5.3-dev liblua5.4-dev
  clang libclang-rt-14-dev valgrind
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
