# `llmroute models`: the models of exact x-ai-eg-model matches as one JSON line.
source "$(dirname "$0")/testlib.bash"

case_ "the quickstart's models, in rule order, exact text"
run models "$QUICKSTART"
expect_code 0
expect_stderr_empty
expect_stdout_equals '{"models": [{"model": "gpt-4o-mini", "route": {"namespace": "default", "name": "quickstart"}}, {"model": "llama-3-70b", "route": {"namespace": "default", "name": "quickstart"}}]}'

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
expect_stdout_equals '{"models": []}'

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
expect_json 'd == {"models": [{"model": "say \"hi\"\\ \u00e9", "route": {"namespace": "default", "name": "odd"}}]}'

case_ "a config error exits 1, the error on stderr"
printf 'kind: LLMRoute\napiVersion: aigateway.envoyproxy.io/v1alpha1\nmetadata: {name: 5}\n' >"$WORK/bad.yaml"
run models "$WORK/bad.yaml"
expect_code 1
expect_stdout_empty
expect_stderr_matches ': error: '

finish
