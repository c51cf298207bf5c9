# `llmroute headers`: the request headers the gateway owns, one lower-cased name a line.
source "$(dirname "$0")/testlib.bash"

case_ "the quickstart owns the model header and its standard header"
run headers "$QUICKSTART"
expect_code 0
expect_stderr_empty
expect_stdout_equals 'x-ai-eg-model
x-ai-gateway-backend'

case_ "compile options add their names, lower-cased, each once"
run headers "$QUICKSTART" --model-header X-Model --standard-header=X-Pick
expect_code 0
expect_stdout_equals 'x-model
x-pick
x-ai-gateway-backend'

case_ "a config error exits 1, the error on stderr"
printf 'kind: LLMRoute\napiVersion: aigateway.envoyproxy.io/v1alpha1\nmetadata: {name: 5}\n' >"$WORK/bad.yaml"
run headers "$WORK/bad.yaml"
expect_code 1
expect_stdout_empty
expect_stderr_matches ': error: '

finish
