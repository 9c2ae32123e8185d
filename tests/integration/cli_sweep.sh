#!/usr/bin/env bash
# tests/integration/cli_sweep.sh -- `longmen sweep` end to end on tests/data/tiny.yaml
# (docs/experiments.md): a 2x3 grid gives 6 points x R runs in one database with sweep_point
# and sweep_value, sweep.csv one row per point, the table on stdout and in summary.txt; a
# Sobol design; usage errors exit 2, a bad value is one error line with file:line:col; a
# sweep stopped by a signal keeps complete replications and --resume finishes it with the
# runs an uninterrupted sweep gives.
# Usage: bash cli_sweep.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "cli_sweep: $*" >&2; exit 1; }
# shellcheck source=lib/pause.sh
source "$root/tests/integration/lib/pause.sh"
scenario=$root/tests/data/tiny.yaml

"$bin" sweep --help >help.txt || fail "sweep --help exited $?"
grep -q -- '--param Hefei.st_fund.loss_tolerance=0.1:0.5:5' help.txt || fail "sweep --help gives no example"
"$bin" help sweep | cmp -s - help.txt || fail "'help sweep' differs"

# ---- a 2x3 grid ----
"$bin" sweep "$scenario" --param Jiashi.st_fund.loss_tolerance=0.1:0.5:3 \
    --param params.rnd.spillover=0.001:0.005:2 --runs 2 --threads 2 --out grid >out.txt 2>err.txt ||
    fail "sweep exited $?: $(cat err.txt)"
[[ ! -s err.txt ]] || fail "stderr is no terminal, yet: $(cat err.txt)"
grep -q '6 points x 2 runs' out.txt || fail "no '6 points x 2 runs': $(cat out.txt)"
cmp -s out.txt grid/summary.txt || fail "summary.txt differs from the terminal table"
[[ $(sqlite3 grid/results.sqlite 'select count(*) from run') == 12 ]] || fail "expected 12 runs"
[[ $(sqlite3 grid/results.sqlite "select group_concat(run) from run where arm = 'point 6'") == "0,1" ]] ||
    fail "point 6's run indices"
got=$(sqlite3 grid/results.sqlite "select group_concat(value, ' ') from sweep_value where param = 0")
[[ $got == "0.1 0.1 0.3 0.3 0.5 0.5" ]] || fail "grid values of the tolerance: $got"
got=$(sqlite3 grid/results.sqlite "select group_concat(value, ' ') from sweep_value where param = 1")
[[ $got == "0.001 0.005 0.001 0.005 0.001 0.005" ]] || fail "grid values of the spillover: $got"
[[ $(wc -l <grid/sweep.csv) == 7 ]] || fail "sweep.csv: expected a header and 6 rows"
grep -q '^6,0.5,0.005,' grid/sweep.csv || fail "sweep.csv row 6: $(tail -1 grid/sweep.csv)"
[[ ! -e grid.partial ]] || fail "grid.partial left behind"

# ---- Sobol ----
"$bin" sweep "$scenario" --design sobol --points 3 --param Jiashi.st_fund.loss_tolerance=0:1 \
    --runs 1 --threads 2 --out sobol -q >/dev/null 2>err.txt || fail "sobol sweep exited $?: $(cat err.txt)"
got=$(sqlite3 sobol/results.sqlite "select group_concat(value, ' ') from sweep_value")
[[ $got == "0.5 0.75 0.25" ]] || fail "Sobol points: $got"

# ---- usage errors and bad values ----
for args in "" "--param x" "--param a.b=1:2" "--param a.b=1:2:0" "--design sobol --param a.b=0:1" \
    "--design cube --param a.b=0:1:2" "--points 3 --param a.b=0:1:2"; do
    rc=0
    # shellcheck disable=SC2086
    "$bin" sweep "$scenario" $args --runs 1 --out bad >/dev/null 2>err.txt || rc=$?
    [[ $rc == 2 ]] || fail "sweep $args exited $rc, expected 2: $(cat err.txt)"
done
rc=0
"$bin" sweep "$scenario" --param Jiashi.st_fund.loss_tolerence=0:1:2 --runs 1 --out bad >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] || fail "a bad field exited $rc, expected 1"
[[ $(wc -l <err.txt) == 1 ]] || fail "a bad field: $(cat err.txt)"
grep -q 'tiny.yaml:[0-9]*:[0-9]*: regions\[0\].policies\[0\].loss_tolerence' err.txt || fail "bad field error: $(cat err.txt)"
[[ ! -e bad && ! -e bad.partial ]] || fail "a bad sweep created a folder"

# ---- interrupted and resumed ----
# Held after its 5th replication is in (LM_PAUSE_AT, lib/pause.sh), then stopped by SIGTERM
# (background jobs of a script ignore SIGINT).
LM_PAUSE_AT=run:5 "$bin" sweep "$scenario" --param Jiashi.st_fund.loss_tolerance=0.1:0.5:3 --runs 4 \
    --detail 1 --threads 1 --out big -q >big.txt 2>big_err.txt &
pid=$!
wait_paused "$pid" big_err.txt
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc == 143 ]] || fail "the signalled sweep exited $rc: $(cat big_err.txt)"
[[ -d big.partial && ! -e big ]] || fail "an interrupted sweep left no big.partial, or a big"
grep -q -- '--resume' big_err.txt || fail "the interruption message does not mention --resume"
kept=$(sqlite3 big.partial/results.sqlite 'select count(*) from run')
[[ $kept == 5 ]] || fail "the interrupted sweep kept $kept replications, expected 5"
"$bin" sweep "$scenario" --param Jiashi.st_fund.loss_tolerance=0.1:0.5:3 --runs 4 --detail 1 --threads 2 \
    --out big --resume -q >/dev/null 2>resume.txt || fail "--resume exited $?: $(cat resume.txt)"
[[ $(sqlite3 big/results.sqlite 'select count(*) from run') == 12 ]] || fail "resumed sweep lacks runs"
[[ $(sqlite3 big/results.sqlite 'select count(*) from sweep_point') == 3 ]] || fail "sweep_point"
"$bin" sweep "$scenario" --param Jiashi.st_fund.loss_tolerance=0.1:0.5:3 --runs 4 --detail 1 --threads 2 \
    --out whole -q >/dev/null 2>err.txt || fail "the uninterrupted sweep exited $?: $(cat err.txt)"
for t in sweep_point region_year; do
    [[ $(sqlite3 big/results.sqlite "select * from $t order by 1, 2, 3") == \
       $(sqlite3 whole/results.sqlite "select * from $t order by 1, 2, 3") ]] ||
        fail "table $t of the resumed sweep differs from the uninterrupted one"
done
echo "interrupted with $kept complete replications, resumed"

# Point 3's replication 1 equals that of a one-point sweep at the same value 0.5 (same seed
# and run index): a point's runs do not depend on the sweep it is in.
"$bin" sweep "$scenario" --param Jiashi.st_fund.loss_tolerance=0.5:0.5:1 --runs 1 --detail 1 --out one -q \
    >/dev/null 2>err.txt || fail "one-point sweep exited $?: $(cat err.txt)"
a=$(sqlite3 big/results.sqlite "select * from firm where run_id = 9 order by firm_id" | cut -d'|' -f2-)
b=$(sqlite3 one/results.sqlite "select * from firm where run_id = 1 order by firm_id" | cut -d'|' -f2-)
[[ -n $a && $a == "$b" ]] || fail "a point's replication depends on the sweep it is in"
echo ok
