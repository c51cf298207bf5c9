# `llmroute resolve --requests`: JSON Lines in, one decision line out for every line in,
# in order; a malformed line gets a bad_request line and the batch goes on.
source "$(dirname "$0")/testlib.bash"

# One request line per entry, with what must come out for it: a status, and for a line
# the CLI rejects, a word its reason must contain.
lines=()
expected=()
add() { lines+=("$1"); expected+=("$2"); }

add '{"headers": {"x-ai-eg-model": "gpt-4o-mini"}, "entropy": 0}'          'routed'
add ''                                                                      'bad_request blank'
add '   	 '                                                                  'bad_request blank'
add 'not json'                                                              'bad_request JSON'
add '[1, 2]'                                                                'bad_request object'
add '"a string"'                                                            'bad_request object'
add 'null'                                                                  'bad_request object'
add '{"method": 1}'                                                         'bad_request method'
add '{"host": true}'                                                        'bad_request host'
add '{"path": ["/"]}'                                                       'bad_request path'
add '{"body": {"model": "gpt-4o-mini"}}'                                    'bad_request body'
add '{"headers": "x-ai-eg-model: gpt-4o-mini"}'                             'bad_request headers'
add '{"headers": {"x-ai-eg-model": 4}}'                                     'bad_request headers'
add '{"headers": [["x-ai-eg-model"]]}'                                      'bad_request headers'
add '{"headers": [["x-ai-eg-model", "gpt-4o-mini", "extra"]]}'              'bad_request headers'
add '{"headers": [{"x-ai-eg-model": "gpt-4o-mini"}]}'                       'bad_request headers'
add '{"entropy": -1}'                                                       'bad_request entropy'
add '{"entropy": 1.5}'                                                      'bad_request entropy'
add '{"entropy": 1.0}'                                                      'bad_request entropy'
add '{"entropy": 1e3}'                                                      'bad_request entropy'
add '{"entropy": 18446744073709551616}'                                     'bad_request entropy'
add '{"entropy": 123456789012345678901234567890}'                           'bad_request entropy'
add '{"entropy": "5"}'                                                      'bad_request entropy'
add '{"entropy": true}'                                                     'bad_request entropy'
add '{"path": "/", "path": "/v1"}'                                          'bad_request twice'
add '{"headers": {"x-ai-eg-model": "gpt-4o-mini"}} trailing'                'bad_request JSON'
add '{"headers": {"x-ai-eg-model": "gpt-4o-mini"}'                          'bad_request JSON'
add $'{"path": "/\xff"}'                                                    'bad_request UTF-8'
add $'{"headers": {"x-ai-eg-model": "gpt-4o-mini"}}\r'                      'routed'
add '{"headers": {"x-ai-eg-model": "gpt-4o-mini"}, "note": {"any": [1, 2.5, null]}}' 'routed'
add '{"method": null, "host": null, "path": null, "headers": null, "body": null, "entropy": null}' 'no_route'
add '{"entropy": 18446744073709551615, "headers": [["x-ai-eg-model", "llama-3-70b"]]}' 'routed'
add '{"entropy": 0, "headers": {"x-ai-eg-model": "llama-3-70b"}}'           'routed'
add '{"body": "{\"model\": \"llama-3-70b\"}", "entropy": 3}'                'routed'
add '{"body": "not json"}'                                                  'bad_request'
add '{"headers": [["x-ai-gateway-backend", "openai"]]}'                     'routed'
# A repeated key in the headers object is a repeated header: here two different values.
add '{"headers": {"x-ai-gateway-backend": "openai", "x-ai-gateway-backend": "llama-cloud"}}' 'bad_request'
add '{"headers": {"x-ai-gateway-backend": "openai", "x-ai-gateway-backend": "openai"}}' 'routed'
# The last line has no "\n" after it and still gets its decision.
add '{"headers": {"x-ai-eg-model": "gpt-5"}}'                               'no_route'

{
  for ((i = 0; i < ${#lines[@]} - 1; i++)); do printf '%s\n' "${lines[i]}"; done
  printf '%s' "${lines[${#lines[@]} - 1]}"
} >"$WORK/requests.jsonl"
printf '%s\n' "${expected[@]}" >"$WORK/expected.txt"

check_batch() {
  expect_code 0
  expect_stderr_empty
  expect_json "(lambda want: len(lines) == len(want) and all(
      list(got) == DECISION_KEYS and got['status'] == w[0] and
      (len(w) == 1 or (w[1] in got['reason'] and got['reason'].startswith('request line %d: ' % n)
                       and got['via'] is None and got['route'] is None and got['model'] is None
                       and got['fallbacks'] == [] and got['http_status'] == 400))
      for n, (got, w) in enumerate(zip(lines, want), 1)) or print('\n'.join(
      'line %d: want %s, got %s' % (n, w, json.dumps(got)) for n, (got, w) in
      enumerate(zip(lines, want), 1)))
  )([l.split(' ', 1) for l in open('$WORK/expected.txt').read().splitlines()])"
}

case_ "every kind of line: one decision per line, in order"
run resolve "$QUICKSTART" --requests "$WORK/requests.jsonl"
check_batch
cp "$WORK/stdout" "$WORK/from-file.jsonl"

case_ "--requests - reads standard input, with the same answers"
run resolve "$QUICKSTART" --requests - <"$WORK/requests.jsonl"
check_batch
if cmp -s "$WORK/stdout" "$WORK/from-file.jsonl"; then pass; else fail "stdin and file answers differ"; fi

case_ "--requests=FILE form"
run resolve "$QUICKSTART" "--requests=$WORK/requests.jsonl"
check_batch

case_ "the entropy of a line fixes the weighted choice as documented"
run resolve "$QUICKSTART" --requests "$WORK/requests.jsonl"
expect_json "lines[31]['backend'] == [name('default', 'llama-local'), name('default', 'llama-cloud')][splitmix_pick(18446744073709551615, [80, 20])] and
  lines[32]['backend'] == [name('default', 'llama-local'), name('default', 'llama-cloud')][splitmix_pick(0, [80, 20])] and
  lines[33]['model'] == 'llama-3-70b'"

case_ "empty input: no output"
run resolve "$QUICKSTART" --requests - </dev/null
expect_code 0
expect_stdout_empty

case_ "a requests file that cannot be read is a usage error"
run resolve "$QUICKSTART" --requests "$WORK/no-such-requests.jsonl"
expect_code 2
expect_stdout_empty
expect_stderr_matches 'no-such-requests\.jsonl'

case_ "compile options apply to every line"
printf '%s\n' '{"headers": {"x-model": "gpt-4o-mini"}}' >"$WORK/model-header.jsonl"
run resolve "$QUICKSTART" --model-header x-model --requests "$WORK/model-header.jsonl"
expect_json 'len(lines) == 1 and d["status"] == "no_route" and d["model"] == "gpt-4o-mini"'

finish
