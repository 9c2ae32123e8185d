#!/usr/bin/env bash
# tests/integration/web_browser.sh -- the browser tests (tests/browser/*.mjs): playwright-core
# drives Debian's chromium (installed by scripts/deps.txt; playwright never downloads a
# browser), headless. report.mjs opens a run's report.html from the file; dashboard.mjs uses
# the dashboard of `longmen serve` to start a run and checks its charts against the
# database, and that a failing run shows its error. Screenshots go to
# <build>/test-output/browser/.
# Fails when chromium, node or node_modules is missing: the project's scripts install them.
# The sanitizer build does not replay it (tests/CMakeLists.txt).
# Usage: bash web_browser.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
fail() { echo "web_browser: $*" >&2; exit 1; }
chromium=${LM_CHROMIUM:-/usr/bin/chromium}
[[ -x $chromium ]] || fail "no chromium at $chromium (bash scripts/install-deps.sh installs it)"
command -v node >/dev/null || fail "no node (bash scripts/install-deps.sh installs it)"
[[ -d $root/node_modules/playwright-core ]] ||
    fail "no $root/node_modules/playwright-core (bash scripts/npm-deps.sh installs it)"

tmp=$(mktemp -d)
SERVER_PID=
SERVER2_PID=
cleanup() {
    [[ -n ${SERVER_PID:-} ]] && kill -KILL "$SERVER_PID" 2>/dev/null
    [[ -n ${SERVER2_PID:-} ]] && kill -KILL "$SERVER2_PID" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=web/serve.sh
source "$root/tests/integration/web/serve.sh"
shots=$(cd "$(dirname "$bin")" && pwd)/test-output/browser
mkdir -p "$shots"

# report.html of a run, opened from the file.
"$bin" run "$root/tests/data/tiny.yaml" --seed 3 --out "$tmp/run" --quiet >/dev/null ||
    fail "the tiny run failed"
node "$root/tests/browser/report.mjs" "$tmp/run" "$shots" || fail "report.html in chromium"
# report.html of a compare: the answer first, checked against its paths.csv.
"$bin" compare "$root/tests/data/tiny.yaml" --adopt Yishi:Jiashi.st_fund --runs 3 --out "$tmp/cmp" -q >/dev/null ||
    fail "the tiny compare failed"
node "$root/tests/browser/compare_report.mjs" "$tmp/cmp" "$shots" 乙市 3 || fail "a compare's report.html in chromium"

# The dashboard: one server that runs, one whose runs all fail (--max-memory 1M).
mkdir -p "$tmp/scenarios" "$tmp/runs" "$tmp/runs2"
cp "$root/tests/data/tiny.yaml" "$tmp/scenarios/tiny.yaml"
# an optimise folder, which the dashboard lists and opens through its own report
"$bin" optimise "$root/tests/data/tiny.yaml" --levers "$root/tests/data/levers/tiny.yaml" \
    --budget 2bn --runs 2 --evals 4 --robustness 1 --runner-ups 1 --out "$tmp/runs/opt" -q >/dev/null ||
    fail "the tiny optimise failed"
start_server "$tmp/server2.log" "$bin" --runs-dir "$tmp/runs2" --scenarios-dir "$tmp/scenarios" \
    --max-memory 1M
SERVER2_PID=$SERVER_PID
failing=$URL
start_server "$tmp/server.log" "$bin" --runs-dir "$tmp/runs" --scenarios-dir "$tmp/scenarios"
node "$root/tests/browser/dashboard.mjs" "$URL/" "$tmp/runs" "$shots" "$failing/" ||
    fail "the dashboard in chromium (server log: $(tail -n 5 "$tmp/server.log"))"
stop_server
SERVER_PID=$SERVER2_PID
SERVER2_PID=
stop_server
echo "web_browser: screenshots in $shots"
