# Session affinity and backend health through the CLI: --affinity-header,
# --affinity-body-field, --down, and "down" in request lines.
source "$(dirname "$0")/testlib.bash"

STICKY="$SOURCE_DIR/tests/data/shared_cases_affinity.yaml"

case_ "a key on the route's header decides: affinity true, fallbacks by score"
run resolve "$STICKY" --header 'x-ai-eg-model: chat' --header 'x-session: user-1' --entropy 0
expect_code 0
expect_json 'list(d) == DECISION_KEYS and d["backend"] == name("ns", "beta") and
  d["fallbacks"] == [name("ns", "gamma"), name("ns", "alpha"), name("ns", "spare")] and
  d["affinity"] is True and d["panic"] is False'

case_ "without a key the entropy decides: affinity false"
run resolve "$STICKY" --header 'x-ai-eg-model: chat' --entropy 0
expect_json 'd["backend"] == name("ns", "gamma") and d["affinity"] is False'

case_ "--down takes a backend out of the choice and the fallbacks"
run resolve "$STICKY" --header 'x-ai-eg-model: chat' --header 'x-session: user-3' --down ns/beta
expect_code 0
expect_json 'd["backend"] == name("ns", "alpha") and
  d["fallbacks"] == [name("ns", "gamma"), name("ns", "spare")] and d["panic"] is False'

case_ "--down on every backend: panic, the marks ignored"
run resolve "$STICKY" --header 'x-ai-eg-model: chat' --header 'x-session: user-1' \
  --down ns/alpha --down ns/beta --down=ns/gamma --down ns/spare
expect_json 'd["backend"] == name("ns", "beta") and d["panic"] is True and d["affinity"] is True'

case_ "--down with a bad name is a usage error"
run resolve "$STICKY" --down beta
expect_code 2
expect_stderr_matches "--down: 'beta' is not NAMESPACE/NAME"

case_ "--affinity-header gives routes without a sessionAffinity one"
run resolve "$QUICKSTART" --affinity-header X-User --header 'x-ai-eg-model: llama-3-70b' \
  --header 'x-user: u1'
expect_json 'd["status"] == "routed" and d["affinity"] is True'
run resolve "$QUICKSTART" --affinity-body-field user --body - <<<'{"model": "llama-3-70b", "user": "u"}'
expect_json 'd["status"] == "routed" and d["affinity"] is True'

case_ "affinity options: both, or a name that is not a token, are usage errors"
run resolve "$QUICKSTART" --affinity-header a --affinity-body-field b
expect_code 2
run resolve "$QUICKSTART" --affinity-header 'a b'
expect_code 2
expect_stderr_matches "not a valid header name"

case_ "request lines: down applies to its own line only; a bad down is a bad_request line"
printf '%s\n' \
  '{"headers": {"x-ai-eg-model": "chat", "x-session": "user-3"}, "down": ["ns/beta"]}' \
  '{"headers": {"x-ai-eg-model": "chat", "x-session": "user-3"}}' \
  '{"headers": {"x-ai-eg-model": "chat"}, "down": ["beta"]}' \
  '{"headers": {"x-ai-eg-model": "chat"}, "down": "ns/beta"}' \
  '{"headers": {"x-ai-eg-model": "chat"}, "down": null, "entropy": 0}' >"$WORK/lines.jsonl"
run resolve "$STICKY" --requests "$WORK/lines.jsonl"
expect_code 0
expect_stdout_matches '^\{"status": "routed".*"backend": \{"namespace": "ns", "name": "alpha"\}'
python3 - "$WORK/stdout" <<'PY' && pass || fail "request lines with down"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 5, lines
assert lines[0]["backend"]["name"] == "alpha" and lines[0]["fallbacks"][0]["name"] == "gamma"
assert lines[1]["backend"]["name"] == "beta", lines[1]
assert lines[2]["status"] == "bad_request" and "down[0]" in lines[2]["reason"], lines[2]
assert lines[3]["status"] == "bad_request" and "down must be an array" in lines[3]["reason"]
assert lines[4]["backend"]["name"] == "gamma"
PY

case_ "a sessionAffinity config error names file:line:col and the field"
printf '%s\n' 'apiVersion: gateway.networking.k8s.io/v1' 'kind: HTTPRoute' 'metadata: {name: r}' \
  'spec:' '  sessionAffinity: {header: "x y"}' '  rules: [{backendRefs: [{name: a}]}]' >"$WORK/bad.yaml"
run check "$WORK/bad.yaml"
expect_code 1
expect_stdout_matches 'bad.yaml:5:29: error: spec.sessionAffinity.header: sessionAffinity header "x y" is not a valid token'

finish
