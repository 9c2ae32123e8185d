#!/usr/bin/env bash
# tests/integration/web_report.sh -- report.html and headline.svg of a results folder:
# `longmen run` writes both; the page is self-contained (no script, style or link fetched
# from anywhere, ECharts and the data inside, a Content-Security-Policy that allows no
# source); `longmen report OUT_DIR` writes the same bytes again; a database without the
# tables of later issues still gives a report; a database of several runs gives bands
# (replications) or a comparison (several scenarios); errors are one line.
# Usage: bash web_report.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "web_report: $*" >&2; exit 1; }

out=$tmp/run
"$bin" run "$root/tests/data/tiny.yaml" --seed 11 --out "$out" --quiet >/dev/null || fail "run failed"
[[ -s $out/report.html ]] || fail "the run wrote no report.html: $(ls -A "$out")"
[[ -s $out/headline.svg ]] || fail "the run wrote no headline.svg"
html=$out/report.html

# Self-contained: no element of the page refers to another file or the network (the page
# without the insides of its scripts, which are JavaScript, not markup).
perl -0777 -pe 's{(<script\b[^>]*>).*?</script>}{$1</script>}gs' "$html" >markup.html
grep -c '<script' markup.html | grep -qx 4 || fail "report.html should hold 4 scripts: $(grep -o '<script[^>]*>' markup.html)"
grep -Eiq '<(script|img|iframe|embed|source|audio|video)[^>]*[[:space:]]src=' markup.html &&
    fail "report.html loads a file: $(grep -Eio '<[a-z]+[^>]*src=[^>]*>' markup.html | head -n3)"
grep -Eiq '<link[^>]*href=' markup.html && fail "report.html links a file"
grep -Eiq 'https?://' markup.html && fail "report.html's markup names a web address: $(grep -Eio '.{20}https?://[^ ]*' markup.html | head -n3)"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$html" || fail "report.html has no CSP that forbids every source"
grep -q 'echarts' "$html" || fail "ECharts is not inside report.html"
grep -q '<script id="lm-report-data" type="application/json">{"format":1' "$html" || fail "the data is not inside report.html"
grep -q '甲市' "$html" || fail "the region name 甲市 is not in report.html"
size=$(stat -c %s "$html")
((size > 500000)) || fail "report.html is $size bytes: ECharts (about 1 MB) cannot be inside"

# headline.svg: SVG with a line per region and the names as text.
head -c 200 "$out/headline.svg" | grep -q '<svg' || fail "headline.svg is not SVG"
grep -q '>甲市</text>' "$out/headline.svg" || fail "headline.svg does not name 甲市"
lines=$(grep -c '<polyline' "$out/headline.svg")
((lines >= 2)) || fail "headline.svg has $lines lines, expected one per region (2)"

# `longmen report` writes the same bytes (the report depends on the database only).
cp "$html" first.html
cp "$out/headline.svg" first.svg
rm "$html" "$out/headline.svg"
"$bin" report "$out" >report.out 2>report.err || fail "longmen report exited $?: $(cat report.err)"
cmp -s first.html "$html" || fail "longmen report wrote a different report.html than the run"
cmp -s first.svg "$out/headline.svg" || fail "longmen report wrote a different headline.svg"
grep -q "report: $out/report.html" report.out || fail "longmen report does not name what it wrote: $(cat report.out)"
[[ -z $(find "$out" -name '*.tmp-*') ]] || fail "a temporary file is left in $out"

# An older database (only the tables of issue 1) still gives a report.
mkdir old
cp "$out/results.sqlite" old/
tables=$(sqlite3 old/results.sqlite "select group_concat(name, ' ') from sqlite_master where type = 'table' and name not in ('schema', 'run', 'region', 'sector', 'region_year')")
for t in $tables; do sqlite3 old/results.sqlite "drop table $t"; done
"$bin" report old >/dev/null 2>err.txt || fail "report of a database without $tables: $(cat err.txt)"
grep -q '"dragons":{"present":false' old/report.html || fail "the missing dragon data is not marked absent"

# Several runs: three replications of one scenario (run_id 1..3), as issue 7 will write them.
mkdir reps
cp "$out/results.sqlite" reps/
"$bin" run "$root/tests/data/tiny.yaml" --seed 12 --out r12 --quiet >/dev/null
"$bin" run "$root/tests/data/tiny.yaml" --seed 13 --out r13 --quiet >/dev/null
for k in 2 3; do
    src=r1$k/results.sqlite
    [[ $k == 2 ]] || true
    sqlite3 reps/results.sqlite "attach '$src' as o;
        create temp table rr as select * from o.run; update rr set run_id = $k;
        insert into run select * from rr;
        create temp table rg as select * from o.region; update rg set run_id = $k;
        insert into region select * from rg;
        create temp table sc as select * from o.sector; update sc set run_id = $k;
        insert into sector select * from sc;
        create temp table ry as select * from o.region_year; update ry set run_id = $k;
        insert into region_year select * from ry;" || fail "building the replication database"
done
"$bin" report reps >/dev/null 2>err.txt || fail "report of 3 replications: $(cat err.txt)"
grep -q '"mode":"replications"' reps/report.html || fail "3 runs of one scenario are not shown as replications"
grep -q '"runs":3,"values":{' reps/report.html || fail "the arm of 3 runs has no medians"
grep -q '"lo":{"births":\[\[' reps/report.html || fail "the replications have no 5% band"
grep -q '"hi":{"births":\[\[' reps/report.html || fail "the replications have no 95% band"
grep -q '<polygon class="band"' reps/headline.svg || fail "headline.svg of replications draws no band"
# The median of three is the middle one: check one cell against sqlite.
want=$(sqlite3 reps/results.sqlite "select alive from region_year where region_id = 0 and year = 2016 order by alive limit 1 offset 1")
grep -q "\"alive\":\[\[[0-9.]*,$want\]" reps/report.html ||
    fail "the median of alive in 2016 is not $want: $(grep -o '"values":{[^}]*"alive":\[\[[^]]*\]' reps/report.html | head -c 300)"

# Several scenarios: a comparison, baseline first.
sqlite3 reps/results.sqlite "update run set scenario = 'tiny-no-fund' where run_id = 3"
"$bin" report reps >/dev/null 2>err.txt || fail "report of a comparison: $(cat err.txt)"
grep -q '"mode":"compare"' reps/report.html || fail "two scenarios are not shown as a comparison"
grep -q '"arms":\[{"name":"tiny","run_ids":\[1,2\]},{"name":"tiny-no-fund","run_ids":\[3\]}\]' reps/report.html ||
    fail "the arms are not tiny (runs 1, 2) then tiny-no-fund (run 3)"
grep -q 'stroke-dasharray' reps/headline.svg || fail "headline.svg of a comparison draws no dashed counterfactual"

# Errors: one line, exit 1; usage errors exit 2.
rc=0
"$bin" report "$tmp/nowhere" >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] || fail "report of a missing folder exited $rc"
[[ $(wc -l <err.txt) == 1 ]] && grep -q '^longmen: ' err.txt || fail "error: $(cat err.txt)"
mkdir empty
rc=0
"$bin" report empty >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 ]] && grep -q 'no results.sqlite' err.txt || fail "report of a folder without a database: $rc $(cat err.txt)"
printf 'not a database' >empty/results.sqlite
rc=0
"$bin" report empty >/dev/null 2>err.txt || rc=$?
[[ $rc == 1 && $(wc -l <err.txt) == 1 ]] || fail "report of a broken database: $rc $(cat err.txt)"
[[ ! -e empty/report.html ]] || fail "a failed report left report.html"
rc=0
"$bin" report >/dev/null 2>err.txt || rc=$?
[[ $rc == 2 ]] || fail "report without a folder exited $rc"
rc=0
"$bin" report a b >/dev/null 2>err.txt || rc=$?
[[ $rc == 2 ]] || fail "report with two folders exited $rc"
help1=$("$bin" report --help)
help2=$("$bin" help report)
grep -q 'Usage: longmen report OUT_DIR' <<<"$help1" || fail "report --help"
grep -q 'Usage: longmen report OUT_DIR' <<<"$help2" || fail "help report"
echo "web_report: report.html self-contained and reproducible; older, replicated and compared databases reported"
