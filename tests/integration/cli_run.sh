#!/usr/bin/env bash
# tests/integration/cli_run.sh -- `longmen run` end to end on tests/data/tiny.yaml: the
# results folder holds results.sqlite and summary.txt, Chinese region names survive into
# the database and the terminal table, an existing folder is refused (and left intact)
# unless --force, and nothing is drawn on a stderr that is not a terminal.
# Usage: bash cli_run.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

fail() { echo "cli_run: $*" >&2; exit 1; }
scenario=$root/tests/data/tiny.yaml
[[ -f $scenario ]] || fail "missing test scenario $scenario"
out=$tmp/out/tiny

rc=0
"$bin" run "$scenario" --seed 11 --out "$out" >stdout.txt 2>stderr.txt || rc=$?
[[ $rc == 0 ]] || fail "run exited $rc: $(cat stderr.txt)"
[[ ! -s stderr.txt ]] || fail "stderr is not a terminal, yet the run wrote to it: $(cat stderr.txt)"
[[ -f $out/results.sqlite ]] || fail "no $out/results.sqlite"
[[ -f $out/summary.txt ]] || fail "no $out/summary.txt"
[[ -z $(find "$tmp/out" -maxdepth 1 -name '*.tmp*') ]] || fail "a temporary folder is left: $(ls -A "$tmp/out")"

runs=$(sqlite3 "$out/results.sqlite" 'select count(*) from run')
[[ $runs == 1 ]] || fail "run table has $runs rows, expected 1"
rows=$(sqlite3 "$out/results.sqlite" "select count(*) from region_year where region = '甲市'")
[[ $rows -gt 0 ]] || fail "region_year has no rows for 甲市"

grep -q '甲市' stdout.txt || fail "the terminal table does not show 甲市: $(cat stdout.txt)"
grep -q '乙市' stdout.txt || fail "the terminal table does not show 乙市"
grep -q '^total' stdout.txt || fail "the terminal table has no total row"
grep -q "^results: $out" stdout.txt || fail "stdout does not name the results folder"
cmp -s stdout.txt "$out/summary.txt" || fail "summary.txt is not the table printed on the terminal"

# Again without --force: refused, exit 1, one line, the folder untouched.
before=$(cd "$out" && sha256sum results.sqlite summary.txt)
rc=0
"$bin" run "$scenario" --seed 12 --out "$out" >stdout2.txt 2>stderr2.txt || rc=$?
[[ $rc == 1 ]] || fail "second run without --force exited $rc, expected 1"
[[ $(wc -l <stderr2.txt) == 1 ]] || fail "expected one error line, got: $(cat stderr2.txt)"
grep -q '^longmen: ' stderr2.txt || fail "error line: $(cat stderr2.txt)"
after=$(cd "$out" && sha256sum results.sqlite summary.txt)
[[ $before == "$after" ]] || fail "the refused run changed the existing folder"
[[ -z $(find "$tmp/out" -maxdepth 1 -name '*.tmp*') ]] || fail "the refused run left a temporary folder"

# With --force: replaced.
"$bin" run "$scenario" --seed 12 --out "$out" --force --quiet >stdout3.txt 2>stderr3.txt ||
    fail "run --force exited $?: $(cat stderr3.txt)"
[[ ! -s stderr3.txt ]] || fail "run --force wrote to stderr: $(cat stderr3.txt)"
seed=$(sqlite3 "$out/results.sqlite" 'select seed from run')
[[ $seed == 12 ]] || fail "--force did not replace the folder (seed $seed)"
grep -q '^total' stdout3.txt || fail "--quiet must still print the table"

# The default folder: runs/<scenario>-seed<N> under the current folder.
"$bin" run "$scenario" --seed 5 --quiet >stdout4.txt 2>stderr4.txt ||
    fail "run with the default folder exited $?: $(cat stderr4.txt)"
default=$(find runs -mindepth 1 -maxdepth 1 -name '*-seed5' 2>/dev/null | head -n1)
[[ -n $default && -f $default/results.sqlite ]] || fail "no runs/<scenario>-seed5/results.sqlite: $(ls -R runs 2>&1)"

echo "cli_run: ok"
