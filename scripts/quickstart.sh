#!/usr/bin/env bash
# From a fresh Debian 12 checkout to a first routing decision: installs the packages,
# builds the CLI into build/, checks the example config and resolves the example requests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DLLMROUTE_BUILD_TESTS=OFF -DLLMROUTE_BUILD_BENCH=OFF
cmake --build build -j"$(nproc)" --target llmroute_cli

llmroute=build/cli/llmroute

echo
echo "\$ llmroute check examples/quickstart.yaml"
diagnostics=$("$llmroute" check examples/quickstart.yaml)
echo "${diagnostics:-(no output: no errors, no warnings)}"

echo
echo "\$ llmroute resolve examples/quickstart.yaml --requests examples/requests/all.jsonl"
"$llmroute" resolve examples/quickstart.yaml --requests examples/requests/all.jsonl

echo
echo "\$ llmroute resolve examples/quickstart.yaml --header 'x-ai-gateway-backend: llama-cloud'"
"$llmroute" resolve examples/quickstart.yaml --header 'x-ai-gateway-backend: llama-cloud'
