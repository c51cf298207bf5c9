#!/usr/bin/env bash
# Throughput of routing in nginx and HAProxy: llmroute against the proxy's own lookup
# table, both answering `return 200` with the chosen backend's name, 1,000 models.
#
#   bash scripts/proxy-bench.sh [SECONDS [ROUNDS]]   (default 10 s a run, 3 rounds; needs
#       wrk, nginx with its Lua module, haproxy, and a build/ with llmroute_c and
#       llmroute_lua53)
#
# Rows: nginx `map $http_x_ai_eg_model` | llmroute in set_by_lua (same `return 200`) |
# llmroute in the access phase (Lua answers) with the model in a header | the same with
# the model in a ~300-byte JSON body (what reading the body costs). HAProxy likewise: `map`
# converter | llmroute action | the action reading the body (option http-buffer-request).
# One worker process or thread each; wrk with one thread and 32 connections, every request
# naming the next of the 1,000 models. Not a CI test: the numbers depend on the machine.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}
rounds=${2:-3}
library=$repo/build/capi/libllmroute.so.0
cmodule=$repo/build/bindings/lua/5.3
for tool in wrk nginx haproxy; do
  command -v $tool >/dev/null || { echo "proxy-bench: $tool is not installed" >&2; exit 1; }
done
[[ -e $library && -e $cmodule/llmroute.so ]] ||
  { echo "proxy-bench: build llmroute_c and llmroute_lua53 first" >&2; exit 1; }

work=$(mktemp -d /tmp/llmroute-proxy-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# 1,000 models, each its own rule and backend; the same as nginx and HAProxy maps.
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
n = 1000
with open(f"{work}/routes.yaml", "w") as f:
    f.write("apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: AIGatewayRoute\n"
            "metadata: {name: bench}\nspec:\n  rules:\n")
    for i in range(n):
        f.write(f"    - matches: [{{headers: [{{name: x-ai-eg-model, value: model-{i}}}]}}]\n"
                f"      backendRefs: [{{name: backend-{i}}}]\n")
with open(f"{work}/nginx-map.conf", "w") as f:
    f.write("map $http_x_ai_eg_model $backend {\n    default no_route;\n")
    for i in range(n):
        f.write(f"    model-{i} backend-{i};\n")
    f.write("}\n")
with open(f"{work}/haproxy.map", "w") as f:
    for i in range(n):
        f.write(f"model-{i} default.backend-{i}\n")
with open(f"{work}/backends.txt", "w") as f:
    f.write("")
PY

# wrk: the next model each request, in the header or in a chat-completions body.
cat >"$work/header.lua" <<'WRK_LUA'
local i = 0
request = function()
  i = (i + 1) % 1000
  return wrk.format("GET", "/v1/chat/completions", { ["x-ai-eg-model"] = "model-" .. i })
end
WRK_LUA
cat >"$work/body.lua" <<'WRK_LUA'
local i = 0
local tail = '", "messages": [{"role": "system", "content": "You are a helpful assistant."}, '
  .. '{"role": "user", "content": "Summarise the following paragraph in one sentence, '
  .. 'keeping every number it mentions."}], "temperature": 0.2, "max_tokens": 256}'
request = function()
  i = (i + 1) % 1000
  return wrk.format("POST", "/v1/chat/completions",
                    { ["Content-Type"] = "application/json" }, '{"model": "model-' .. i .. tail)
end
WRK_LUA

wait_port() {
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "proxy-bench: nothing listens on $1" >&2; exit 1
}

# The CPU time (user + system, in clock ticks) process $1 has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run NAME PORT SCRIPT PID: one wrk run against the proxy process PID; keeps the best of
# the rounds for NAME. Besides wrk's figures, the proxy's CPU time per request: on a
# shared machine it moves much less than the request rate.
declare -A best_rps best_row
order=()
run() {
  local out rps p50 p99 count before after cpu
  before=$(cpu_ticks "$4")
  out=$(wrk -t1 -c32 -d"${seconds}s" --latency -s "$work/$3" "http://127.0.0.1:$2/")
  after=$(cpu_ticks "$4")
  if grep -q "Non-2xx" <<<"$out"; then echo "proxy-bench: $1 answered non-2xx:" >&2; echo "$out" >&2; exit 1; fi
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
  count=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  cpu=$(awk -v t=$((after - before)) -v n="$count" -v hz="$(getconf CLK_TCK)" \
          'BEGIN {printf "%.1f", t / hz / n * 1e6}')
  echo "$1: $rps req/s, p50 $p50, p99 $p99, $cpu µs CPU a request" >&2
  [[ -v "best_rps[$1]" ]] || order+=("$1")
  if [[ ! -v "best_rps[$1]" ]] || (( rps > best_rps[$1] )); then
    best_rps[$1]=$rps
    best_row[$1]="| $1 | $rps | $p50 | $p99 | $cpu |"
  fi
}

# --- nginx -------------------------------------------------------------------------
nginx_port=$(free_port)
cat >"$work/nginx.conf" <<NGINX_CONF
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
$( [[ $(id -u) -eq 0 ]] && echo "user root;" )
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
daemon off;
env LLMROUTE_LIBRARY;
events { worker_connections 1024; }
http {
    access_log off;
    lua_package_path "$repo/bindings/lua/?.lua;$repo/examples/gateway/?.lua;$repo/examples/nginx/?.lua;;";
    init_by_lua_block {
        require("llmroute_nginx").configure { routes = "$work/routes.yaml",
                                              backends = "$work/backends.txt" }
    }
    include $repo/examples/nginx/llmroute.conf;
    include $work/nginx-map.conf;
    server {
        listen 127.0.0.1:$nginx_port;
        client_body_buffer_size 1m;
        location = /map/v1/chat/completions { return 200 \$backend; }
        location = /llmroute/v1/chat/completions {
            set_by_lua_block \$llmroute_backend { return require("llmroute_nginx").route_only() }
            return 200 \$llmroute_backend;
        }
        location = /access/v1/chat/completions {
            access_by_lua_block {
                ngx.print(require("llmroute_nginx").route_only(true))
                return ngx.exit(200)
            }
        }
    }
}
NGINX_CONF
# The wrk scripts' path is /v1/...: one server, the location chosen by a prefix.
for s in header body; do
  for p in map llmroute access; do
    sed "s|\"/v1/chat/completions\"|\"/$p/v1/chat/completions\"|" "$work/$s.lua" >"$work/$s-$p.lua"
  done
done
LLMROUTE_LIBRARY=$library nice nginx -p "$work/" -c nginx.conf -e "$work/nginx-error.log" &
pids+=($!)
wait_port "$nginx_port"
nginx_worker=$(pgrep -P "${pids[-1]}")

# --- HAProxy -----------------------------------------------------------------------
haproxy_port=$(free_port)
cat >"$work/haproxy.cfg" <<HAPROXY_CFG
global
    nbthread 1
    lua-prepend-path $cmodule/?.so cpath
    lua-prepend-path $repo/examples/gateway/?.lua
    setenv LLMROUTE_ROUTES $work/routes.yaml
    lua-load-per-thread $repo/examples/haproxy/llmroute_haproxy.lua
    tune.bufsize 65536
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend bench
    bind 127.0.0.1:$haproxy_port
    option http-buffer-request
    acl map path_beg /map/
    acl llmroute path_beg /llmroute/
    http-request set-var(txn.llmroute_backend) req.hdr(x-ai-eg-model),map($work/haproxy.map) if map
    http-request lua.llmroute_route_only headers if llmroute
    http-request lua.llmroute_route_only body if !map !llmroute
    http-request return status 200 content-type text/plain lf-string "%[var(txn.llmroute_backend)]"
HAPROXY_CFG
for s in header body; do
  for p in map llmroute body; do
    sed "s|\"/v1/chat/completions\"|\"/$p/v1/chat/completions\"|" "$work/$s.lua" >"$work/hap-$s-$p.lua"
  done
done
nice haproxy -db -f "$work/haproxy.cfg" &
pids+=($!)
wait_port "$haproxy_port"
haproxy_pid=${pids[-1]}

# Interleaved rounds, the best of each: on a shared machine the best run is the one
# least disturbed by others.
for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  run "nginx map (header)" "$nginx_port" header-map.lua "$nginx_worker"
  run "nginx llmroute, set_by_lua (header)" "$nginx_port" header-llmroute.lua "$nginx_worker"
  run "nginx llmroute, access phase (header)" "$nginx_port" header-access.lua "$nginx_worker"
  run "nginx llmroute, access phase (body)" "$nginx_port" body-access.lua "$nginx_worker"
  run "HAProxy map (header)" "$haproxy_port" hap-header-map.lua "$haproxy_pid"
  run "HAProxy llmroute action (header)" "$haproxy_port" hap-header-llmroute.lua "$haproxy_pid"
  run "HAProxy llmroute action (body)" "$haproxy_port" hap-body-body.lua "$haproxy_pid"
done

echo
echo "| configuration (best of $rounds runs of ${seconds} s) | req/s | p50 | p99 | proxy CPU µs a request |"
echo "|---|---:|---:|---:|---:|"
for name in "${order[@]}"; do echo "${best_row[$name]}"; done
