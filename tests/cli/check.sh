# `llmroute check`: compiler-style diagnostics on stdout, exit 0 (clean or warnings
# only) or 1 (an error).
source "$(dirname "$0")/testlib.bash"

diagnostic_line() {  # FILE SEVERITY: the start of a `file:line:col: severity: ` line
  printf '^%s:[0-9]+:[0-9]+: %s: ' "$1" "$2"
}

case_ "a clean config prints nothing"
run check "$QUICKSTART"
expect_code 0
expect_stdout_empty
expect_stderr_empty

# One config in two files: the route in one, the backends it names in the other.
cat >"$WORK/route.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIGatewayRoute
metadata: {name: chat, namespace: team}
spec:
  rules:
    - matches:
        - headers: [{name: x-ai-eg-model, value: gpt-4o}]
      backendRefs: [{name: openai}]
  standardRoutingHeader:
    enabled: true
    allowedBackends: Explicit
    backends: [openai, anthropic]
YAML
cat >"$WORK/backends.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: openai, namespace: team}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: AIServiceBackend
metadata: {name: anthropic, namespace: team}
YAML

case_ "several files form one config"
run check "$WORK/route.yaml" "$WORK/backends.yaml"
expect_code 0
expect_stdout_empty
expect_stderr_empty

case_ "without the file that declares it, an allowlist entry names an unknown backend"
run check "$WORK/route.yaml"
expect_code 1
expect_stdout_matches "$(diagnostic_line "$WORK/route.yaml" error)"
expect_stdout_matches 'spec\.standardRoutingHeader\.backends'
expect_stderr_empty

case_ "warnings keep exit status 0 and name file, line and column"
cat >"$WORK/warnings.yaml" <<'YAML'
apiVersion: example.com/v1
kind: SomethingElse
metadata: {name: skipped}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: chat}
spec:
  rules:
    - matches:
        - headers: [{name: x-ai-eg-model, value: gpt-4o}]
      backendRefs: [{name: first}]
    - matches:
        - headers: [{name: x-ai-eg-model, value: gpt-4o}]
      backendRefs: [{name: second}]
  standardRoutingHeader:
    enabled: true
    backends: [first]
YAML
run check "$WORK/warnings.yaml"
expect_code 0
expect_stderr_empty
# The unknown kind is skipped, the second rule can never win (the first has the same match),
# and `backends` is read only with Explicit.
if [[ $(grep -Ec "$(diagnostic_line "$WORK/warnings.yaml" warning)" "$WORK/stdout") -ge 3 ]]; then
  pass
else
  fail "expected at least 3 warning lines"
fi
if grep -Ev "$(diagnostic_line "$WORK/warnings.yaml" warning)" "$WORK/stdout" | grep -q .; then
  fail "every stdout line should be a warning line"
else
  pass
fi
expect_stdout_matches 'SomethingElse'
expect_stdout_matches 'spec\.rules\[1\]'
expect_stdout_matches 'spec\.standardRoutingHeader'

case_ "an invalid regular expression is an error at its line"
cat >"$WORK/bad regex.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: chat}
spec:
  rules:
    - matches:
        - headers:
            - type: RegularExpression
              name: x-ai-eg-model
              value: "gpt-(4o"
      backendRefs: [{name: openai}]
YAML
run check "$WORK/bad regex.yaml"
expect_code 1
expect_stderr_empty
expect_stdout_matches "^$WORK/bad regex.yaml:10:[0-9]+: error: spec\\.rules\\[0\\]\\.matches\\[0\\]\\.headers\\[0\\]"
expect_stdout_matches 'regular expression'

case_ "a value of the wrong type is an error"
cat >"$WORK/bad type.yaml" <<'YAML'
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: chat}
spec:
  rules:
    - backendRefs:
        - name: openai
          weight: heavy
YAML
run check "$WORK/bad type.yaml"
expect_code 1
expect_stdout_matches "^$WORK/bad type.yaml:8:[0-9]+: error: .*weight"

case_ "loader warnings are printed before a compile error"
cat "$WORK/warnings.yaml" >"$WORK/warning then error.yaml"
printf -- '---\n' >>"$WORK/warning then error.yaml"
cat "$WORK/bad regex.yaml" >>"$WORK/warning then error.yaml"
run check "$WORK/warning then error.yaml"
expect_code 1
expect_stdout_matches "warning: .*SomethingElse"
if tail -n 1 "$WORK/stdout" | grep -q ': error: '; then pass; else fail "the error should be the last line"; fi
if [[ $(grep -c ': error: ' "$WORK/stdout") -eq 1 ]]; then pass; else fail "expected exactly one error line"; fi

case_ "a file that does not exist is an error"
run check "$WORK/missing.yaml"
expect_code 1
expect_stdout_matches 'missing\.yaml.*error: '

case_ "the standard-header options are accepted by check"
run check "$QUICKSTART" --standard-header=x-pick --allowed-backends=SameNamespace \
  --on-disallowed UseRules --model-header x-model
expect_code 0
expect_stderr_empty

finish
