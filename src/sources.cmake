# The C++ library's sources, relative to src/: built by src/CMakeLists.txt, and again with
# instrumentation by tests/fuzz/CMakeLists.txt.
set(LLMROUTE_CORE_SOURCES
  body/model_extractor.cc
  compile/backend_refs.cc
  compile/compiler.cc
  compile/host_groups.cc
  compile/shadowing.cc
  compile/standard_header.cc
  diagnostic.cc
  enum_names.cc
  explain/explain.cc
  health/health.cc
  load/field.cc
  load/json_events.cc
  load/loader.cc
  load/yaml_document.cc
  load/yaml_scalar.cc
  match/conditions.cc
  reload/holder.cc
  resolve/next_attempt.cc
  resolve/request_state.cc
  resolve/resolve.cc
  resolve/upstream.cc
  select/selection.cc
  table/routing_table.cc
  text/http_text.cc
  text/utf8.cc)
