# --standard-header[=NAME], --allowed-backends, --on-disallowed: the standard routing
# header for routes that have no standardRoutingHeader section of their own.
source "$(dirname "$0")/testlib.bash"

# Route `chat` (no section of its own) sends gpt-4o to `a`; `b` is declared in the same
# namespace but in no rule; `c` lives in another namespace. Route `own` (for host
# own.example.com) has a section of its own that keeps the header off.
cat >"$WORK/config.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: chat, namespace: team}
spec:
  rules:
    - matches:
        - headers: [{name: x-ai-eg-model, value: gpt-4o}]
      backendRefs: [{name: a}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: own, namespace: team}
spec:
  hostnames: [own.example.com]
  rules:
    - backendRefs: [{name: a}]
  standardRoutingHeader: {enabled: false}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: b, namespace: team}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: c, namespace: other}
YAML
CONFIG="$WORK/config.yaml"

case_ "without --standard-header the header is ignored"
run resolve "$CONFIG" --header 'x-ai-gateway-backend: a'
expect_code 0
expect_json 'd["status"] == "no_route"'
run resolve "$CONFIG" --header 'x-ai-gateway-backend: b' --header 'x-ai-eg-model: gpt-4o'
expect_json 'd["status"] == "routed" and d["via"] == "rule" and d["backend"] == name("team", "a")'

case_ "--standard-header: RulesOnly and Reject by default"
run resolve "$CONFIG" --standard-header --header 'x-ai-gateway-backend: a'
expect_json 'd["status"] == "routed" and d["via"] == "standard_header" and
  d["backend"] == name("team", "a") and d["route"] == name("team", "chat")'
run resolve "$CONFIG" --standard-header --header 'x-ai-gateway-backend: team/a'
expect_json 'd["via"] == "standard_header" and d["backend"] == name("team", "a")'
run resolve "$CONFIG" --standard-header --header 'x-ai-gateway-backend: b' --header 'x-ai-eg-model: gpt-4o'
expect_json 'd["status"] == "backend_not_allowed" and d["via"] == "standard_header" and
  d["route"] == name("team", "chat") and d["backend"] is None'

case_ "--standard-header with an empty header value: the rules decide"
run resolve "$CONFIG" --standard-header --header 'x-ai-gateway-backend:   ' --header 'x-ai-eg-model: gpt-4o'
expect_json 'd["status"] == "routed" and d["via"] == "rule"'

case_ "--allowed-backends SameNamespace"
run resolve "$CONFIG" --standard-header --allowed-backends SameNamespace --header 'x-ai-gateway-backend: b'
expect_json 'd["status"] == "routed" and d["via"] == "standard_header" and d["backend"] == name("team", "b")'
run resolve "$CONFIG" --standard-header --allowed-backends=SameNamespace --header 'x-ai-gateway-backend: other/c'
expect_json 'd["status"] == "backend_not_allowed"'
run resolve "$CONFIG" --standard-header --allowed-backends RulesOnly --header 'x-ai-gateway-backend: b'
expect_json 'd["status"] == "backend_not_allowed"'

case_ "--on-disallowed UseRules lets the rules decide"
run resolve "$CONFIG" --standard-header --on-disallowed UseRules \
  --header 'x-ai-gateway-backend: b' --header 'x-ai-eg-model: gpt-4o'
expect_json 'd["status"] == "routed" and d["via"] == "rule" and d["backend"] == name("team", "a")'
run resolve "$CONFIG" --standard-header --on-disallowed=Reject \
  --header 'x-ai-gateway-backend: b' --header 'x-ai-eg-model: gpt-4o'
expect_json 'd["status"] == "backend_not_allowed"'

case_ "--standard-header=NAME reads that header instead"
run resolve "$CONFIG" --standard-header=x-pick --header 'x-pick: a'
expect_json 'd["status"] == "routed" and d["via"] == "standard_header"'
run resolve "$CONFIG" --standard-header=x-pick --header 'x-ai-gateway-backend: a'
expect_json 'd["status"] == "no_route"'

case_ "--standard-header takes no separate value: the next argument is a FILE"
run resolve --standard-header "$CONFIG" --header 'x-ai-gateway-backend: a'
expect_code 0
expect_json 'd["via"] == "standard_header"'

case_ "a route's own section wins over the options"
run resolve "$CONFIG" --standard-header --host own.example.com --header 'x-ai-gateway-backend: b'
expect_json 'd["status"] == "routed" and d["via"] == "rule" and d["route"] == name("team", "own")'

case_ "the policy options without --standard-header are accepted with a warning"
run resolve "$CONFIG" --allowed-backends SameNamespace --on-disallowed UseRules \
  --header 'x-ai-gateway-backend: b'
expect_code 0
expect_json 'd["status"] == "no_route"'
expect_stderr_matches 'warning: --allowed-backends has no effect without --standard-header'
expect_stderr_matches 'warning: --on-disallowed has no effect without --standard-header'

case_ "with JSON Lines too"
printf '%s\n' '{"headers": {"x-ai-gateway-backend": "b"}}' '{"headers": {"x-ai-gateway-backend": "a"}}' >"$WORK/picks.jsonl"
run resolve "$CONFIG" --standard-header --requests "$WORK/picks.jsonl"
expect_json '[l["status"] for l in lines] == ["backend_not_allowed", "routed"]'

finish
