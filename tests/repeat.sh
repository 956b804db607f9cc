#!/usr/bin/env bash
# Rerun a chosen set of tests N times in a row, each in a fresh pytest process; stop at
# the first failure and show it. A test that fails by chance shows up here, not in CI.
#
#   tests/repeat.sh 20 -m "process and not gpu"   # the tests that wait on processes/timers/signals
#   tests/repeat.sh 5                        # the whole suite, five times
#   BURN=2 tests/repeat.sh 20 -m "process and not gpu"   # the same with two CPU burners
#
# PYTHON picks the interpreter (default: python). Exit status 0 only if every run passed.
set -u
n=${1:?usage: tests/repeat.sh N [pytest arguments, e.g. -m process]}
shift
cd "$(dirname "$0")/.." || exit 2
py=${PYTHON:-python}
burners=()
stop_burners() {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null; done
}
trap stop_burners EXIT
trap "exit 143" TERM INT  # so the burners stop too when the run is cut short
for _ in $(seq 1 "${BURN:-0}"); do
  yes > /dev/null &
  burners+=("$!")
done
log=$(mktemp)
passed=0
for i in $(seq 1 "$n"); do
  start=$(date +%s)
  if "$py" -m pytest -q -x -p no:cacheprovider "$@" > "$log" 2>&1; then
    passed=$((passed + 1))
    echo "run $i/$n passed ($(tail -n 1 "$log" | tr -d '='), $(($(date +%s) - start)) s)"
  else
    echo "run $i/$n FAILED after $passed passing run(s):"
    tail -n 40 "$log"
    rm -f "$log"
    exit 1
  fi
done
rm -f "$log"
echo "$passed/$n runs passed${BURN:+ with $BURN CPU burner(s)}"
