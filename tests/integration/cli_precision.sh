#!/usr/bin/env bash
# tests/integration/cli_precision.sh -- `longmen compare --precision` end to end on
# tests/data/tiny.yaml (docs/experiments.md): replications are added in batches of --runs until
# the target half-width is met, and the result (database, compare.csv, table) is that of a
# plain --runs N job with the final N; a job stopped by a signal between or inside batches
# finishes with --resume to the same result; the summary marks Holm's correction and shows the
# pairing's worth; `sweep --precision` applies the rule per point; bad targets are errors.
# Usage: bash cli_precision.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "cli_precision: $*" >&2; exit 1; }
source "$root/tests/integration/lib/results.sh"
scenario=$root/tests/data/tiny.yaml
# a small effect: tiny.yaml closes few rounds, and a fund that tolerates no loss freezes after
# its first failed deals, so the government's calls differ in a few pairs. The target
# half-width is scaled to the noise of the effect on public money (heavy-tailed, so batches
# of 8): 8 pairs give +-42,000 CNY, 16 +-38,000, 24 +-29,000, so h = 30,000 stops at 24.
# The summary shows public money in CNY bn: h is 3e-05 there.
edit=甲市.st_fund.loss_tolerance=0.0
h=30000
shown=3e-05

# ---- stops where the target is met, and equals a plain job of that size ----
"$bin" compare "$scenario" --policy "$edit" --runs 8 --detail 2 --threads 2 -q --out p \
    --precision total.public_cny=$h --max-runs 40 >p.txt 2>err.txt || fail "--precision exited $?: $(cat err.txt)"
n=$(sed -n 's/.* \([0-9]*\) runs per arm.*/\1/p' p.txt)
[[ -n $n ]] || fail "no 'runs per arm' in $(cat p.txt)"
(( n > 8 && n < 40 && n % 8 == 0 )) || fail "stopped at $n runs: expected a multiple of 8 in (8, 40)"
grep -q "^precision total.public_cny: half-width .* after $n pairs, target $shown: met" p.txt ||
    fail "no 'met' line: $(cat p.txt)"
hw=$(awk -F, '$1 == "\"total\"" && $2 == "public_cny" {print $17}' p/compare.csv)
awk -v hw="$hw" -v h="$h" 'BEGIN {exit !(hw <= h)}' || fail "final half-width $hw above $h"
[[ $(sqlite3 p/results.sqlite 'select count(*) from run') == $((2 * n)) ]] || fail "run rows"
[[ $(sqlite3 p/results.sqlite "select group_concat(run_id) from run where arm = 'counterfactual' and run = 0") == $((n + 1)) ]] ||
    fail "the counterfactual's first run is not run_id $((n + 1))"
"$bin" compare "$scenario" --policy "$edit" --runs "$n" --detail 2 --threads 2 -q --out q \
    --halfwidth total.public_cny=$h >q.txt 2>err.txt || fail "--runs $n exited $?: $(cat err.txt)"
[[ $(job_dump p/results.sqlite) == "$(job_dump q/results.sqlite)" ]] ||
    fail "the database differs from that of --runs $n"
cmp -s p/compare.csv q/compare.csv || fail "compare.csv differs from that of --runs $n"
diff <(grep -v '^results:\|^precision' p.txt) <(grep -v '^results:' q.txt) >/dev/null ||
    fail "the table differs from that of --runs $n: $(diff p.txt q.txt)"

# ---- the summary: Holm's correction, the pairing's worth, sample sizes ----
grep -q "after Holm's correction over all [0-9]* comparisons" p.txt || fail "no Holm note"
grep -q "^total *public_cny (bn) .* $shown " p.txt || fail "no pairing row for total public money with h = $shown"
head -1 p/compare.csv | grep -q ',sd_one_arm,sd_paired,correlation,p_value,p_holm,holm_distinct,halfwidth90,halfwidth_target,pairs_needed$' ||
    fail "compare.csv header: $(head -1 p/compare.csv)"

# ---- interrupted and resumed ----
rc=0
"$bin" compare "$scenario" --policy "$edit" --runs 10 --detail 0 --threads 1 -q --out big \
    --precision total.jobs=0.001 --max-runs 60 >big.txt 2>big_err.txt &
pid=$!
sleep 0.5
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" || rc=$?
if [[ $rc == 143 || $rc == 130 ]]; then
    [[ -d big.partial && ! -e big ]] || fail "an interrupted job left no big.partial, or a big"
    "$bin" compare "$scenario" --policy "$edit" --runs 10 --detail 0 --threads 2 -q --out big \
        --precision total.jobs=0.001 --max-runs 60 --resume >/dev/null 2>resume.txt ||
        fail "--resume exited $?: $(cat resume.txt)"
    echo "interrupted, resumed"
elif [[ $rc != 0 ]]; then
    fail "the interrupted job exited $rc: $(cat big_err.txt)"
else
    echo "the job finished before the signal; resume not exercised"
fi
"$bin" compare "$scenario" --policy "$edit" --runs 60 --detail 0 --threads 2 -q --out plain \
    --halfwidth total.jobs=0.001 >/dev/null 2>err.txt || fail "--runs 60 exited $?: $(cat err.txt)"
[[ $(job_dump big/results.sqlite) == "$(job_dump plain/results.sqlite)" ]] ||
    fail "the resumed job's database differs from that of --runs 60"
cmp -s big/compare.csv plain/compare.csv || fail "the resumed job's compare.csv differs"

# ---- sweep --precision: per point, the same batches ----
"$bin" sweep "$scenario" --param "甲市.st_fund.loss_tolerance=0.1:0.9:3" --runs 4 --threads 2 -q \
    --out s --precision total.jobs=150 --max-runs 40 >s.txt 2>err.txt || fail "sweep --precision exited $?: $(cat err.txt)"
n=$(sed -n 's/.* x \([0-9]*\) runs .*/\1/p' s.txt)
(( n > 4 && n < 40 )) || fail "sweep stopped at '$n' runs per point"
grep -q "^precision total.jobs: widest half-width over the points .* after $n runs, target 150: met" s.txt ||
    fail "sweep: no 'met' line: $(cat s.txt)"
"$bin" sweep "$scenario" --param "甲市.st_fund.loss_tolerance=0.1:0.9:3" --runs "$n" --threads 2 -q \
    --out s2 >/dev/null 2>err.txt || fail "sweep --runs $n exited $?: $(cat err.txt)"
[[ $(job_dump s/results.sqlite) == "$(job_dump s2/results.sqlite)" ]] ||
    fail "the sweep's database differs from that of --runs $n"
cmp -s s/sweep.csv s2/sweep.csv || fail "sweep.csv differs from that of --runs $n"

# ---- bad targets ----
rc=0
"$bin" compare "$scenario" --policy "$edit" --precision total.dragon=1 -q --out bad 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q "unknown metric 'dragon'" err.txt || fail "unknown metric: exit $rc, $(cat err.txt)"
rc=0
"$bin" compare "$scenario" --policy "$edit" --precision nowhere.dragons=1 -q --out bad 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q "no region 'nowhere'" err.txt || fail "unknown region: exit $rc, $(cat err.txt)"
rc=0
"$bin" compare "$scenario" --policy "$edit" --precision total.dragons=-1 -q --out bad 2>err.txt || rc=$?
[[ $rc == 2 ]] || fail "a negative half-width: exit $rc, $(cat err.txt)"
rc=0
"$bin" compare "$scenario" --policy "$edit" --max-runs 5 -q --out bad 2>err.txt || rc=$?
[[ $rc == 2 ]] && grep -q -- "--max-runs: only with --precision" err.txt || fail "--max-runs alone: exit $rc"
[[ ! -e bad && ! -e bad.partial ]] || fail "a refused job left a folder"
echo "cli_precision: ok"
