#!/usr/bin/env bash
# npm run check: the inner loop, with no server started. Layer rules, lint, format check, type-check, then
# the unit and replay tests. Every step runs even when another failed, so one run tells everything that is
# wrong; the summary names the failed steps with each step's time, and the exit status is 1 if any failed.
# The type-check runs beside the three static checks (two lanes for the two cores); each step's output is
# printed whole when it ends. Caches live in .sluice/cache (tsc --incremental, eslint and prettier --cache).
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# step NAME COMMAND...: runs it, output to $out/NAME.log, status to $out/NAME.status, seconds to $out/NAME.time.
step() {
  local name=$1
  shift
  local started=$SECONDS
  "$@" >"$out/$name.log" 2>&1
  echo $? >"$out/$name.status"
  echo $((SECONDS - started)) >"$out/$name.time"
}
show() {
  for name in "$@"; do
    echo "== $name"
    cat "$out/$name.log"
  done
}

step types npx tsc --noEmit -p . --incremental --tsBuildInfoFile .sluice/cache/tsconfig.tsbuildinfo &
types=$!
step layers npm run -s layers
step lint npm run -s lint
step format npm run -s format:check
wait "$types"
show layers lint format types
# One jest run for both, on both cores: the unit tests and the replay of recorded histories (workflows project).
step tests npx jest --maxWorkers=2 test/unit/ test/workflows/replay.test.ts
show tests

failed=()
summary=()
for name in layers lint format types tests; do
  if [ "$(cat "$out/$name.status")" = 0 ]; then
    summary+=("$name ok ($(cat "$out/$name.time") s)")
  else
    summary+=("$name FAILED ($(cat "$out/$name.time") s)")
    failed+=("$name")
  fi
done
echo "== check: $(printf '%s; ' "${summary[@]}")load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "== check FAILED: ${failed[*]}"
  exit 1
fi
echo "== check passed"
