# AIGatewayRoute backendRefs as Envoy AI Gateway's own manifests write them: a backend
# listed more than once, InferencePool references, header and body mutations.
source "$(dirname "$0")/testlib.bash"

cat >"$WORK/repeated.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: chat, namespace: ai}
spec:
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
      backendRefs:
        - {name: openai, weight: 0}
        - {name: openai, weight: 0}
        - name: openai
          headerMutation: {set: [{name: x-tier, value: gold}], remove: [x-debug]}
          bodyMutation: {set: [{path: service_tier, value: '"scale"'}], remove: [internal]}
        - {name: openai, weight: 2}
        - {name: openai, priority: 1, modelNameOverride: gpt-4o-mini}
    - matches: [{headers: [{name: x-ai-eg-model, value: llama}]}]
      backendRefs:
        - {name: vllm, group: inference.networking.k8s.io, kind: InferencePool}
YAML

case_ "check: a repeated identity is a warning at the later entry, weight-0 repeats are not"
run check "$WORK/repeated.yaml"
expect_code 0
expect_stdout_equals "$WORK/repeated.yaml:13:11: warning: spec.rules[0].backendRefs[3]: backend \"ai/openai\" at priority 0 is already listed at line 10: merged into that entry, weights added (its other fields are ignored)"

case_ "resolve: the same backend at priority 1 under another model name is the fallback; the JSON keeps its fields"
run resolve "$WORK/repeated.yaml" --header 'x-ai-eg-model: gpt-4o' --entropy 7
expect_code 0
expect_stdout_equals '{"status": "routed", "http_status": 200, "via": "rule", "backend": {"namespace": "ai", "name": "openai"}, "route": {"namespace": "ai", "name": "chat"}, "rule": 0, "rule_name": null, "match": 0, "model": "gpt-4o", "model_override": null, "fallbacks": [{"namespace": "ai", "name": "openai"}], "reason": null, "affinity": false, "panic": false, "retry": null}'

case_ "explain: the chosen entry's mutations, one line each, before the decision"
run explain "$WORK/repeated.yaml" --header 'x-ai-eg-model: gpt-4o' --entropy 7
expect_code 0
expect_stdout_matches '^mutation: set header x-tier: "gold"$'
expect_stdout_matches '^mutation: remove header x-debug$'
expect_stdout_matches '^mutation: set body field "service_tier" to "scale"$'
expect_stdout_matches '^mutation: remove body field "internal"$'
expect_stdout_matches '^decision: routed \(200\) backend ai/openai via rule'

case_ "explain: an InferencePool says so in the decision"
run explain "$WORK/repeated.yaml" --header 'x-ai-eg-model: llama'
expect_code 0
expect_stdout_matches '^decision: routed \(200\) backend ai/vllm \(InferencePool\) via rule'

cat >"$WORK/bad-kind.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: chat}
spec:
  rules:
    - backendRefs:
        - name: b
          group: gateway.envoyproxy.io
          kind: Backend
YAML

case_ "check: another group is an error naming the field"
run check "$WORK/bad-kind.yaml"
expect_code 1
expect_stdout_equals "$WORK/bad-kind.yaml:8:18: error: spec.rules[0].backendRefs[0].group: unsupported group \"gateway.envoyproxy.io\": a backendRef names a backend (no group and kind) or an InferencePool of inference.networking.k8s.io"

finish
