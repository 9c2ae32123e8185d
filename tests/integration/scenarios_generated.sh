#!/usr/bin/env bash
# tests/integration/scenarios_generated.sh -- the derived scenarios are what
# scripts/gen-yangtze-delta.py makes of scenarios/three-capitals.yaml today (so an edit of
# three-capitals.yaml, or of the single-city fit in the script, cannot be left unapplied), and
# each of them loads and runs.
# Usage: bash scenarios_generated.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "scenarios_generated: $*" >&2; exit 1; }

csv=
for c in "$root/data/yrd-cities.csv" "$root/../shared/data/yrd-cities.csv"; do
    [[ -f $c ]] && { csv=$c; break; }
done
if [[ -z $csv ]]; then
    echo "scenarios_generated: SKIPPED: no ../shared/data/yrd-cities.csv beside the source tree" \
        "(the city data lives outside the repository; CI lays it beside the clone)"
    exit 77
fi
cp "$root/scenarios/three-capitals.yaml" "$tmp/" # the generator reads it from --out
python3 "$root/scripts/gen-yangtze-delta.py" --csv "$csv" --out "$tmp" >/dev/null ||
    fail "the generator failed"
for f in hangzhou nanjing hefei yangtze-delta; do
    diff -u "$root/scenarios/$f.yaml" "$tmp/$f.yaml" >"$tmp/$f.diff" ||
        fail "scenarios/$f.yaml is not what scripts/gen-yangtze-delta.py writes; rerun it:
$(head -20 "$tmp/$f.diff")"
done
# The single-city fit is in the files, and they load and run.
for f in hangzhou nanjing hefei; do
    grep -q '^    incumbent_revenue_cny_year: ' "$root/scenarios/$f.yaml" ||
        fail "$f.yaml has no single-city fit"
    "$bin" run "$root/scenarios/$f.yaml" --to 2005-03 --out "$tmp/run-$f" -q >/dev/null 2>"$tmp/err" ||
        fail "$f.yaml does not run: $(cat "$tmp/err")"
done
echo ok
