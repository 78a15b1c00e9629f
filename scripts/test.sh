#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the local stack if it is not running (and stops it
# afterwards, by PID), type-checks, then runs every jest test. Extra arguments go to jest.
# The stack's ClickHouse is 26.x (chdb-core); SLUICE_CLICKHOUSE=18.16 runs the tests on Debian's 18.16,
# SLUICE_CLICKHOUSE=24.8 (25.5, 25.8) on that engine from PyPI's chdb, installed by `dev up` on first use
# (.ci/run does 26.9, 18.16 and 24.8). A running stack is used as it is, unless sluice started another server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-tools.sh --test

started_stack=0
stop_stack() { if [ "$started_stack" = 1 ]; then node bin/sluice.js dev down >/dev/null || true; fi; }
trap stop_stack EXIT
if ! node bin/sluice.js dev status >/dev/null 2>&1; then
  started_stack=1
fi
# Also on a running stack: `dev up` refuses when sluice runs the other ClickHouse than the one asked for.
node bin/sluice.js dev up
node bin/sluice.js dev status | grep clickhouse

# SLUICE_SKIP_TYPECHECK=1: the caller type-checked this tree already (.ci/run's second pass).
if [ "${SLUICE_SKIP_TYPECHECK:-}" != 1 ]; then
  echo "tsc --noEmit"
  npx tsc --noEmit -p .
fi
npx jest "$@"
