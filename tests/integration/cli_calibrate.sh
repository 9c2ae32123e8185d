#!/usr/bin/env bash
# tests/integration/cli_calibrate.sh -- `longmen calibrate` end to end on tests/data/tiny.yaml
# with calibration/smoke.yaml (docs/calibration.md): --help with an example; a small budget
# writes every file (results.sqlite with its tables, trace.csv, moments.csv, summary.txt =
# the table printed, calibrated.yaml that loads and runs) and the objective falls; usage
# errors exit 2; bad targets files give one line `file:line:col: field: message` and exit 1;
# a calibration stopped by a signal keeps its evaluations in <out>.partial and --resume ends
# with the files of an uninterrupted calibration.
# Usage: bash cli_calibrate.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "cli_calibrate: $*" >&2; exit 1; }
# shellcheck source=lib/pause.sh
source "$root/tests/integration/lib/pause.sh"
scenario=$root/tests/data/tiny.yaml
targets=$root/calibration/smoke.yaml

"$bin" calibrate --help >help.txt || fail "calibrate --help exited $?"
grep -q -- '--targets calibration/essay.yaml' help.txt || fail "calibrate --help gives no example"
"$bin" help calibrate | cmp -s - help.txt || fail "'help calibrate' differs"
"$bin" --help | grep -q 'calibrate \[SCENARIO\] --targets FILE' || fail "longmen --help does not list calibrate"

# ---- a small calibration ----
"$bin" calibrate "$scenario" --targets "$targets" --budget 8 --runs 2 --threads 2 --out c \
    >out.txt 2>err.txt || fail "calibrate exited $?: $(cat err.txt)"
[[ ! -s err.txt ]] || fail "stderr is no terminal, yet: $(cat err.txt)"
cmp -s out.txt c/summary.txt || fail "summary.txt differs from the table printed"
grep -q 'births_jiashi' out.txt || fail "the table lacks a target: $(cat out.txt)"
for f in results.sqlite trace.csv moments.csv summary.txt calibrated.yaml parameters.csv jacobian.csv; do
    [[ -s c/$f ]] || fail "c/$f missing or empty"
done
[[ ! -e c.partial ]] || fail "c.partial left behind"
# the budget's 8 evaluations, then 2 per parameter for the Jacobian
[[ $(wc -l <c/trace.csv) == 13 ]] || fail "trace.csv: expected a header and 8 + 4 rows"
[[ $(grep -c ',jacobian,' c/trace.csv) == 4 ]] || fail "trace.csv: expected 4 Jacobian rows"
[[ $(sqlite3 c/results.sqlite 'select count(*) from calibration_evaluation') == 12 ]] ||
    fail "calibration_evaluation: expected 12 rows"
[[ $(sqlite3 c/results.sqlite 'select count(*) from calibration_moment') == $((12 * 4 * 2)) ]] ||
    fail "calibration_moment: expected 12 evaluations x 4 targets x 2 replications"
[[ $(wc -l <c/jacobian.csv) == $((1 + 4 * 2)) ]] || fail "jacobian.csv: expected 4 targets x 2 parameters"
grep -q '^params.entry.base_rate,[^,]*,[0-9.e+-]\+,.*,yes,' c/parameters.csv ||
    fail "parameters.csv: no standard error for the founder rate: $(cat c/parameters.csv)"
grep -q 's\.e\.' out.txt || fail "the table lacks standard errors: $(cat out.txt)"
"$bin" calibrate "$scenario" --targets "$targets" --budget 8 --runs 2 --threads 2 --out c_nose \
    --standard-errors no -q >/dev/null 2>err.txt || fail "--standard-errors no exited $?: $(cat err.txt)"
[[ $(wc -l <c_nose/trace.csv) == 9 ]] || fail "--standard-errors no: expected 8 rows in trace.csv"
[[ ! -e c_nose/jacobian.csv ]] || fail "--standard-errors no wrote jacobian.csv"
[[ $(sqlite3 c/results.sqlite 'pragma integrity_check') == ok ]] || fail "integrity_check"
falls=$(sqlite3 c/results.sqlite "select (select min(objective) from calibration_evaluation) <
                                         (select objective from calibration_evaluation where evaluation = 1)")
[[ $falls == 1 ]] || fail "the objective did not fall: $(cat c/trace.csv)"
best=$(sqlite3 c/results.sqlite 'select best from calibration_parameter where param = 0')
grep -q "params.entry.base_rate=$(printf '%.10g' "$best")\"" c/calibrated.yaml ||
    fail "calibrated.yaml does not set the fitted base_rate $best: $(cat c/calibrated.yaml)"
[[ $(sqlite3 c/results.sqlite 'select count(*) from calibration_summary') == 4 ]] ||
    fail "calibration_summary: expected 4 rows"
"$bin" run c/calibrated.yaml --out fitted -q >/dev/null 2>err.txt ||
    fail "calibrated.yaml does not run: $(cat err.txt)"
head -1 c/moments.csv | grep -q '^target,name,moment,value,sd,weight,mean,p05,p95' ||
    fail "moments.csv header: $(head -1 c/moments.csv)"

# ---- usage errors: exit 2 ----
rc=0; "$bin" calibrate "$scenario" --budget 3 >/dev/null 2>err.txt || rc=$?
[[ $rc == 2 ]] || fail "no --targets: exit $rc"
rc=0; "$bin" calibrate "$scenario" --targets "$targets" --budget 0 >/dev/null 2>err.txt || rc=$?
[[ $rc == 2 ]] || fail "--budget 0: exit $rc"
rc=0; "$bin" calibrate "$scenario" --targets "$targets" --bogus >/dev/null 2>err.txt || rc=$?
[[ $rc == 2 ]] || fail "--bogus: exit $rc"

# ---- bad targets files: one line file:line:col: field: message, exit 1, no folder ----
bad() { # name, text, expected line:col: field
    printf '%b' "$2" >"$1.yaml"
    rc=0
    "$bin" calibrate "$scenario" --targets "$1.yaml" --budget 2 --out "out-$1" >/dev/null 2>err.txt || rc=$?
    [[ $rc == 1 ]] || fail "$1: exit $rc: $(cat err.txt)"
    [[ $(wc -l <err.txt) == 1 ]] || fail "$1: expected one line: $(cat err.txt)"
    grep -q "^longmen: $1.yaml:$3: " err.txt || fail "$1: expected '$1.yaml:$3: ...', got: $(cat err.txt)"
    [[ ! -e out-$1 && ! -e out-$1.partial ]] || fail "$1: left a folder"
}
p='parameters:\n  - {name: params.rnd.spillover, lo: 0.001, hi: 0.004}\n'
bad typo "${p}targets:\n  - {name: a, statistic: birth, from: 2015, to: 2016, value: 1}\n" "4:26: targets\[0\].statistic"
bad region "${p}targets:\n  - {name: a, statistic: births, region: Nowhere, from: 2015, to: 2016, value: 1}\n" "4:42: targets\[0\].region"
bad param "parameters:\n  - {name: Nowhere.amenity, lo: 0, hi: 1}\ntargets:\n  - {name: a, statistic: survival, years: 1, value: 1}\n" "2:5: parameters\[0\]"
bad sql "${p}targets:\n  - {name: a, sql: 'SELECT count(*) FROM firms', value: 1}\n" "4:21: targets\[0\].sql"
bad bounds "parameters:\n  - {name: params.rnd.spillover, lo: 0.5, hi: 0.1}\ntargets: []\n" "3:10: targets"
bad syntax "parameters: [\n" "2:1"
rc=0; "$bin" calibrate "$scenario" --targets missing.yaml >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q 'missing.yaml' err.txt || fail "a missing targets file: exit $rc: $(cat err.txt)"

# ---- interrupted and resumed = uninterrupted ----
# The reference and the resumed job run in folders of the same name (r/c and i/c), so even
# the lines that name the folder agree.
mkdir r i
(cd r && "$bin" calibrate "$scenario" --targets "$targets" --budget 30 --runs 4 --threads 2 \
    --out c -q >/dev/null 2>err.txt) || fail "reference exited $?: $(cat r/err.txt)"
cd i
# Held after its 5th evaluation is committed (LM_PAUSE_AT, lib/pause.sh), then stopped: the
# signal lands at that point however loaded the machine is.
LM_PAUSE_AT=evaluation:5 "$bin" calibrate "$scenario" --targets "$targets" --budget 30 --runs 4 \
    --threads 2 --out c -q >/dev/null 2>big_err.txt &
pid=$!
wait_paused "$pid" big_err.txt
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc == 143 ]] || fail "the stopped calibration exited $rc: $(cat big_err.txt)"
[[ -d c.partial && ! -e c ]] || fail "an interrupted calibration left no c.partial, or a c"
grep -q -- '--resume' big_err.txt || fail "the interruption message does not mention --resume"
kept=$(sqlite3 c.partial/results.sqlite 'select count(*) from calibration_evaluation')
[[ $kept == 5 ]] || fail "the interrupted calibration kept $kept evaluations, expected 5"
rc=0; "$bin" calibrate "$scenario" --targets "$targets" --budget 30 --runs 4 --out c -q \
    >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q -- '--resume' err.txt || fail "without --resume: exit $rc: $(cat err.txt)"
"$bin" calibrate "$scenario" --targets "$targets" --budget 30 --runs 4 --threads 1 --out c \
    --resume -q >/dev/null 2>err.txt || fail "--resume exited $?: $(cat err.txt)"
echo "interrupted with $kept evaluations kept, resumed"
cd ..
for f in trace.csv moments.csv summary.txt calibrated.yaml parameters.csv jacobian.csv; do
    cmp -s r/c/$f i/c/$f || fail "$f of the resumed calibration differs: $(diff r/c/$f i/c/$f | head -5)"
done
for t in calibration_evaluation calibration_value calibration_moment calibration_summary calibration_parameter; do
    a=$(sqlite3 r/c/results.sqlite "select * from $t order by 1, 2")
    b=$(sqlite3 i/c/results.sqlite "select * from $t order by 1, 2")
    [[ $a == "$b" ]] || fail "table $t of the resumed calibration differs"
done
echo ok
