# Command-line errors: usage message on stderr, nothing on stdout, exit status 2.
# These are caught before any config is read.
source "$(dirname "$0")/testlib.bash"

expect_usage_error() {
  expect_code 2
  expect_stdout_empty
  expect_stderr_matches '^Usage:'
  [[ $# -gt 0 ]] && expect_stderr_matches "$1"
}

case_ "help is printed on stdout with exit status 0"
for help in --help -h help; do
  run $help
  expect_code 0
  expect_stdout_matches '^Usage:'
  expect_stdout_matches 'llmroute resolve FILE\.\.\. .*--requests FILE\|-'
  expect_stderr_empty
done
run resolve "$QUICKSTART" --help
expect_code 0
expect_stdout_matches '^Usage:'

case_ "no command"
run
expect_usage_error 'missing command'

case_ "unknown command"
run frobnicate "$QUICKSTART"
expect_usage_error "unknown command 'frobnicate'"

case_ "unknown option"
run check "$QUICKSTART" --frobnicate
expect_usage_error "unknown option '--frobnicate'"
run check -x "$QUICKSTART"
expect_usage_error "unknown option '-x'"

case_ "missing FILE"
for command in check resolve models explain; do
  run $command
  expect_usage_error 'missing FILE'
done
run resolve --header 'x-ai-eg-model: gpt-4o-mini'
expect_usage_error 'missing FILE'

case_ "an option's value is missing"
for option in --header --host --method --path --body --entropy --requests \
              --allowed-backends --on-disallowed --model-header; do
  run resolve "$QUICKSTART" $option
  expect_usage_error "option $option needs a value"
done

case_ "--entropy must be an integer in [0, 2^64)"
for bad in -1 1.5 1e3 abc "" " 1" +1 0x10 18446744073709551616 99999999999999999999999; do
  run resolve "$QUICKSTART" --entropy "$bad"
  expect_usage_error '--entropy'
  run resolve "$QUICKSTART" "--entropy=$bad"
  expect_usage_error '--entropy'
done

case_ "--allowed-backends takes RulesOnly or SameNamespace"
for bad in Explicit rulesonly "" Everything; do
  run resolve "$QUICKSTART" --standard-header --allowed-backends "$bad"
  expect_usage_error '--allowed-backends'
done

case_ "--on-disallowed takes Reject or UseRules"
for bad in reject Allow ""; do
  run check "$QUICKSTART" --standard-header --on-disallowed="$bad"
  expect_usage_error '--on-disallowed'
done

case_ "--standard-header=NAME needs a valid header name"
for bad in "" "has space" "colon:"; do
  run check "$QUICKSTART" "--standard-header=$bad"
  expect_usage_error '--standard-header'
done

case_ "--model-header needs a valid header name"
run check "$QUICKSTART" --model-header ""
expect_usage_error '--model-header'

case_ "--header needs 'Name: value'"
for bad in "no-colon" ": value" "bad name: v"; do
  run resolve "$QUICKSTART" --header "$bad"
  expect_usage_error '--header'
done

case_ "flags that name no value take none"
run check "$QUICKSTART" --help=yes
expect_usage_error 'takes no value'

case_ "request flags belong to resolve only"
run check "$QUICKSTART" --header 'x-ai-eg-model: gpt-4o-mini'
expect_usage_error 'does not apply to check'
run models "$QUICKSTART" --entropy 1
expect_usage_error 'does not apply to models'
run check "$QUICKSTART" --requests -
expect_usage_error 'does not apply to check'

case_ "--requests does not combine with single-request flags"
for flag in "--host=h" "--method=POST" "--path=/" "--header=a: b" "--entropy=1" "--body=x.json"; do
  run resolve "$QUICKSTART" --requests - "$flag"
  expect_usage_error '--requests does not combine'
done

case_ "only one of --body - and --requests - may read standard input"
run resolve "$QUICKSTART" --body - --requests - </dev/null
expect_usage_error '--requests'


finish
