#!/usr/bin/env bash
# Runs the tests N times in a row (default 10) while every core is kept busy, and reports how
# many runs passed, how long each took, and which tests failed. A suite that passes here does not
# depend on the machine being fast or quiet.
#
#   scripts/stress-test.sh [N] [-- COMMAND...]      (default command: npm test)
#   scripts/stress-test.sh 5 -- node --import tsx --test test/jobs/job-service.test.ts
#
# The load is `stress-ng --cpu <cores>` if installed, else one busy loop per core. It is stopped
# when the script ends, however it ends (Ctrl-C included). Logs: $STRESS_LOG_DIR, else a new
# temporary directory, named at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=10
if [[ $# -gt 0 && $1 != -- ]]; then runs=$1; shift; fi
if [[ $# -gt 0 && $1 == -- ]]; then shift; fi
command=("$@")
[[ ${#command[@]} -gt 0 ]] || command=(npm test)
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then echo "stress-test: N must be a positive number, got '$runs'" >&2; exit 2; fi

cores=$(nproc)
logs=${STRESS_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/stress-test.XXXXXX")}
mkdir -p "$logs"

load_pids=()
stop_load() {
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${load_pids[@]}"; do wait "$pid" 2>/dev/null; done
  load_pids=()
}
trap stop_load EXIT
trap 'echo "stress-test: interrupted" >&2; exit 130' INT TERM

if command -v stress-ng >/dev/null; then
  stress-ng --cpu "$cores" --quiet &
  load_pids+=($!)
  load="stress-ng --cpu $cores"
else
  for _ in $(seq "$cores"); do
    node -e 'for (;;) {}' &
    load_pids+=($!)
  done
  load="$cores busy loops (node -e 'for (;;) {}')"
fi
echo "stress-test: $runs runs of '${command[*]}' with $load on $cores cores; logs in $logs"

passed=0
failed=0
durations=()
for run in $(seq "$runs"); do
  log="$logs/run-$run.log"
  started=$(date +%s%3N)
  "${command[@]}" >"$log" 2>&1
  code=$?
  ms=$(($(date +%s%3N) - started))
  seconds="$((ms / 1000)).$((ms % 1000 / 100))"
  durations+=("$seconds")
  if [[ $code -eq 0 ]]; then
    passed=$((passed + 1))
    echo "run $run: pass in ${seconds} s"
  else
    failed=$((failed + 1))
    echo "run $run: FAIL (exit $code) in ${seconds} s; log: $log"
    # the spec reporter lists failing tests after "failing tests:"; show their names
    sed -n '/failing tests:/,$p' "$log" | grep -E '^\s*✖' | sed 's/^/    /' | head -20
  fi
done

sorted=$(printf '%s\n' "${durations[@]}" | sort -n)
echo "stress-test: $passed passed, $failed failed, of $runs runs; durations (s): ${durations[*]}; min $(head -1 <<<"$sorted"), max $(tail -1 <<<"$sorted")"
[[ $failed -eq 0 ]]
