#!/usr/bin/env bash
# tests/integration/cli_bad_input.sh -- bad input fails cleanly: a missing or malformed
# scenario gives exit 1 and one stderr line (for a malformed one pointing into the file as
# file:line:col: field:), and creates no results folder, no temporary folder, nothing.
# Usage: bash cli_bad_input.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

fail() { echo "cli_bad_input: $*" >&2; exit 1; }
tiny=$root/tests/data/tiny.yaml
[[ -f $tiny ]] || fail "missing test scenario $tiny"

mkdir work && cd work
# expect_failure <args...>: exit 1, exactly one stderr line, nothing created here.
expect_failure() {
    local rc=0
    "$bin" run "$@" >../out.txt 2>../err.txt || rc=$?
    [[ $rc == 1 ]] || fail "'longmen run $*' exited $rc, expected 1: $(cat ../err.txt)"
    [[ $(wc -l <../err.txt) == 1 ]] || fail "'longmen run $*': expected one error line, got: $(cat ../err.txt)"
    grep -q '^longmen: ' ../err.txt || fail "'longmen run $*': error line is $(cat ../err.txt)"
    [[ ! -s ../out.txt ]] || fail "'longmen run $*' printed on stdout: $(cat ../out.txt)"
}
# the only entry allowed in work/: the scenario written for the test
shopt -s nullglob dotglob
nothing_created() {
    local f
    for f in *; do
        [[ $f == bad.yaml ]] || fail "$1 left '$f' behind"
    done
}

expect_failure missing.yaml
grep -q 'missing.yaml' ../err.txt || fail "the error does not name the file: $(cat ../err.txt)"
nothing_created "a missing scenario"
expect_failure missing.yaml --out res
nothing_created "a missing scenario with --out"

# A negative population, at a line and column the loader must report.
sed -E '0,/population_10k:/s/(population_10k:[[:space:]]*)[-+0-9.eE]+/\1-1234.5/' "$tiny" >bad.yaml
cmp -s "$tiny" bad.yaml && fail "could not find population_10k in $tiny to break it"
line=$(grep -n 'population_10k: *-1234.5' bad.yaml | head -n1 | cut -d: -f1)
expect_failure bad.yaml --out res
grep -qE "bad\.yaml:$line:[0-9]+: [^ ]*population_10k: " ../err.txt ||
    fail "expected 'bad.yaml:$line:<col>: ...population_10k: ...', got: $(cat ../err.txt)"
nothing_created "a malformed scenario"
expect_failure bad.yaml
nothing_created "a malformed scenario with the default folder"

# A period outside the scenario's is bad input too (exit 1, not a usage error).
expect_failure "$tiny" --from 1990-01 --out res
nothing_created "--from outside the scenario's period"
# Unknown names and units: one line naming the closest valid choice and the valid ones;
# an amount split in two words is a usage error, not a scenario file ("billion: cannot open").
# expect_cmd <exit> <fixed string the line must hold> <args...>
expect_cmd() {
    local want_rc=$1 want=$2 rc=0
    shift 2
    "$bin" "$@" >../out.txt 2>../err.txt || rc=$?
    [[ $rc == "$want_rc" ]] || fail "'longmen $*' exited $rc, expected $want_rc: $(cat ../err.txt)"
    grep -qF -- "$want" ../err.txt || fail "'longmen $*': want '$want' in: $(cat ../err.txt)"
    [[ $(grep -c '^longmen: ' ../err.txt) == 1 ]] || fail "'longmen $*': $(cat ../err.txt)"
}
expect_cmd 1 "no region named 'jiashl' in the scenario (jiashl:Yishi.lab); did you mean \"Jiashi\"? Valid: 甲市, Jiashi, 乙市, Yishi" \
    compare "$tiny" --adopt jiashl:Yishi.lab --runs 1 --out res
expect_cmd 1 "'st_fnd' is no policy kind" compare "$tiny" --add Yishi:Jiashi.st_fnd --runs 1 --out res
grep -qF 'did you mean "st_fund"? Valid: st_fund, innovation_fund,' ../err.txt || fail "kinds: $(cat ../err.txt)"
expect_cmd 1 'unknown unit "bln"; did you mean "bn"?' \
    compare "$tiny" --policy Jiashi.st_fund.budget_cny_year=10bln --runs 1 --out res
expect_cmd 2 "--budget 10 billion: write the amount as one word, e.g. --budget 10bn" \
    optimise "$tiny" --region Jiashi --budget 10 billion --levers x.yaml --out res
expect_cmd 2 'unknown unit "bln"; did you mean "bn"?' \
    optimise "$tiny" --region Jiashi --budget 10bln --levers x.yaml --out res
expect_cmd 1 'did you mean "loss_tolerance"?' \
    compare "$tiny" --policy Jiashi.st_fund.loss_tolerence=0.3 --runs 1 --out res
nothing_created "unknown names and units"
echo "cli_bad_input: ok"
