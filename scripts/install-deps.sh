#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build and test llmroute from scratch.
# Idempotent: when every package is already installed it does not touch apt at all.
set -euo pipefail

packages=(
  # Build and test the library, the CLI and the benchmarks.
  build-essential cmake pkg-config git
  libabsl-dev libre2-dev libsimdjson-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pip python3-setuptools python3-wheel
  # The Lua and Python bindings, fuzzing and memory checks.
  # luajit2 is OpenResty's LuaJIT, the one libnginx-mod-http-lua links: Debian's plain
  # luajit package conflicts with it.
  luajit2 lua5.3 lua5.4 liblua5.3-dev liblua5.4-dev
  clang libclang-rt-14-dev valgrind
  # The proxy examples and their end-to-end tests (which run their own instances on
  # loopback ports); wrk for scripts/proxy-bench.sh.
  nginx libnginx-mod-http-lua lua-resty-core haproxy wrk
)

# The distribution's nginx and haproxy services must not run: the examples start their
# own, and a system daemon would hold port 80. Installing them starts nothing (a
# policy-rc.d that refuses every start, while apt runs); this stops any that run anyway.
stop_system_proxies() {
  for service in nginx haproxy; do
    if [[ -x /etc/init.d/$service ]] && "${as_root[@]}" /etc/init.d/$service status >/dev/null 2>&1; then
      "${as_root[@]}" /etc/init.d/$service stop >/dev/null 2>&1 || true
    fi
  done
}

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$package")
  fi
done

as_root=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if [[ $(id -u) -ne 0 && ${#as_root[@]} -eq 0 ]]; then
  echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi

policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  own_policy=1
fi
remove_policy() { if [[ $own_policy -eq 1 ]]; then "${as_root[@]}" rm -f "$policy"; fi; }
trap remove_policy EXIT

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
stop_system_proxies
