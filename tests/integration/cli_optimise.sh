#!/usr/bin/env bash
# tests/integration/cli_optimise.sh -- `longmen optimise` end to end on tests/data/tiny.yaml
# with tests/data/levers/tiny.yaml (docs/experiments.md, "optimise"): the search runs, the
# best mix keeps the budget (simulated public money a year), the tables and files are there
# and agree; --help; usage errors exit 2; bad levers files are one error line
# file:line:col: field: message and leave no folder; a search cut after some evaluations
# (the database of an interrupted job) and one stopped by SIGTERM both end, with --resume,
# exactly as an uninterrupted search; so does one killed with kill -9.
# Usage: bash cli_optimise.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "cli_optimise: $*" >&2; exit 1; }
# shellcheck source=lib/pause.sh
source "$root/tests/integration/lib/pause.sh"
scenario=$root/tests/data/tiny.yaml
levers=$root/tests/data/levers/tiny.yaml
args=(--levers "$levers" --budget 1.5bn --objective births --runs 2 --evals 14 --robustness 2
      --runner-ups 2 --threads 2)

# ---- help ----
"$bin" optimise --help >help.txt || fail "optimise --help exited $?"
grep -q -- '--levers scenarios/examples/levers-hefei.yaml' help.txt || fail "--help gives no example"
"$bin" help optimise | cmp -s - help.txt || fail "'help optimise' differs"
"$bin" --help | grep -q 'optimise' || fail "the main help does not list optimise"

# ---- a search ----
"$bin" optimise "$scenario" "${args[@]}" --out full >out.txt 2>err.txt ||
    fail "optimise exited $?: $(cat err.txt)"
[[ ! -s err.txt ]] || fail "stderr is no terminal, yet: $(cat err.txt)"
cmp -s out.txt full/summary.txt || fail "summary.txt differs from the terminal table"
grep -q '^best mix: ' out.txt || fail "no best mix: $(cat out.txt)"
grep -q 'robustness: the best mix stays best in [0-9] of 2 fresh draws' out.txt || fail "no robustness line"
grep -q '90% interval' out.txt || fail "no 90% interval"
[[ ! -e full.partial ]] || fail "full.partial left behind"
db=full/results.sqlite
best=$(sqlite3 "$db" 'select public_cny_year from optimise_mix where rank = 1')
[[ -n $best ]] || fail "no best mix in optimise_mix"
awk -v p="$best" 'BEGIN { exit !(p <= 1.5e9) }' || fail "the best mix spends $best a year, over the budget"
# every mix reported keeps the budget
over=$(sqlite3 "$db" 'select count(*) from optimise_mix where public_cny_year > 1.5e9')
[[ $over == 0 ]] || fail "$over reported mixes exceed the budget"
n_search=$(sqlite3 "$db" 'select count(*) from optimise_evaluation where draw = 0')
((n_search >= 3 && n_search <= 16)) || fail "search evaluations: $n_search (evals 14 + 2 combinations)"
[[ $(sqlite3 "$db" 'select count(*) from optimise_replication') == $(( $(sqlite3 "$db" 'select count(*) from optimise_evaluation') * 2 )) ]] ||
    fail "optimise_replication: not 2 rows per evaluation"
[[ $(sqlite3 "$db" 'select count(*) from optimise_lever') == 3 ]] || fail "optimise_lever: 3 levers"
[[ $(sqlite3 "$db" "select value from optimise_config where key = 'region'") == Jiashi ]] || fail "optimise_config"
# the fresh draws use run indices 10000 d + i
[[ $(sqlite3 "$db" 'select group_concat(distinct run0) from optimise_evaluation order by run0') == "0,10000,20000" ]] ||
    fail "run0 of the draws: $(sqlite3 "$db" 'select group_concat(distinct run0) from optimise_evaluation')"
[[ $(wc -l <full/optimise.csv) == $((n_search + 1)) ]] || fail "optimise.csv: a header and one row per search evaluation"
# the csv's rank-1 row is the table's best
csv_best=$(awk -F, 'NR > 1 && $2 == 1 { print $1 }' full/optimise.csv)
[[ $csv_best == $(sqlite3 "$db" 'select eval_id from optimise_mix where rank = 1') ]] || fail "optimise.csv rank 1"
# the objective of an evaluation is the mean of its replications
m=$(sqlite3 "$db" "select abs(e.objective - (select avg(births) from optimise_replication r where r.eval_id = e.eval_id)) < 1e-9 from optimise_evaluation e where e.eval_id = $csv_best")
[[ $m == 1 ]] || fail "the objective is not the mean of the replications"

# ---- the report: the answer, the frontier, the mixes, robustness; --runs 2 is warned ----
html=full/report.html
[[ -f $html && -f full/headline.svg ]] || fail "no report.html or headline.svg"
for id in lm-optimise-answer lm-optimise-frontier lm-optimise-mixes lm-optimise-robustness lm-optimise-few-runs; do
    grep -q "id=\"$id\"" "$html" || fail "report.html has no #$id"
done
grep -q 'warning: 2 replications per mix: too few for the 90% intervals' out.txt || fail "no --runs 2 warning"
grep -q 'budget: CNY 1.5 bn a year, 3 bn over the 24 months' "$html" || fail "the budget is not said per year and in total"
# one row per reported mix, and a dot per search evaluation
[[ $(grep -c '<tr><td>' "$html") == $(sqlite3 "$db" 'select count(*) from optimise_mix') ]] || fail "mix rows"
[[ $(grep -c '<circle class="mix' "$html") == "$n_search" ]] || fail "frontier dots: $(grep -c '<circle' "$html") for $n_search evaluations"
cp "$html" first.html
rm "$html" full/headline.svg
"$bin" report full >/dev/null 2>err.txt || fail "longmen report of an optimise folder: $(cat err.txt)"
cmp -s first.html "$html" || fail "longmen report wrote another report.html"

# ---- a shipped levers file for every region of the default scenario, whose every lever
# fits it (one month, one replication: the edits are what is checked) ----
three=$root/scenarios/three-capitals.yaml
for region in $(sed -n 's/^ *name_en: *//p' "$three"); do
    file=$root/scenarios/examples/levers-${region,,}.yaml
    [[ -f $file ]] || fail "no levers file for $region ($file)"
    grep -q "^region: $region\$" "$file" || fail "$file is not $region's"
    "$bin" optimise "$three" --levers "$file" --budget 20bn --runs 1 --evals 4 --robustness 0 \
        --from 2034-12 --to 2034-12 --out "lev-$region" -q >/dev/null 2>err.txt ||
        fail "$file does not fit $three: $(cat err.txt)"
done

# ---- the metrics of a mix are those of the results database: a mix that changes nothing
# (the fund budget at its value in the file) against `run --runs 2` ----
printf 'region: Jiashi\nlevers:\n  - name: same\n    set: "{region}.st_fund.budget_cny_year"\n    values: [1.0e9]\n' >same.yaml
"$bin" optimise "$scenario" --levers same.yaml --budget 5bn --runs 2 --robustness 0 --out same -q >/dev/null 2>err.txt ||
    fail "same: $(cat err.txt)"
"$bin" run "$scenario" --runs 2 --out rr -q >/dev/null 2>err.txt || fail "run --runs 2: $(cat err.txt)"
for i in 0 1; do
    want=$(sqlite3 rr/results.sqlite "
        select sum(births), sum(dragons_new),
          (select high_tech from region_year where run_id = $((i + 1)) and region_id = 0 order by year desc limit 1),
          (select headcount from region_year where run_id = $((i + 1)) and region_id = 0 order by year desc limit 1),
          (select alive from region_year where run_id = $((i + 1)) and region_id = 0 order by year desc limit 1),
          printf('%.6e', (select total(net_cny)
                  from public_year where run_id = $((i + 1)) and region_id = 0))
        from region_year where run_id = $((i + 1)) and region_id = 0")
    got=$(sqlite3 same/results.sqlite "select cast(births as int), cast(dragons as int), cast(high_tech as int),
        cast(jobs as int), cast(firms_alive as int), printf('%.6e', public_cny)
        from optimise_replication where eval_id = 1 and replication = $i")
    [[ $got == "$want" ]] || fail "replication $i: optimise $got, results database $want"
done

# ---- the same search again: identical ----
"$bin" optimise "$scenario" "${args[@]}" --threads 1 --out again -q >/dev/null 2>err.txt || fail "again: $(cat err.txt)"
cmp -s full/optimise.csv again/optimise.csv || fail "a second search (1 thread) differs"

# ---- usage errors ----
for bad in "--budget 1bn" "--levers $levers" "--levers $levers --budget 0" \
    "--levers $levers --budget lots" "--levers $levers --budget 1bn --objective profit" \
    "--levers $levers --budget 1bn --evals 0" "--levers $levers --budget 1bn --robustness -1" \
    "--levers $levers --budget 1bn --frobnicate 3"; do
    rc=0
    # shellcheck disable=SC2086
    "$bin" optimise "$scenario" $bad --out bad >/dev/null 2>err.txt || rc=$?
    [[ $rc == 2 ]] || fail "optimise $bad exited $rc, expected 2: $(cat err.txt)"
done

# ---- bad levers files: file:line:col: field: message, nothing created ----
check_bad() { # name, text, expected start of the message
    printf '%s' "$2" >"$1.yaml"
    rc=0
    "$bin" optimise "$scenario" --levers "$1.yaml" --budget 1bn --runs 1 --out bad >/dev/null 2>err.txt || rc=$?
    [[ $rc == 1 ]] || fail "$1: exited $rc, expected 1: $(cat err.txt)"
    [[ $(wc -l <err.txt) == 1 ]] || fail "$1: not one line: $(cat err.txt)"
    grep -qF "longmen: $1.yaml:$3" err.txt || fail "$1: got $(cat err.txt), want $1.yaml:$3"
    [[ ! -e bad && ! -e bad.partial ]] || fail "$1: a folder was created"
}
check_bad typo $'region: Jiashi\nlevers:\n  - name: a\n    set: "{region}.st_fund.loss_tolerance"\n    mn: 0.1\n    max: 0.2\n' \
    '5:5: levers[0].mn: unknown key; did you mean "min"?'
check_bad range $'region: Jiashi\nlevers:\n  - name: a\n    set: "{region}.st_fund.loss_tolerance"\n    min: 0.3\n    max: 0.2\n' \
    '6:10: levers[0].max: expected a number > min'
check_bad syntax $'region: Jiashi\nlevers: [\n' '3:1:'
check_bad nolevers $'region: Jiashi\n' '1:1: levers: required key "levers" is missing'
# an edit the scenario cannot take: reported at the lever, with the scenario's own message
check_bad nofit $'region: Jiashi\nlevers:\n  - name: a\n    set: "{region}.matchmaking.deals_seen_multiplier"\n    values: [1, 2]\n' \
    "3:5: levers[0]: lever a at 1 does not fit the scenario:"
grep -q "has no matchmaking policy" err.txt || fail "nofit: $(cat err.txt)"
check_bad badvalue $'region: Jiashi\nlevers:\n  - name: a\n    set: "{region}.st_fund.loss_tolerance"\n    min: 0.5\n    max: 2\n' \
    "3:5: levers[0]: lever a at 2 does not fit the scenario:"
rc=0
"$bin" optimise "$scenario" --levers "$levers" --budget 1bn --region Nowhere --runs 1 --out bad >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q 'no region of that name' err.txt || fail "--region Nowhere: $rc $(cat err.txt)"

# ---- resume after a crash: the database of an interrupted search, cut after 5 evaluations ----
mkdir cut.partial
cp full/results.sqlite cut.partial/
sqlite3 cut.partial/results.sqlite "delete from optimise_evaluation where eval_id > 5;
    delete from optimise_value where eval_id > 5; delete from optimise_replication where eval_id > 5;
    delete from optimise_mix; delete from optimise_lever;"
rc=0
"$bin" optimise "$scenario" "${args[@]}" --out cut -q >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q 'holds an interrupted search' err.txt || fail "no --resume: $rc $(cat err.txt)"
"$bin" optimise "$scenario" "${args[@]}" --out cut --resume >cut.txt 2>err.txt || fail "--resume: $(cat err.txt)"
cmp -s full/optimise.csv cut/optimise.csv || fail "a resumed search differs: $(diff full/optimise.csv cut/optimise.csv | head)"
diff <(grep -v '^results:' out.txt) <(grep -v '^results:' cut.txt) >/dev/null || fail "the resumed summary differs"
for t in optimise_evaluation optimise_value optimise_replication optimise_mix optimise_lever; do
    [[ $(sqlite3 full/results.sqlite "select * from $t" | md5sum) == $(sqlite3 cut/results.sqlite "select * from $t" | md5sum) ]] ||
        fail "table $t differs after --resume"
done
# a resume with another R is refused
mkdir other.partial
cp full/results.sqlite other.partial/
rc=0
"$bin" optimise "$scenario" "${args[@]}" --runs 3 --out other --resume >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q 'another runs' err.txt || fail "--resume with other --runs: $rc $(cat err.txt)"

# ---- a signal (Ctrl-C, SIGTERM) keeps the finished evaluations; --resume finishes identically ----
long=(--levers "$levers" --budget 1bn --objective births --runs 4 --evals 40 --robustness 2 --threads 1)
"$bin" optimise "$scenario" "${long[@]}" --out whole -q >/dev/null 2>err.txt || fail "whole: $(cat err.txt)"
# Held after its 3rd evaluation is committed (LM_PAUSE_AT, lib/pause.sh), then stopped.
LM_PAUSE_AT=evaluation:3 "$bin" optimise "$scenario" "${long[@]}" --out stopped -q >/dev/null 2>err.txt &
pid=$!
wait_paused "$pid" err.txt
kill -TERM "$pid" # (SIGINT is ignored by a background job of a script)
rc=0
wait "$pid" || rc=$?
[[ $rc == 143 ]] || fail "interrupted search exited $rc: $(cat err.txt)"
[[ -d stopped.partial && ! -e stopped ]] || fail "after Ctrl-C: no partial folder"
grep -q 'with --resume continues' err.txt || fail "after Ctrl-C: $(cat err.txt)"
kept=$(sqlite3 stopped.partial/results.sqlite 'select count(*) from optimise_evaluation')
[[ $kept == 3 ]] || fail "the stopped search kept $kept evaluations, expected 3"
echo "cli_optimise: stopped by SIGTERM with $kept evaluations kept; resuming"
"$bin" optimise "$scenario" "${long[@]}" --out stopped --resume -q >/dev/null 2>err.txt || fail "resume after Ctrl-C: $(cat err.txt)"
cmp -s whole/optimise.csv stopped/optimise.csv || fail "resumed after Ctrl-C differs from the uninterrupted search"

# ---- kill -9: the partial database holds complete evaluations only; --resume finishes ----
# Held after its 5th evaluation is committed, then killed: a crash at a known point.
LM_PAUSE_AT=evaluation:5 "$bin" optimise "$scenario" "${long[@]}" --out killed -q >/dev/null 2>err.txt &
pid=$!
wait_paused "$pid" err.txt
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
[[ -d killed.partial && ! -e killed ]] || fail "after kill -9: no partial folder, or a final one"
kept=$(sqlite3 killed.partial/results.sqlite 'select count(*) from optimise_evaluation')
[[ $kept == 5 ]] || fail "the killed search kept $kept evaluations, expected 5"
"$bin" optimise "$scenario" "${long[@]}" --out killed --resume -q >/dev/null 2>err.txt || fail "resume after kill -9: $(cat err.txt)"
cmp -s whole/optimise.csv killed/optimise.csv || fail "resumed after kill -9 differs from the uninterrupted search"
for t in optimise_evaluation optimise_replication optimise_mix; do
    [[ $(sqlite3 whole/results.sqlite "select * from $t" | md5sum) == $(sqlite3 killed/results.sqlite "select * from $t" | md5sum) ]] ||
        fail "table $t differs after kill -9 and --resume"
done
echo "cli_optimise: ok"
