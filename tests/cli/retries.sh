# Retries: the decision's `retry`, `llmroute next`, explain's retry lines, and retry config
# errors as `check` prints them.
source "$(dirname "$0")/testlib.bash"

RETRY="$SOURCE_DIR/tests/data/shared_cases_retry.yaml"

case_ "resolve ends the decision with the rule's retry policy"
run resolve "$RETRY" --header 'x-ai-eg-model: gpt-4o'
expect_code 0
expect_json 'list(d) == DECISION_KEYS and d["backend"] == name("team", "openai") and
  d["retry"] == {"codes": [429, 503], "attempts": 2, "backoff_ms": 100}'

case_ "an empty retry section is the defaults"
run resolve "$RETRY" --header 'x-ai-eg-model: llama' --entropy 0
expect_json 'd["retry"] == {"codes": [], "attempts": 1, "backoff_ms": 0}'

case_ "a rule without retry, the standard header and no_backend carry none"
run resolve "$RETRY" --header 'x-ai-eg-model: mistral'
expect_json 'd["status"] == "routed" and d["retry"] is None'
run resolve "$RETRY" --header 'x-ai-gateway-backend: azure'
expect_json 'd["via"] == "standard_header" and d["retry"] is None'
run resolve "$RETRY" --header 'x-ai-eg-model: retired'
expect_json 'd["status"] == "no_backend" and d["rule"] == 4 and d["retry"] is None'

case_ "next: a listed status moves to the next tier with its model override"
run next "$RETRY" --header 'x-ai-eg-model: gpt-4o' --attempt 1 --status 503
expect_code 0
expect_stderr_empty
expect_stdout_equals '{"decision": {"status": "routed", "http_status": 200, "via": "rule", "backend": {"namespace": "team", "name": "openai"}, "route": {"namespace": "team", "name": "retry"}, "rule": 0, "rule_name": "gpt", "match": 0, "model": "gpt-4o", "model_override": "gpt-4o-2024-08-06", "fallbacks": [{"namespace": "team", "name": "azure"}, {"namespace": "team", "name": "backup"}], "reason": null, "affinity": false, "panic": false, "retry": {"codes": [429, 503], "attempts": 2, "backoff_ms": 100}}, "next": {"backend": {"namespace": "team", "name": "azure"}, "model_override": "gpt-4o-azure"}}'

case_ "next: the decision is exactly what resolve prints"
run resolve "$RETRY" --header 'x-ai-eg-model: gpt-4o'
RESOLVED=$(cat "$WORK/stdout")
run next "$RETRY" --header 'x-ai-eg-model: gpt-4o' --attempt=2 --status=0
expect_json "d['decision'] == json.loads('''$RESOLVED''') and
  d['next'] == {'backend': name('team', 'backup'), 'model_override': None}"

case_ "next: an unlisted status, exhausted attempts or fallbacks, no policy: null"
run next "$RETRY" --header 'x-ai-eg-model: gpt-4o' --attempt 1 --status 500
expect_json 'list(d) == ["decision", "next"] and d["next"] is None'
run next "$RETRY" --header 'x-ai-eg-model: gpt-4o' --attempt 3 --status 0
expect_json 'd["next"] is None'
run next "$RETRY" --header 'x-ai-eg-model: qwen' --attempt 2 --status 502
expect_json 'd["decision"]["retry"]["attempts"] == 3 and d["next"] is None'
run next "$RETRY" --header 'x-ai-eg-model: mistral' --attempt 1 --status 0
expect_json 'd["decision"]["retry"] is None and d["next"] is None'
run next "$RETRY" --header 'x-ai-eg-model: unknown' --attempt 1 --status 0
expect_json 'd["decision"]["status"] == "no_route" and d["next"] is None'

case_ "next: the same backend at another priority under another model name"
printf 'apiVersion: aigateway.envoyproxy.io/v1beta1\nkind: AIGatewayRoute\nmetadata: {name: chat, namespace: ai}\nspec:\n  rules:\n  - backendRefs:\n    - {name: openai}\n    - {name: openai, priority: 1, modelNameOverride: gpt-4o-mini}\n    retry: {attempts: 1}\n' >"$WORK/same.yaml"
run next "$WORK/same.yaml" --attempt 1 --status 0
expect_code 0
expect_json 'd["decision"]["backend"] == name("ai", "openai") and d["decision"]["model_override"] is None and
  d["next"] == {"backend": name("ai", "openai"), "model_override": "gpt-4o-mini"}'

case_ "next: usage errors"
for args in "--status 503" "--attempt 1" "--attempt 0 --status 503" "--attempt x --status 503" \
            "--attempt 1 --status 99" "--attempt 1 --status 600" "--attempt 1 --status -1" \
            "--attempt 4294967296 --status 0" "--attempt 1 --status 0 --requests -"; do
  # shellcheck disable=SC2086
  run next "$RETRY" $args
  expect_code 2
  expect_stdout_empty
done
run resolve "$RETRY" --attempt 1
expect_code 2
expect_stderr_matches 'option --attempt does not apply to resolve'
run next "$RETRY" --attempt 1
expect_stderr_matches 'next: missing --status S'

case_ "explain names the policy and each retry's backend"
run explain "$RETRY" --header 'x-ai-eg-model: gpt-4o'
expect_code 0
expect_stdout_matches 'fallbacks team/azure \(model "gpt-4o-azure"\) team/backup$'
expect_stdout_matches '^retry: up to 2 retries after a connection failure or timeout or status 429, 503, backoff 100 ms$'
expect_stdout_matches '^  retry 1: team/azure with model "gpt-4o-azure"$'
expect_stdout_matches '^  retry 2: team/backup$'

case_ "check: retry errors name file, line, column and field"
printf 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n  - backendRefs: [{name: a}]\n    retry: {codes: [503, 503], backoff: 5x}\n' >"$WORK/bad.yaml"
run check "$WORK/bad.yaml"
expect_code 1
expect_stdout_equals "$WORK/bad.yaml:7:26: error: spec.rules[0].retry.codes[1]: retry code 503 is listed twice"
printf 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n  - backendRefs: [{name: a}]\n    retry: {backoff: 5x}\n' >"$WORK/bad.yaml"
run check "$WORK/bad.yaml"
expect_code 1
expect_stdout_matches 'bad.yaml:7:22: error: spec.rules\[0\].retry.backoff: backoff "5x" is not a Gateway API duration'

finish
