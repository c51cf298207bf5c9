# `llmroute resolve` with request flags: one decision, one JSON line, exit 0 whatever it
# says; config errors exit 1.
source "$(dirname "$0")/testlib.bash"

MODEL_HEADER='x-ai-eg-model'
PICK_HEADER='x-ai-gateway-backend'

case_ "the decision line has exactly the documented fields, order and separators"
run resolve "$QUICKSTART" --header "$MODEL_HEADER: gpt-4o-mini" --entropy 0
expect_code 0
expect_stderr_empty
expect_stdout_equals '{"status": "routed", "http_status": 200, "via": "rule", "backend": {"namespace": "default", "name": "openai"}, "route": {"namespace": "default", "name": "quickstart"}, "rule": 0, "rule_name": null, "match": 0, "model": "gpt-4o-mini", "model_override": null, "fallbacks": [], "reason": null, "affinity": false, "panic": false, "retry": null}'

case_ "request flags also take --option=value"
run resolve "$QUICKSTART" "--header=$MODEL_HEADER:gpt-4o-mini" --entropy=7 --method=POST \
  --host=api.example.com --path=/v1/chat/completions
expect_code 0
expect_json 'd["status"] == "routed" and d["backend"] == name("default", "openai")'

case_ "--header trims spaces and tabs around the value; names are case-insensitive"
run resolve "$QUICKSTART" --header "X-AI-EG-Model: 	  gpt-4o-mini 	"
expect_json 'd["status"] == "routed" and d["model"] == "gpt-4o-mini"'

case_ "the weighted choice follows the entropy exactly as documented, fallbacks included"
for entropy in 0 1 2 3 42 12345 9223372036854775808 18446744073709551615; do
  run resolve "$QUICKSTART" --header "$MODEL_HEADER: llama-3-70b" --entropy "$entropy"
  expect_code 0
  expect_json "list(d) == DECISION_KEYS and d['status'] == 'routed' and d['rule'] == 1 and \
    d['backend'] == [name('default', 'llama-local'), name('default', 'llama-cloud')][splitmix_pick($entropy, [80, 20])] and \
    d['fallbacks'] == [[name('default', 'llama-cloud')], [name('default', 'llama-local')]][splitmix_pick($entropy, [80, 20])]"
done

case_ "no rule matches: no_route, exit 0, unknown things null"
run resolve "$QUICKSTART" --header "$MODEL_HEADER: gpt-5"
expect_code 0
expect_json 'list(d) == DECISION_KEYS and d["status"] == "no_route" and d["http_status"] == 404 and
  d["via"] is None and d["backend"] is None and d["route"] is None and d["rule"] is None and
  d["rule_name"] is None and d["match"] is None and d["model"] == "gpt-5" and
  d["model_override"] is None and d["fallbacks"] == [] and isinstance(d["reason"], str) and d["reason"]'

case_ "no request flags at all: GET / with no headers"
run resolve "$QUICKSTART"
expect_code 0
expect_json 'd["status"] == "no_route" and d["model"] is None'

case_ "the standard header picks an allowed backend"
run resolve "$QUICKSTART" --header "$PICK_HEADER: llama-cloud" --header "$MODEL_HEADER: gpt-4o-mini"
expect_json 'list(d) == DECISION_KEYS and d["status"] == "routed" and d["via"] == "standard_header" and
  d["backend"] == name("default", "llama-cloud") and d["route"] == name("default", "quickstart") and
  d["rule"] is None and d["match"] is None and d["fallbacks"] == [] and d["reason"] is None'
run resolve "$QUICKSTART" --header "$PICK_HEADER:  default/openai "
expect_json 'd["via"] == "standard_header" and d["backend"] == name("default", "openai")'

case_ "a disallowed and an unknown backend get the same answer"
run resolve "$QUICKSTART" --header "$PICK_HEADER: llama-local"
expect_code 0
expect_json 'd["status"] == "backend_not_allowed" and d["http_status"] == 400 and
  d["via"] == "standard_header" and d["route"] == name("default", "quickstart") and
  d["backend"] is None and d["fallbacks"] == [] and d["reason"]'
cp "$WORK/stdout" "$WORK/disallowed.json"
run resolve "$QUICKSTART" --header "$PICK_HEADER: llama-locak"
expect_json "(lambda a, b: {**a, 'reason': ''} == {**b, 'reason': ''})(d, json.load(open('$WORK/disallowed.json')))"

case_ "repeated --header keeps both values: conflicting standard header values"
run resolve "$QUICKSTART" --header "$PICK_HEADER: openai" --header "$PICK_HEADER: llama-cloud"
expect_code 0
expect_json 'd["status"] == "bad_request" and d["http_status"] == 400 and d["route"] is None and d["reason"]'

case_ "--body FILE: the body's model replaces the model header"
printf '{"model": "llama-3-70b", "messages": [{"role": "user", "content": "hi"}]}' >"$WORK/body.json"
run resolve "$QUICKSTART" --method POST --path /v1/chat/completions --body "$WORK/body.json" \
  --header "$MODEL_HEADER: gpt-4o-mini" --entropy 1
expect_code 0
expect_json 'd["status"] == "routed" and d["model"] == "llama-3-70b" and d["rule"] == 1'

case_ "--body - reads standard input"
run resolve "$QUICKSTART" --body - --entropy 1 <"$WORK/body.json"
expect_json 'd["status"] == "routed" and d["model"] == "llama-3-70b"'

case_ "a body that is not one JSON object is bad_request, model null"
for body in 'not json' '' '["model"]' '{"model": "gpt-4o-mini"} trailing' '{"model": "gpt-4o-mini"'; do
  printf '%s' "$body" >"$WORK/bad-body.json"
  run resolve "$QUICKSTART" --body "$WORK/bad-body.json"
  expect_code 0
  expect_json 'd["status"] == "bad_request" and d["model"] is None and d["reason"]'
done

case_ "--max-body-size: a body of exactly that size is read, one byte more is bad_request"
printf '{"model": "llama-3-70b"}' >"$WORK/small-body.json"  # 24 bytes
run resolve "$QUICKSTART" --body "$WORK/small-body.json" --max-body-size 24 --entropy 0
expect_code 0
expect_json 'd["status"] == "routed" and d["model"] == "llama-3-70b"'
run resolve "$QUICKSTART" --body "$WORK/small-body.json" --max-body-size=23
expect_code 0
expect_json 'd["status"] == "bad_request" and d["http_status"] == 400 and
  d["reason"] == "body is larger than the max body size of 23 bytes"'
run explain "$QUICKSTART" --body "$WORK/small-body.json" --max-body-size 23
expect_code 0
expect_stdout_matches 'max body size of 23 bytes'

case_ "--max-body-size must be an integer from 1 to 4294967295, and only for requests"
for bad in 0 -1 abc 4294967296 ''; do
  run resolve "$QUICKSTART" --max-body-size "$bad"
  expect_code 2
  expect_stderr_matches 'max-body-size'
done
run check "$QUICKSTART" --max-body-size 10
expect_code 2
expect_stderr_matches 'does not apply to check'

case_ "a body file that cannot be read is a usage error"
run resolve "$QUICKSTART" --body "$WORK/no-such-body.json"
expect_code 2
expect_stdout_empty
expect_stderr_matches 'no-such-body\.json'

case_ "a config error exits 1 with the error line on stderr and nothing on stdout"
printf 'apiVersion: aigateway.envoyproxy.io/v1alpha1\nkind: LLMRoute\nmetadata: {name: x}\nspec:\n  rules: 3\n' >"$WORK/broken.yaml"
run resolve "$WORK/broken.yaml" --header "$MODEL_HEADER: gpt-4o-mini"
expect_code 1
expect_stdout_empty
expect_stderr_matches "^$WORK/broken.yaml:5:[0-9]+: error: spec\\.rules"
run resolve "$WORK/no-such-config.yaml"
expect_code 1
expect_stdout_empty
expect_stderr_matches 'no-such-config\.yaml.*error: '

finish
