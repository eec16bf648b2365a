#!/usr/bin/env bash
# Runs the browser test of the sandbox page RUNS times in a row (default 20) while two CPU-bound
# processes compete for the machine, and fails if any run fails. This is the check that the page
# has no race that only shows under load (ctest label `stress`, not in the default run:
#   ctest --test-dir build -C stress -L stress --output-on-failure).
# Usage: tests/browser/stress.sh <path to nudgebot> [RUNS]
set -uo pipefail

nudgebot=${1:?usage: stress.sh <path to nudgebot> [RUNS]}
runs=${2:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
node=${NUDGEBOT_NODE:-node}

burners=()
stop_burners() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${burners[@]}"; do wait "$pid" 2>/dev/null; done
}
trap stop_burners EXIT
for _ in 1 2; do
  yes >/dev/null &
  burners+=($!)
done

failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if "$node" "$here/sandbox.test.mjs" "$nudgebot" >"${TMPDIR:-/tmp}/nudgebot-stress-$$.log" 2>&1; then
    echo "run $i/$runs: pass ($(( $(date +%s) - start )) s)"
  else
    rc=$?
    echo "run $i/$runs: FAIL (exit $rc, $(( $(date +%s) - start )) s)"
    tail -n 20 "${TMPDIR:-/tmp}/nudgebot-stress-$$.log"
    [ "$rc" -eq 77 ] && { rm -f "${TMPDIR:-/tmp}/nudgebot-stress-$$.log"; exit 77; }
    failed=$((failed + 1))
  fi
done
rm -f "${TMPDIR:-/tmp}/nudgebot-stress-$$.log"
echo "$((runs - failed))/$runs runs passed with two CPU-bound processes beside them"
[ "$failed" -eq 0 ]
