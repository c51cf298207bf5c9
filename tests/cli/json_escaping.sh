# Whatever bytes a request holds, the output stays valid JSON: quotes, backslashes and
# control characters are escaped, invalid UTF-8 bytes become U+FFFD.
source "$(dirname "$0")/testlib.bash"

# The model header's value comes back in the decision's "model" field.
model_round_trip() {  # RAW_VALUE PYTHON_STRING_EXPECTED
  run resolve "$QUICKSTART" --header "x-ai-eg-model: $1"
  expect_code 0
  expect_json "d['status'] == 'no_route' and d['model'] == $2"
}

case_ "quotes and backslashes"
model_round_trip 'a"b\c' '"a\"b\\c"'
expect_stdout_matches '"model": "a\\"b\\\\c"'

case_ "control characters become \\u00XX"
model_round_trip $'a\x01b\x1fc\x7fd' '"a\x01b\x1fc\x7fd"'
expect_stdout_matches '"model": "a\\u0001b\\u001fc'

case_ "valid UTF-8 is kept as it is"
model_round_trip 'é 日本 😀' '"é 日本 😀"'
expect_stdout_matches '"model": "é 日本 😀"'

case_ "invalid UTF-8 bytes are replaced, one U+FFFD each"
model_round_trip $'\xff\xfe ok' '"\ufffd\ufffd ok"'
model_round_trip $'x\xc3' '"x\ufffd"'                       # truncated sequence
model_round_trip $'\xc0\xaf' '"\ufffd\ufffd"'               # overlong "/"
model_round_trip $'\xed\xa0\x80' '"\ufffd\ufffd\ufffd"'     # UTF-16 surrogate
model_round_trip $'\xf4\x90\x80\x80' '"\ufffd\ufffd\ufffd\ufffd"'  # above U+10FFFF
model_round_trip $'\xe2\x82' '"\ufffd\ufffd"'               # cut short at the end

case_ "escapes in JSON Lines requests come back escaped"
printf '%s\n' '{"headers": {"x-ai-eg-model": "nul\u0000 tab\t quote\" sep\u2028"}}' >"$WORK/escapes.jsonl"
run resolve "$QUICKSTART" --requests "$WORK/escapes.jsonl"
expect_code 0
expect_json 'len(lines) == 1 and d["model"] == "nul\x00 tab\t quote\" sep\u2028"'

case_ "a model string with escapes in the body"
printf '%s' '{"model": "gpt-4o-\u006dini"}' >"$WORK/body.json"
run resolve "$QUICKSTART" --body "$WORK/body.json"
expect_json 'd["status"] == "routed" and d["model"] == "gpt-4o-mini"'

finish
