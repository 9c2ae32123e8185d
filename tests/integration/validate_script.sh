#!/usr/bin/env bash
# tests/integration/validate_script.sh -- scripts/validate.sh, the one command behind
# docs/validation.md's tables, on tests/data/tiny.yaml: a small fit with standard errors, then
# the evaluation of the fitted point over several replications, written into a copy of a page
# between its markers: the parameters with their standard errors, the fit and check tables
# apart with the values of the evaluation's moments.csv, the rest of the page untouched, the
# plot drawn; a page without the markers is refused and left as it was.
# Usage: bash validate_script.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
fail() { echo "validate_script: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
scenario=$root/tests/data/tiny.yaml
# a targets file with a check target: survival is reported, never fitted
sed 's/^  - name: survival_1y$/  - name: survival_1y\n    use: check/' "$root/calibration/smoke.yaml" >targets.yaml
grep -q "use: check" targets.yaml || fail "no check target in the test's targets file"
"$bin" calibrate "$scenario" --targets targets.yaml --budget 3 --runs 2 --out fit -q >/dev/null 2>err.txt ||
    fail "calibrate exited $?: $(cat err.txt)"
echo "longmen calibrate tiny.yaml --targets targets.yaml --budget 3 --runs 2" >fit/command.txt
mkdir img
printf '# A page\n\nbefore\n\n<!-- scripts/validate.sh: begin (generated, do not edit by hand) -->\nold\n<!-- scripts/validate.sh: end -->\n\nbetween\n\n<!-- scripts/validate.sh: dragons begin (generated, do not edit by hand) -->\nold dragons\n<!-- scripts/validate.sh: dragons end -->\n\nafter\n' >page.md
# the fitted point: validate.sh evaluates the targets with the fit's values as their starts
bash "$root/scripts/validate.sh" --bin "$bin" --scenario "$scenario" --targets targets.yaml \
    --fit fit --runs 3 --to 2016-12 --out v --doc page.md --dragon-runs 2 --dragon-region 甲市 >out.txt 2>err.txt ||
    fail "validate.sh exited $?: $(cat err.txt)"
# the evaluation ran at the fitted point
at=$(sqlite3 v/check/results.sqlite "select group_concat(printf('%.9g', value), ' ') from
        (select value from calibration_value where evaluation = 1 order by param)")
fitted=$(tail -n +2 fit/parameters.csv | cut -d, -f2 | xargs printf '%.9g ' | sed 's/ $//')
[[ $at == "$fitted" ]] || fail "evaluated at '$at', fitted '$fitted'"
grep -q "^before$" page.md && grep -q "^between$" page.md && grep -q "^after$" page.md ||
    fail "the page outside the markers changed"
! grep -q "^old$" page.md && ! grep -q "^old dragons$" page.md || fail "an old block is still there"
# the dragons' sectors: the region's dragons founded 2015-2024 per history, and the essay's six
[[ $(sqlite3 v/dragons/results.sqlite "select count(*) from run") == 2 ]] || fail "not 2 dragon runs"
n=$(sqlite3 v/dragons/results.sqlite "select printf('%.3g', count(*) / 2.0) from dragon where region = '甲市'
        and founded_year between 2015 and 2024 and dragon_year <= 2025")
row=$(grep '^| all |' page.md) || fail "no dragons table: $(cat page.md)"
awk -F'|' -v n="$n" '{ gsub(/ /, "", $3); exit !($3 + 0 == n + 0) }' <<<"$row" || fail "dragons: page '$row', database $n"
[[ $(cut -d'|' -f5 <<<"$row" | tr -d ' ') == 6 ]] || fail "the essay's six: $row"
grep -q '^| .*(`robotics`) | .* | 2 (Unitree, Deep Robotics) |$' page.md || fail "no robotics row: $(cat page.md)"
grep -q '^### Fit: the essay.s figures' page.md || fail "no fit table: $(cat page.md)"
grep -q '^### Check: published stylized facts, never fitted (. of 1 within' page.md || fail "no check table of 1"
# every target of the evaluation is in its table, with its mean
tail -n +2 v/check/moments.csv | while IFS=, read -r _ name _; do
    row=$(grep "^| $name |" page.md) || fail "target $name missing"
done
mean=$(awk -F, '$2 == "births_jiashi" { print $7 }' v/check/moments.csv)
m=$(grep '^| births_jiashi |' page.md | cut -d'|' -f4 | tr -d ' ,')
awk -v a="$mean" -v b="$m" 'BEGIN { exit !((a - b) ^ 2 < 0.25 + 1e-6 * a * a) }' ||
    fail "births_jiashi: page says $m, moments.csv $mean"
# the check target sits in the check table, after its heading
awk '/^### Check/ { c = 1 } /^\| survival_1y \|/ { exit !c }' page.md || fail "survival_1y outside the check table"
grep -q '^| `params.entry.base_rate` |' page.md || fail "no parameter row"
se=$(awk -F, '$1 == "params.entry.base_rate" { print $3 }' fit/parameters.csv)
[[ -n $se ]] || fail "no standard error in parameters.csv"
grep -q 'longmen calibrate tiny.yaml --targets targets.yaml --budget 3 --runs 2' page.md || fail "the fit's command is not said"
grep -q '<circle' img/validation-fit.svg || fail "no plot"
# a fitted value near a bound with a local search only (BOBYQA would move its first point
# inward): the evaluation is still at the fitted point
cp -r fit fit2
awk -F, -v OFS=, '$1 == "params.entry.base_rate" { $2 = "1.05e-05" } { print }' fit/parameters.csv >fit2/parameters.csv
sed 's/^  global: crs2$/  global: none/' targets.yaml >targets2.yaml
grep -q '^  global: none$' targets2.yaml || fail "no local-only targets file"
cp page.md page2.md
bash "$root/scripts/validate.sh" --bin "$bin" --scenario "$scenario" --targets targets2.yaml \
    --fit fit2 --runs 1 --to 2015-06 --out v3 --doc page2.md --dragon-runs 0 >/dev/null 2>err.txt ||
    fail "validate.sh (local-only) exited $?: $(cat err.txt)"
at=$(sqlite3 v3/check/results.sqlite "select printf('%.9g', value) from calibration_value
        where evaluation = 1 and param = 0")
[[ $at == 1.05e-05 ]] || fail "a local-only targets file was evaluated at base_rate $at, not 1.05e-05"
# a page without markers: refused, unchanged
printf '# no markers\n' >bare.md
cp bare.md bare0.md
rc=0
bash "$root/scripts/validate.sh" --bin "$bin" --scenario "$scenario" --targets targets.yaml \
    --fit fit --runs 2 --to 2016-12 --out v2 --doc bare.md >/dev/null 2>err.txt || rc=$?
[[ $rc != 0 ]] && grep -q "no .* block to replace" err.txt || fail "a page without markers: exit $rc, $(cat err.txt)"
cmp -s bare.md bare0.md || fail "the page without markers was changed"
echo "validate_script: ok"
