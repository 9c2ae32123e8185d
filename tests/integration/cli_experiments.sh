#!/usr/bin/env bash
# tests/integration/cli_experiments.sh -- `longmen run --runs R` and `longmen compare` end to
# end on tests/data/tiny.yaml (docs/experiments.md): R replications in one database, the
# table on stdout and in summary.txt; a job stopped by a signal keeps complete replications in
# <DIR>.partial and --resume finishes it, each replication equal to the same replication of
# an uninterrupted job; a compare of the scenario with itself (a no-op edit) gives exactly
# zero difference everywhere; bad edits are one error line with file:line:col.
# Usage: bash cli_experiments.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "cli_experiments: $*" >&2; exit 1; }
# shellcheck source=lib/pause.sh
source "$root/tests/integration/lib/pause.sh"
scenario=$root/tests/data/tiny.yaml

# ---- run --runs ----
"$bin" run "$scenario" --runs 3 --threads 2 --out r3 >out.txt 2>err.txt || fail "run --runs 3 exited $?: $(cat err.txt)"
[[ ! -s err.txt ]] || fail "stderr is no terminal, yet: $(cat err.txt)"
grep -q '3 runs' out.txt || fail "no '3 runs' in the table: $(cat out.txt)"
grep -q '^total' out.txt || fail "no total row"
cmp -s out.txt r3/summary.txt || fail "summary.txt differs from the terminal table"
[[ $(sqlite3 r3/results.sqlite 'select group_concat(run_id) from run') == "1,2,3" ]] || fail "run ids"
[[ $(sqlite3 r3/results.sqlite 'select group_concat(run) from run') == "0,1,2" ]] || fail "run indices"
[[ -f r3/report.html ]] || fail "no report.html"
[[ ! -e r3.partial ]] || fail "r3.partial left behind"
[[ $(sqlite3 r3/results.sqlite 'select group_concat(detail) from run') == "1,0,0" ]] ||
    fail "run --runs keeps every row of replication 1 only by default (--detail 1)"

# ---- --detail: the same replications, brief past the first (the default); the same table ----
"$bin" run "$scenario" --runs 3 --threads 2 --detail all --out whole -q >whole.txt 2>err.txt ||
    fail "run --detail all exited $?: $(cat err.txt)"
[[ $(sqlite3 whole/results.sqlite 'select group_concat(detail) from run') == "1,1,1" ]] ||
    fail "run.detail of --detail all"
diff <(grep -v '^results:' out.txt) <(grep -v '^results:' whole.txt) >/dev/null ||
    fail "--detail changed the table: $(diff out.txt whole.txt)"
[[ $(sqlite3 whole/results.sqlite 'select count(*) from firm where run_id = 1') == \
   $(sqlite3 r3/results.sqlite 'select count(*) from firm where run_id = 1') ]] ||
    fail "replication 1 lost firm rows"
[[ $(sqlite3 r3/results.sqlite 'select count(*) from deal where run_id > 1') == 0 ]] ||
    fail "brief replications keep deal rows"
[[ $(sqlite3 whole/results.sqlite 'select count(*) from deal where run_id > 1') -gt 0 ]] ||
    fail "--detail all keeps no deal rows past replication 1"
rc=0; "$bin" run "$scenario" --runs 2 --detail some -q >/dev/null 2>err.txt || rc=$?
[[ $rc == 2 ]] && grep -q -- "--detail some: expected 'all' or an integer" err.txt ||
    fail "--detail some: exit $rc, $(cat err.txt)"

# ---- interrupted and resumed ----
# Held after its 4th replication is in (LM_PAUSE_AT, lib/pause.sh), then stopped by SIGTERM
# (background jobs of a script ignore SIGINT): the signal lands there however loaded the
# machine is.
LM_PAUSE_AT=run:4 "$bin" run "$scenario" --runs 12 --threads 1 --out big -q >big.txt 2>big_err.txt &
pid=$!
wait_paused "$pid" big_err.txt
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc == 143 ]] || fail "the signalled job exited $rc: $(cat big_err.txt)"
[[ ! -e big ]] || fail "an interrupted job created its final folder"
[[ -d big.partial ]] || fail "an interrupted job left no big.partial"
grep -q -- '--resume' big_err.txt || fail "the interruption message does not mention --resume: $(cat big_err.txt)"
kept=$(sqlite3 big.partial/results.sqlite 'select count(*) from run')
[[ $kept == 4 ]] || fail "the interrupted job kept $kept replications, expected 4"
rc=0
"$bin" run "$scenario" --runs 12 --threads 2 --out big -q >/dev/null 2>again.txt || rc=$?
[[ $rc == 1 ]] || fail "a second job without --resume exited $rc, expected 1"
grep -q -- '--resume' again.txt || fail "the refusal does not mention --resume: $(cat again.txt)"
"$bin" run "$scenario" --runs 12 --threads 2 --out big --resume -q >/dev/null 2>resume.txt ||
    fail "--resume exited $?: $(cat resume.txt)"
[[ $(sqlite3 big/results.sqlite 'select count(*) from run') == 12 ]] || fail "resumed job lacks runs"
[[ ! -e big.partial ]] || fail "big.partial left after the resume"
q='select * from region_year where run_id <= 3 order by run_id, region_id, year'
[[ $(sqlite3 big/results.sqlite "$q") == $(sqlite3 r3/results.sqlite "$q") ]] ||
    fail "replications 1-3 of the resumed job differ from those of a 3-run job"
echo "interrupted with $kept complete replications, resumed"

# ---- compare ----
"$bin" compare --help >help.txt || fail "compare --help exited $?"
grep -q 'e.g. --adopt' help.txt || fail "compare --help gives no --adopt example"
"$bin" help compare | cmp -s - help.txt || fail "'help compare' differs"
rc=0
"$bin" compare "$scenario" --runs 2 >/dev/null 2>err.txt || rc=$?
[[ $rc == 2 ]] || fail "compare without an edit exited $rc, expected 2"

# A no-op edit (the file has loss_tolerance: 0.3): both arms identical, every difference 0.
"$bin" compare "$scenario" --runs 3 --policy "Jiashi.st_fund.loss_tolerance=0.3" --out self \
    >cmp.txt 2>err.txt || fail "compare exited $?: $(cat err.txt)"
grep -q 'counterfactual - baseline' cmp.txt || fail "no comparison table: $(cat cmp.txt)"
[[ -f self/compare.csv ]] || fail "no compare.csv"
[[ $(sqlite3 self/results.sqlite "select count(*) from run where arm = 'baseline'") == 3 ]] || fail "baseline runs"
[[ $(sqlite3 self/results.sqlite "select count(*) from run where arm = 'counterfactual'") == 3 ]] || fail "counterfactual runs"
nonzero=$(awk -F, 'NR > 1 && $6 != "0" && $6 != "nan" && $6 != "-nan"' self/compare.csv)
[[ -z $nonzero ]] || fail "self-compare has non-zero differences: $nonzero"
[[ $(sqlite3 self/results.sqlite "select group_concat(detail) from run") == "0,0,0,0,0,0" ]] ||
    fail "compare keeps whole rows by default (--detail 0 expected)"
[[ -f self/pairs.csv && -f self/paths.csv && -f self/costs.csv ]] || fail "no pairs/paths/costs.csv"
for i in 1 2 3; do
    a=$(sqlite3 self/results.sqlite "select * from firm where run_id = $i order by firm_id" | cut -d'|' -f2-)
    b=$(sqlite3 self/results.sqlite "select * from firm where run_id = $((i + 3)) order by firm_id" | cut -d'|' -f2-)
    [[ $a == "$b" ]] || fail "replication $i differs between the arms of a self-compare"
done

# A bad edit: one line naming the file, line, column and field; nothing created.
rc=0
"$bin" compare "$scenario" --runs 2 --policy "Jiashi.st_fund.loss_tolerance=abc" --out bad >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] || fail "a bad edit exited $rc, expected 1"
[[ $(wc -l <err.txt) == 1 ]] || fail "a bad edit: $(cat err.txt)"
grep -q 'tiny.yaml:[0-9]*:[0-9]*: regions\[0\].policies\[0\].loss_tolerance' err.txt || fail "bad edit error: $(cat err.txt)"
[[ ! -e bad && ! -e bad.partial ]] || fail "a bad edit created a folder"
echo ok
