#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the local stack if it is not running (and stops it
# afterwards, by PID), type-checks, then runs every jest test. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-tools.sh --test

started_stack=0
stop_stack() { if [ "$started_stack" = 1 ]; then node bin/sluice.js dev down >/dev/null || true; fi; }
trap stop_stack EXIT
if ! node bin/sluice.js dev status >/dev/null 2>&1; then
  node bin/sluice.js dev up
  started_stack=1
fi

echo "tsc --noEmit"
npx tsc --noEmit -p .
npx jest "$@"
