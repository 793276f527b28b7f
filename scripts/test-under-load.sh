#!/usr/bin/env bash
# Run the test suite with every core busy (one `yes > /dev/null` per core), to show
# that no verdict and no test depends on machine load.  The hogs are started here and
# stopped on any exit.  Usage: bash scripts/test-under-load.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

hogs=()
stop_hogs() { for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_hogs EXIT INT TERM

cores=$(nproc)
for _ in $(seq "$cores"); do
    yes > /dev/null &
    hogs+=("$!")
done
echo "load: ${#hogs[@]} CPU hogs on $cores cores" >&2

start=$SECONDS
status=0
.venv/bin/python -m pytest "$@" || status=$?
echo "load: suite finished in $((SECONDS - start)) s under load, exit $status" >&2
exit "$status"
