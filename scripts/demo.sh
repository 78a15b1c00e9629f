#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the local stack and the mock analytics API, syncs
# examples/analytics into ClickHouse through Temporal, and prints the row count per table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-tools.sh
node bin/sluice.js dev up

export API_KEY=${API_KEY:-demo-key}
mkdir -p .sluice/mock-api
# One node process (not npx → tsx → node), so the PID we stop is the server itself.
node --require tsx/cjs examples/analytics/serve-mock-api.ts > .sluice/mock-api/mock-api.log 2>&1 &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  grep -q "mock analytics API" .sluice/mock-api/mock-api.log 2>/dev/null && break
  sleep 0.2
done
cat .sluice/mock-api/mock-api.log

result=$(node bin/sluice.js run examples/analytics/analytics.yaml --with-worker --json)
echo "$result" | node --require tsx/cjs examples/analytics/report.ts
ui_port=${TEMPORAL_UI_PORT:-8233}
echo "Temporal Web UI: http://127.0.0.1:${ui_port}/namespaces/${TEMPORAL_NAMESPACE:-default}/workflows"
echo "The stack keeps running; stop it with: node bin/sluice.js dev down"
