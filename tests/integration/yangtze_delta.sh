#!/usr/bin/env bash
# tests/integration/yangtze_delta.sh -- the 41-city Yangtze River Delta scenario runs
# 2015-2034 end to end (also under ASan/UBSan, through sanitizers.sh, where it must finish
# without a report), and its results hold the ecosystem tables: dragons, tier counts, talent
# pools per skill (conserved under migration), chain layers. Then the shipped counterfactual
# that extends three-capitals.yaml runs through the CLI.
# Usage: bash yangtze_delta.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

fail() { echo "yangtze_delta: $*" >&2; exit 1; }
db=$tmp/yrd/results.sqlite
q() { sqlite3 "$db" "$1"; }

rc=0
"$bin" run "$root/scenarios/yangtze-delta.yaml" --threads 2 --out "$tmp/yrd" --quiet \
    >stdout.txt 2>stderr.txt || rc=$?
[[ $rc == 0 ]] || fail "run exited $rc: $(cat stderr.txt)"
[[ ! -s stderr.txt ]] || fail "the run wrote to stderr: $(cat stderr.txt)"
grep -q 'dragons' stdout.txt || fail "the summary table has no dragons column"

[[ $(q 'select count(*) from region') == 41 ]] || fail "expected 41 regions"
[[ $(q 'select min(year) || "-" || max(year) from region_year') == 2015-2034 ]] ||
    fail "region_year does not cover 2015-2034"
[[ $(q 'select count(*) from region_skill_year') == $((41 * 5 * 20)) ]] ||
    fail "region_skill_year should have 41 x 5 x 20 rows"
[[ $(q 'select count(*) from region_layer_year') == $((41 * 9 * 20)) ]] ||
    fail "region_layer_year should have 41 x 9 x 20 rows"
# tier counts are stocks of alive firms, each at most the firms alive
bad=$(q 'select count(*) from region_year where tech_sme < 0 or high_tech > alive
         or little_giant > alive or unicorn > alive or dragon > alive or tech_sme > alive')
[[ $bad == 0 ]] || fail "$bad region-years with impossible tier counts"
[[ $(q 'select sum(high_tech) from region_year where year = 2034') -gt 0 ]] ||
    fail "no high-tech enterprise in 2034"
# the yearly counts of new dragons add up to the dragon table, region by region (a dragon
# that lists in the month it is certified still counts)
[[ $(q 'select count(*) from (select region, count(*) n from dragon group by region) d
        join (select region, sum(dragons_new) n from region_year group by region) y
        using (region) where d.n != y.n') == 0 ]] || fail "dragons_new disagrees with the dragon table"
# every dragon row is a firm that became a dragon
[[ $(q 'select count(*) from dragon d join firm f using (run_id, firm_id)
        where f.dragon_month is null') == 0 ]] || fail "dragon rows without a dragon month"
# migration between the regions conserves people: what leaves arrives, per skill and year
bad=$(q 'select count(*) from (select year, skill, sum(migrants_in) i, sum(migrants_out) o
         from region_skill_year group by year, skill) where abs(i - o) > 1e-6 * (o + 1)')
[[ $bad == 0 ]] || fail "$bad skill-years where arrivals differ from departures"
bad=$(q 'select count(*) from region_layer_year where chain < chain_own - 1e-12
         or chain > 1 or chain_own < 0')
[[ $bad == 0 ]] || fail "$bad chain rows out of range"

# a counterfactual in a few lines: extends three-capitals.yaml
"$bin" run "$root/scenarios/examples/hefei-adopts-hangzhou-funds.yaml" --from 2014-01 --to 2016-12 \
    --out "$tmp/cf" --quiet >cf.txt 2>cf_err.txt || fail "the example exited $?: $(cat cf_err.txt)"
name=$(sqlite3 "$tmp/cf/results.sqlite" 'select scenario from run')
[[ $name == hefei-adopts-hangzhou-funds ]] || fail "example ran as '$name'"
# (read into a variable first: `grep -q` closing the pipe early would make sqlite3 fail
# with SIGPIPE under pipefail)
kept=$(sqlite3 "$tmp/cf/results.sqlite" 'select scenario_yaml from run')
grep -q '^# ---- extends: ' <<<"$kept" ||
    fail "the example's database does not keep the text it extends"
echo "yangtze_delta: ok"
