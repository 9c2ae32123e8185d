#!/usr/bin/env bash
# tests/integration/cli_optimise.sh -- `longmen optimise` end to end on tests/data/tiny.yaml
# with tests/data/levers/tiny.yaml (docs/experiments.md, "optimise"): the search runs, the
# best mix keeps the budget (simulated public money a year), the tables and files are there
# and agree; --help; usage errors exit 2; bad levers files are one error line
# file:line:col: field: message and leave no folder; a search cut after some evaluations
# (the database of an interrupted job) and one stopped by SIGTERM both end, with --resume,
# exactly as an uninterrupted search; so does one killed with kill -9. --precision: every mix
# gets batches of --runs until its 90% half-width is narrow enough or --max-runs, its outcome
# is that of --runs its final count, and --resume and SIGTERM hold with it.
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
grep -q -- '--precision H ' help.txt && grep -q -- '--max-runs N ' help.txt || fail "--help: no --precision or --max-runs"
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
grep -q 'budget: CNY 1.5 bn a year, 3 bn in total over the 2 years of the policy era' "$html" ||
    fail "the budget is not said per year and in total"
grep -q 'given per year (--budget AMOUNT/year)' "$html" || fail "the report does not say how the budget was given"
grep -q 'under 1.5 bn CNY a year (3 bn in total over the 2 years of the policy era)' out.txt ||
    fail "the summary does not say the budget per year and in total"
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

# ---- a total budget is the same search as its yearly share of the policy era ----
"$bin" optimise "$scenario" --levers "$levers" --budget 3bn/total --objective births --runs 1 \
    --evals 4 --robustness 0 --out total >total.txt 2>err.txt || fail "--budget 3bn/total: $(cat err.txt)"
grep -q 'under 1.5 bn CNY a year (--budget 3 bn in total over the 2 years of the policy era)' total.txt ||
    fail "a total budget is not spread over the policy era: $(head -n 1 total.txt)"
grep -q 'given as a total (--budget AMOUNT/total)' total/report.html || fail "the report does not say the budget was a total"

# ---- usage errors ----
for bad in "--budget 1bn" "--levers $levers" "--levers $levers --budget 0" \
    "--levers $levers --budget lots" "--levers $levers --budget 1bn --objective profit" \
    "--levers $levers --budget 1bn --evals 0" "--levers $levers --budget 1bn --robustness -1" \
    "--levers $levers --budget 1bn --frobnicate 3" "--levers $levers --budget 1bn --max-runs 5" \
    "--levers $levers --budget 1bn --precision 0" "--levers $levers --budget 1bn --precision wide" \
    "--levers $levers --budget 1bn --runs 5 --precision 1 --max-runs 4" \
    "--levers $levers --budget 1bn/month" "--levers $levers --budget /total"; do
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
# ---- --precision: per mix, batches of --runs until the 90% half-width of the mean objective
# is at most H or --max-runs; a mix's outcome is that of --runs its final count ----
pbase=(--levers "$levers" --budget 1.5bn --objective births --runs 3 --evals 4 --robustness 1
       --runner-ups 1 --threads 2)
prec=("${pbase[@]}" --max-runs 30)
# H is scaled to the noise of Jiashi's births, so that the mixes stop at different counts:
# founders follow the few first rounds tiny.yaml closes (docs/model.md 7.2), a noisy record.
# Tiny's fund no longer binds (its firms live on their founders' savings and contract work
# before they seek money, docs/model.md 7.5), so only the lab moves births: at 18 runs the
# mix without it has a half-width of 59.2 and those with it 61.5, so H = 60 parts them (they
# stop at 18 and 21 runs)
H=60
"$bin" optimise "$scenario" "${prec[@]}" --precision Jiashi.births=$H --out prec >prec.txt 2>err.txt ||
    fail "--precision: $(cat err.txt)"
grep -q "^precision births: batches of 3 runs per mix until the 90% half-width of its mean is at most $H, or 30 runs" prec.txt ||
    fail "--precision: no precision line: $(cat prec.txt)"
grep -q 'search evaluations x 3 to 30 runs' prec.txt || fail "--precision: the runs are not said"
db=prec/results.sqlite
# every evaluation: a multiple of 3 up to 30 runs, each stored, narrow enough unless at 30
bad=$(sqlite3 "$db" "select count(*) from optimise_evaluation e where runs % 3 != 0 or runs < 3
    or runs > 30 or (runs < 30 and (objective_hi - objective_lo) / 2 > $H)
    or runs != (select count(*) from optimise_replication r where r.eval_id = e.eval_id)
    or runs != (select 1 + max(replication) from optimise_replication r where r.eval_id = e.eval_id)")
[[ $bad == 0 ]] || fail "--precision: $bad evaluations break the rule"
[[ $(sqlite3 "$db" 'select count(distinct runs) from optimise_evaluation where draw = 0') -ge 2 ]] ||
    fail "--precision: every mix got the same runs: $(sqlite3 "$db" 'select runs from optimise_evaluation')"
# the table says each reported mix's runs; the best mix's line its own count
best_runs=$(sqlite3 "$db" 'select e.runs from optimise_mix m join optimise_evaluation e using (eval_id) where m.rank = 1')
grep -q "^best .* $best_runs; fresh [0-9]" prec.txt || fail "--precision: no runs column for the best mix ($best_runs)"
grep -q "(${best_runs} runs, common random numbers)" prec.txt || fail "--precision: the best mix's runs"
grep -q "then 3 more at a time until the 90% interval of its mean births has half-width at most $H, or 30 times" prec/report.html &&
    grep -q 'fresh draw of 3 to 30 replications each' prec/report.html || fail "--precision: report.html does not say the rule"
# the two screened mixes (eval 1 and 2 of any search) against plain --runs N, N their count:
# the same numbers to the bit; and N - 3 runs were not yet narrow enough
for id in 1 2; do
    n=$(sqlite3 "$db" "select runs from optimise_evaluation where eval_id = $id")
    mix=$(sqlite3 "$db" "select mix from optimise_evaluation where eval_id = $id")
    plain=(--levers "$levers" --budget 1.5bn --objective births --evals 1 --robustness 0 --threads 2)
    "$bin" optimise "$scenario" "${plain[@]}" --runs "$n" --out "plain$id" -q >/dev/null 2>err.txt ||
        fail "plain --runs $n: $(cat err.txt)"
    same=$(sqlite3 "$db" "attach 'plain$id/results.sqlite' as b;
        select count(*) from optimise_evaluation e join b.optimise_evaluation f using (draw, mix)
        where e.eval_id = $id and e.runs = f.runs and e.objective = f.objective
          and e.objective_lo = f.objective_lo and e.objective_hi = f.objective_hi
          and e.public_cny_year = f.public_cny_year and e.public_lo = f.public_lo
          and e.public_hi = f.public_hi")
    [[ $same == 1 ]] || fail "--precision: mix $mix after $n runs differs from --runs $n"
    reps=$(sqlite3 "$db" "attach 'plain$id/results.sqlite' as b;
        select count(*) from optimise_replication r join b.optimise_evaluation f on f.mix = '$mix' and f.draw = 0
          join b.optimise_replication s on s.eval_id = f.eval_id and s.replication = r.replication
        where r.eval_id = $id and r.run = s.run and r.births = s.births and r.public_cny = s.public_cny
          and r.dragons = s.dragons and r.jobs = s.jobs")
    [[ $reps == "$n" ]] || fail "--precision: $reps of $n replications of mix $mix as --runs $n"
    if ((n > 3 && n < 30)); then
        "$bin" optimise "$scenario" "${plain[@]}" --runs $((n - 3)) --out "fewer$id" -q >/dev/null 2>err.txt ||
            fail "plain --runs $((n - 3)): $(cat err.txt)"
        wide=$(sqlite3 "fewer$id/results.sqlite" "select (objective_hi - objective_lo) / 2 > $H
            from optimise_evaluation where mix = '$mix' and draw = 0")
        [[ $wide == 1 ]] || fail "--precision: mix $mix was narrow enough after $((n - 3)) runs, yet got $n"
    fi
done
# the same search with H alone or METRIC=H; another metric, or another region, is refused
"$bin" optimise "$scenario" "${prec[@]}" --precision $H --out prec-h -q >/dev/null 2>err.txt || fail "--precision $H: $(cat err.txt)"
cmp -s prec/optimise.csv prec-h/optimise.csv || fail "--precision $H differs from Jiashi.births=$H"
for bad in jobs=5 Yishi.births=5; do
    rc=0
    "$bin" optimise "$scenario" "${prec[@]}" --precision $bad --out bad >/dev/null 2>err.txt || rc=$?
    [[ $rc == 1 ]] && grep -q "optimise's rule is on its objective" err.txt ||
        fail "--precision $bad: $rc $(cat err.txt)"
done
# --resume: the cache holds the rule; a search cut after 3 evaluations ends as the whole one
mkdir pcut.partial
cp "$db" pcut.partial/
sqlite3 pcut.partial/results.sqlite "delete from optimise_evaluation where eval_id > 3;
    delete from optimise_value where eval_id > 3; delete from optimise_replication where eval_id > 3;
    delete from optimise_mix; delete from optimise_lever;"
[[ $(sqlite3 pcut.partial/results.sqlite "select value from optimise_config where key = 'precision'") == "$H max 30" ]] ||
    fail "optimise_config has no precision"
for other in "--precision 4 --max-runs 30" "--precision $H --max-runs 27" ""; do
    mkdir pother.partial
    cp pcut.partial/results.sqlite pother.partial/
    rc=0
    # shellcheck disable=SC2086
    "$bin" optimise "$scenario" "${pbase[@]}" $other --out pother --resume >/dev/null 2>err.txt || rc=$?
    [[ $rc == 1 ]] && grep -q 'another precision' err.txt || fail "--resume with '$other': $rc $(cat err.txt)"
    rm -rf pother.partial
done
"$bin" optimise "$scenario" "${prec[@]}" --precision $H --out pcut --resume -q >/dev/null 2>err.txt ||
    fail "--precision --resume: $(cat err.txt)"
for t in optimise_evaluation optimise_replication optimise_mix; do
    [[ $(sqlite3 "$db" "select * from $t" | md5sum) == $(sqlite3 pcut/results.sqlite "select * from $t" | md5sum) ]] ||
        fail "--precision: table $t differs after --resume"
done
# a database written before the rule was kept holds plain evaluations: --resume takes it
# without --precision, refuses it with
for legacy in legacy-p legacy; do
    mkdir $legacy.partial
    cp full/results.sqlite $legacy.partial/
    sqlite3 $legacy.partial/results.sqlite "delete from optimise_config where key = 'precision'"
done
rc=0
"$bin" optimise "$scenario" "${args[@]}" --precision $H --out legacy-p --resume >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q 'another precision' err.txt || fail "--precision on a legacy database: $rc $(cat err.txt)"
"$bin" optimise "$scenario" "${args[@]}" --out legacy --resume -q >/dev/null 2>err.txt || fail "legacy --resume: $(cat err.txt)"
cmp -s full/optimise.csv legacy/optimise.csv || fail "a legacy database resumed differs"
# SIGTERM keeps the finished evaluations; --resume finishes as the whole search
LM_PAUSE_AT=evaluation:2 "$bin" optimise "$scenario" "${prec[@]}" --precision $H --out pstop -q >/dev/null 2>err.txt &
pid=$!
wait_paused "$pid" err.txt
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc == 143 ]] || fail "--precision: interrupted search exited $rc: $(cat err.txt)"
[[ $(sqlite3 pstop.partial/results.sqlite 'select count(*) from optimise_evaluation') == 2 ]] ||
    fail "--precision: the stopped search did not keep 2 evaluations"
"$bin" optimise "$scenario" "${prec[@]}" --precision $H --out pstop --resume -q >/dev/null 2>err.txt ||
    fail "--precision: resume after SIGTERM: $(cat err.txt)"
cmp -s prec/optimise.csv pstop/optimise.csv || fail "--precision: resumed after SIGTERM differs"
echo "cli_optimise: ok"
