# `llmroute explain`: the decision retold for a person, one step per line.
source "$(dirname "$0")/testlib.bash"

case_ "explain names each candidate and each condition, met or not, with the value seen"
run explain "$QUICKSTART" --header 'x-ai-eg-model: llama-3-70b' --entropy 3
expect_code 0
expect_stderr_empty
expect_stdout_matches 'routes for this host, in route order: default/quickstart'
expect_stdout_matches 'x-ai-gateway-backend absent: passed over'
expect_stdout_matches '#1 default/quickstart rule 0 match 0: no'
expect_stdout_matches 'not met: header x-ai-eg-model Exact "gpt-4o-mini", seen "llama-3-70b"'
expect_stdout_matches '#2 default/quickstart rule 1 match 0: MATCHES'
expect_stdout_matches '^decision: routed \(200\) backend default/llama-local via rule'

case_ "explain gives the standard header's verdict"
run explain "$QUICKSTART" --header 'x-ai-gateway-backend: nope'
expect_code 0
expect_stdout_matches 'x-ai-gateway-backend = "nope": not allowed \(Reject\)'
expect_stdout_matches '^decision: backend_not_allowed \(400\)'

case_ "explain of a config error is the config error"
printf 'kind: LLMRoute\napiVersion: aigateway.envoyproxy.io/v1alpha1\nmetadata: {name: r}\nspec: {rules: [{matches: [{headers: [{type: RegularExpression, name: x, value: "(a"}]}]}]}\n' >"$WORK/bad.yaml"
run explain "$WORK/bad.yaml"
expect_code 1
expect_stderr_matches 'invalid regular expression'

finish
