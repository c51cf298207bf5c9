# The shipped examples work as the comments in them say.
source "$(dirname "$0")/testlib.bash"

REQUESTS="$EXAMPLES/requests"

case_ "the quickstart config is clean"
run check "$QUICKSTART"
expect_code 0
expect_stdout_empty
expect_stderr_empty

case_ "all.jsonl is the other request files, in order"
if cat "$REQUESTS/by-model.jsonl" "$REQUESTS/standard-header-allowed.jsonl" \
       "$REQUESTS/standard-header-disallowed.jsonl" "$REQUESTS/no-route.jsonl" \
       "$REQUESTS/conflicting-header.jsonl" | cmp -s - "$REQUESTS/all.jsonl"; then
  pass
else
  fail "examples/requests/all.jsonl differs from the concatenation of the other files"
fi

expect_statuses() {  # FILE PYTHON_LIST_OF_STATUSES
  run resolve "$QUICKSTART" --requests "$1"
  expect_code 0
  expect_stderr_empty
  expect_json "[l['status'] for l in lines] == $2"
}

case_ "each request file gets the answers its name promises"
expect_statuses "$REQUESTS/by-model.jsonl" '["routed"] * 3'
expect_json 'lines[0]["backend"] == name("default", "openai") and
  lines[1]["model"] == "llama-3-70b" and lines[2]["model"] == "llama-3-70b" and
  all(l["via"] == "rule" for l in lines)'
expect_statuses "$REQUESTS/standard-header-allowed.jsonl" '["routed"] * 2'
expect_json '[l["via"] for l in lines] == ["standard_header"] * 2 and
  [l["backend"] for l in lines] == [name("default", "llama-cloud"), name("default", "openai")]'
expect_statuses "$REQUESTS/standard-header-disallowed.jsonl" '["backend_not_allowed"] * 2'
expect_statuses "$REQUESTS/no-route.jsonl" '["no_route"] * 2'
expect_statuses "$REQUESTS/conflicting-header.jsonl" '["bad_request"] * 2'
expect_statuses "$REQUESTS/all.jsonl" \
  '["routed"] * 5 + ["backend_not_allowed"] * 2 + ["no_route"] * 2 + ["bad_request"] * 2'

case_ "the commands in the quickstart's comments run"
run resolve "$QUICKSTART" --header 'x-ai-eg-model: gpt-4o-mini'
expect_json 'd["status"] == "routed" and d["backend"] == name("default", "openai")'
run resolve "$QUICKSTART" --header 'x-ai-gateway-backend: openai'
expect_json 'd["status"] == "routed" and d["via"] == "standard_header"'
run models "$QUICKSTART"
expect_json '[m["id"] for m in d["data"]] == ["gpt-4o-mini", "llama-3-70b"]'

finish
