#!/usr/bin/env bash
# tests/integration/cli_sensitivity.sh -- `longmen sensitivity` end to end on
# tests/data/tiny.yaml with tests/data/sensitivity/tiny.yaml (docs/experiments.md): N (d + 2)
# points x R runs in one database with the sensitivity tables, the ranked table on stdout and
# in summary.txt, sensitivity.csv and sensitivity.svg, indices in sane ranges, a constant
# output shown as "-"; --help; usage errors exit 2; bad params files give one
# file:line:col: field: message line and exit 1, before any folder is made; an analysis
# stopped by a signal keeps complete replications, and --resume ends with the database,
# table and csv of an uninterrupted analysis.
# Usage: bash cli_sensitivity.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "cli_sensitivity: $*" >&2; exit 1; }
# shellcheck source=lib/results.sh
source "$root/tests/integration/lib/results.sh"
# shellcheck source=lib/pause.sh
source "$root/tests/integration/lib/pause.sh"
scenario=$root/tests/data/tiny.yaml
params=$root/tests/data/sensitivity/tiny.yaml

"$bin" sensitivity --help >help.txt || fail "sensitivity --help exited $?"
grep -q -- '--params FILE' help.txt || fail "sensitivity --help does not describe --params"
grep -q 'sensitivity-hangzhou.yaml' help.txt || fail "sensitivity --help gives no example"
"$bin" help sensitivity | cmp -s - help.txt || fail "'help sensitivity' differs"
"$bin" --help | grep -q 'sensitivity' || fail "longmen --help does not list sensitivity"
"$bin" sensitivity "$root/scenarios/three-capitals.yaml" \
    --params "$root/scenarios/examples/sensitivity-hangzhou.yaml" --points 2 --from 2015-01 --to 2015-01 \
    --out example -q >/dev/null 2>err.txt || fail "the shipped example fails: $(cat err.txt)"
[[ $(sqlite3 example/results.sqlite 'select count(*) from sensitivity_index') == 30 ]] ||
    fail "the shipped example: expected 5 parameters x 6 outputs in sensitivity_index"

# ---- a run: 3 parameters, N = 32: 160 points ----
"$bin" sensitivity "$scenario" --params "$params" --points 32 --to 2015-06 --threads 2 \
    --bootstrap 500 --out sens >out.txt 2>err.txt || fail "sensitivity exited $?: $(cat err.txt)"
[[ ! -s err.txt ]] || fail "stderr is no terminal, yet: $(cat err.txt)"
grep -q '3 parameters, N = 32, 160 points x 1 runs' out.txt || fail "no design line: $(head -3 out.txt)"
cmp -s out.txt sens/summary.txt || fail "summary.txt differs from the terminal table"
grep -q '^births, total' out.txt || fail "no births table"
grep -q '^alive, 甲市' out.txt || fail "no table for Jiashi's firms alive"
grep -q 'the output does not vary over the design' out.txt || fail "the constant output (public) is not flagged"
for f in results.sqlite sensitivity.csv sensitivity.svg summary.txt report.html; do
    [[ -s sens/$f ]] || fail "sens/$f missing"
done
[[ ! -e sens.partial ]] || fail "sens.partial left behind"
q() { sqlite3 sens/results.sqlite "$1"; }
[[ $(q 'select count(*) from run') == 160 ]] || fail "expected 160 runs"
[[ $(q 'select count(*) from sensitivity_point') == 160 ]] || fail "expected 160 points"
[[ $(q "select count(*) from sensitivity_point where matrix = 'AB' and param = 2") == 32 ]] || fail "AB_3 block"
[[ $(q 'select count(*) from sensitivity_index') == 12 ]] || fail "expected 3 x 4 indices"
[[ $(q 'select n || " " || params || " " || bootstrap from sensitivity') == "32 3 500" ]] || fail "sensitivity row"
# AB_i differs from A only in column i, and takes column i from B.
[[ $(q "select count(*) from sensitivity_value ab join sensitivity_point p using (point_id)
        join sensitivity_value a on a.point_id = p.sample and a.param = ab.param
        join sensitivity_value b on b.point_id = 32 + p.sample and b.param = ab.param
        where p.matrix = 'AB' and ((ab.param = p.param and ab.value <> b.value)
                                   or (ab.param <> p.param and ab.value <> a.value))") == 0 ]] ||
    fail "an AB_i point differs from A outside column i"
# Ranges: every point estimate of a varying output near [0, 1] (32 points leave it a Monte
# Carlo error of about 0.2), its bootstrap interval overlapping [0, 1], lo <= estimate <= hi.
bad=$(q "select count(*) from sensitivity_index where s1 is not null and
         (s1 < -0.3 or s1 > 1.3 or st < -0.3 or st > 1.3 or s1_lo > 1 or s1_hi < 0
          or st_lo > 1 or st_hi < 0 or s1_lo > s1 or s1 > s1_hi or st_lo > st or st > st_hi)")
[[ $bad == 0 ]] || fail "$bad indices out of range: $(q 'select * from sensitivity_index')"
# The entry rate moves births most.
[[ $(q "select i.name from sensitivity_index i join sensitivity_output o using (output_id)
        where o.metric = 'births' and i.rank = 1") == params.entry.base_rate ]] ||
    fail "births: the base rate does not rank first"
[[ $(q "select count(*) from sensitivity_index i join sensitivity_output o using (output_id)
        where o.metric = 'public' and i.s1 is null") == 3 ]] || fail "the constant output has indices"
[[ $(wc -l <sens/sensitivity.csv) == 13 ]] || fail "sensitivity.csv: expected a header and 12 rows"
head -1 sens/sensitivity.csv | grep -q '^output,metric,region,rank,param,s1,s1_lo90,s1_hi90,st,st_lo90,st_hi90' ||
    fail "sensitivity.csv header: $(head -1 sens/sensitivity.csv)"
{ grep -q '^<svg' sens/sensitivity.svg && grep -q '</svg>' sens/sensitivity.svg; } || fail "sensitivity.svg is no SVG"
[[ $(grep -c '<rect' sens/sensitivity.svg) -ge 20 ]] || fail "sensitivity.svg has too few bars"
grep -q 'params.entry.base_rate' sens/sensitivity.svg || fail "sensitivity.svg names no parameter"
if command -v xmllint >/dev/null; then
    xmllint --noout sens/sensitivity.svg || fail "sensitivity.svg is not well-formed XML"
fi

# ---- usage errors (exit 2) ----
for args in "" "--params $params" "--points 8" "--params $params --points 1" \
    "--params $params --points 8 --bootstrap -1" "--params $params --points x" \
    "--params $params --points 8 --design sobol"; do
    rc=0
    # shellcheck disable=SC2086
    "$bin" sensitivity "$scenario" $args --out bad >/dev/null 2>err.txt || rc=$?
    [[ $rc == 2 ]] || fail "sensitivity $args exited $rc, expected 2: $(cat err.txt)"
done

# ---- bad params files: one line, file:line:col: field: message, exit 1, no folder ----
bad_file() { # <name> <expected pattern> <content>
    printf '%s' "$3" >"$1.yaml"
    rc=0
    "$bin" sensitivity "$scenario" --params "$1.yaml" --points 4 --out bad >/dev/null 2>err.txt || rc=$?
    [[ $rc == 1 ]] || fail "$1: exited $rc, expected 1: $(cat err.txt)"
    [[ $(wc -l <err.txt) == 1 ]] || fail "$1: expected one error line: $(cat err.txt)"
    grep -qE "$2" err.txt || fail "$1: expected /$2/, got: $(cat err.txt)"
    [[ ! -e bad && ! -e bad.partial ]] || fail "$1: a folder was made"
}
bad_file unknown_key '^longmen: unknown_key\.yaml:3:1: output: unknown key "output"; did you mean "outputs"\?' \
    $'parameters:\n  - {name: Jiashi.amenity, lo: 0, hi: 1}\noutput: [births]\n'
bad_file hi_below_lo '^longmen: hi_below_lo\.yaml:2:41: parameters\[0\]\.hi: expected a number above lo' \
    $'parameters:\n  - {name: Jiashi.amenity, lo: 0.5, hi: 0.1}\noutputs: [births]\n'
bad_file bad_metric 'bad_metric\.yaml:5:5: outputs\[1\]: unknown metric "dragon".*did you mean "dragons"' \
    $'parameters:\n  - {name: Jiashi.amenity, lo: 0, hi: 1}\noutputs:\n  - births\n  - dragon\n'
bad_file bad_region 'bad_region\.yaml:4:5: outputs\[0\]: no region "Bingshi"' \
    $'parameters:\n  - {name: Jiashi.amenity, lo: 0, hi: 1}\noutputs:\n  - Bingshi.jobs\n'
bad_file bad_param 'bad_param\.yaml:2:5: parameters\[0\]: Jiashi\.amenty at lo = 0: ' \
    $'parameters:\n  - {name: Jiashi.amenty, lo: 0, hi: 1}\noutputs: [births]\n'
bad_file bad_range 'bad_range\.yaml:2:5: parameters\[0\]: Jiashi\.amenity at hi = 2: .*\[0, 1\]' \
    $'parameters:\n  - {name: Jiashi.amenity, lo: 0, hi: 2}\noutputs: [births]\n'
bad_file syntax 'syntax\.yaml:[0-9]+:[0-9]+: ' $'parameters: [\n'
bad_file empty 'empty\.yaml:1:1: the file is empty' ''
printf 'parameters:\n  - {name: Jiashi.amenity, lo: 0, hi: 1}\noutputs: [births]\n\xff\n' >not_utf8.yaml
rc=0
"$bin" sensitivity "$scenario" --params not_utf8.yaml --points 4 --out bad >/dev/null 2>err.txt || rc=$?
{ [[ $rc == 1 ]] && grep -q 'not_utf8\.yaml:4:1' err.txt; } || fail "not UTF-8: exited $rc: $(cat err.txt)"
rc=0
"$bin" sensitivity "$scenario" --params missing.yaml --points 4 --out bad >/dev/null 2>err.txt || rc=$?
{ [[ $rc == 1 ]] && grep -q 'missing\.yaml' err.txt; } || fail "missing file: exited $rc: $(cat err.txt)"

# ---- interrupted and resumed: equal to an uninterrupted analysis ----
args=(sensitivity "$scenario" --params "$params" --points 8 --runs 6 --to 2015-06 -q)
"$bin" "${args[@]}" --threads 2 --out ref >/dev/null 2>err.txt || fail "reference exited $?: $(cat err.txt)"
# Held after its 30th replication is in (LM_PAUSE_AT, lib/pause.sh), then stopped.
LM_PAUSE_AT=run:30 "$bin" "${args[@]}" --threads 1 --out big >/dev/null 2>big_err.txt &
pid=$!
wait_paused "$pid" big_err.txt
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc == 143 ]] || fail "the signalled analysis exited $rc: $(cat big_err.txt)"
[[ -d big.partial && ! -e big ]] || fail "an interrupted analysis left no big.partial, or a big"
grep -q -- '--resume' big_err.txt || fail "the interruption message does not mention --resume"
kept=$(sqlite3 big.partial/results.sqlite 'select count(*) from run')
[[ $kept == 30 ]] || fail "the interrupted analysis kept $kept replications, expected 30"
rc=0
"$bin" "${args[@]}" --threads 2 --out big >/dev/null 2>err.txt || rc=$?
{ [[ $rc == 1 ]] && grep -q -- '--resume continues it' err.txt; } || fail "a second start without --resume: $rc $(cat err.txt)"
"$bin" "${args[@]}" --threads 2 --out big --resume >/dev/null 2>err.txt ||
    fail "--resume exited $?: $(cat err.txt)"
check_job_complete big ref
cmp -s big/sensitivity.csv ref/sensitivity.csv || fail "resumed sensitivity.csv differs"
cmp -s big/sensitivity.svg ref/sensitivity.svg || fail "resumed sensitivity.svg differs"
echo "interrupted with $kept of 240 complete replications; --resume equals the uninterrupted analysis"
echo "cli_sensitivity: ok"
