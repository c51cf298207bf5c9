# `llmroute models`: the models of exact x-ai-eg-model matches as one JSON line, in the
# shape of OpenAI's /v1/models; with --host, only the routes that apply to that host.
source "$(dirname "$0")/testlib.bash"

case_ "the quickstart's models, in rule order, exact text"
run models "$QUICKSTART"
expect_code 0
expect_stderr_empty
expect_stdout_equals '{"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model", "created": 0, "owned_by": "Envoy AI Gateway"}, {"id": "llama-3-70b", "object": "model", "created": 0, "owned_by": "Envoy AI Gateway"}]}'

case_ "a config without model matches has an empty list"
cat >"$WORK/no-models.yaml" <<'YAML'
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  rules:
    - matches: [{path: {type: PathPrefix, value: /v1}}]
      backendRefs: [{name: web}]
YAML
run models "$WORK/no-models.yaml"
expect_code 0
expect_stdout_equals '{"object": "list", "data": []}'

case_ "model names are JSON-escaped"
cat >"$WORK/odd-models.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: odd}
spec:
  rules:
    - matches:
        - headers: [{name: x-ai-eg-model, value: "say \"hi\"\\ \u00e9"}]
      backendRefs: [{name: b}]
YAML
run models "$WORK/odd-models.yaml"
expect_code 0
expect_json 'd == {"object": "list", "data": [{"id": "say \"hi\"\\ \u00e9", "object": "model", "created": 0, "owned_by": "Envoy AI Gateway"}]}'

cat >"$WORK/hosts.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: llm, namespace: ai, creationTimestamp: "2024-05-01T00:00:00Z"}
spec:
  hostnames: [llm.example.com]
  rules:
    - modelsOwnedBy: OpenAI
      modelsCreatedAt: "2024-05-13T00:00:00+02:00"
      matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
      backendRefs: [{name: openai}]
    - matches: [{headers: [{name: x-ai-eg-model, value: llama}]}]
      backendRefs: [{name: vllm}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: wild, namespace: ai}
spec:
  hostnames: ["*.example.com"]
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: mistral}]}]
      backendRefs: [{name: mistral}]
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: any, namespace: ai}
spec:
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
      backendRefs: [{name: openai}]
YAML

case_ "modelsOwnedBy and modelsCreatedAt, else the route's creationTimestamp, else 0; de-duplicated in route order"
run models "$WORK/hosts.yaml"
expect_code 0
expect_stdout_equals '{"object": "list", "data": [{"id": "gpt-4o", "object": "model", "created": 0, "owned_by": "Envoy AI Gateway"}, {"id": "mistral", "object": "model", "created": 0, "owned_by": "Envoy AI Gateway"}, {"id": "llama", "object": "model", "created": 1714521600, "owned_by": "Envoy AI Gateway"}]}'

case_ "--host: the exact hostname's routes only (port, trailing dot and case do not matter)"
run models "$WORK/hosts.yaml" --host LLM.example.com.:8443
expect_code 0
expect_stdout_equals '{"object": "list", "data": [{"id": "gpt-4o", "object": "model", "created": 1715551200, "owned_by": "OpenAI"}, {"id": "llama", "object": "model", "created": 1714521600, "owned_by": "Envoy AI Gateway"}]}'

case_ "--host: a wildcard hostname beats routes without hostnames"
run models "$WORK/hosts.yaml" --host=eu.example.com
expect_code 0
expect_json '[m["id"] for m in d["data"]] == ["mistral"]'

case_ "--host: no hostname matches, the routes without hostnames"
run models "$WORK/hosts.yaml" --host example.org
expect_code 0
expect_json '[m["id"] for m in d["data"]] == ["gpt-4o"]'

case_ "a config error exits 1, the error on stderr"
printf 'kind: LLMRoute\napiVersion: aigateway.envoyproxy.io/v1alpha1\nmetadata: {name: 5}\n' >"$WORK/bad.yaml"
run models "$WORK/bad.yaml"
expect_code 1
expect_stdout_empty
expect_stderr_matches ': error: '

finish
