#!/usr/bin/env bash
# scripts/validate.sh -- regenerates every number of docs/validation.md: R replications of a
# scenario (default: the default scenario, 100 replications, to 2025-12), then the essay's
# moments and the stylized facts per replication (calibration/validation/*.sql) and their
# mean, median, 5th-95th percentiles and 90% interval of the mean.
#
#   scripts/validate.sh [--bin PATH] [--scenario FILE] [--runs R] [--to YYYY-MM]
#                       [--out DIR] [--threads T] [--resume]
#
# Writes DIR (default runs/validation) with the run folder DIR/runs (results.sqlite, report),
# DIR/per_run.csv (one row per replication and moment), DIR/validation.csv (the summary,
# also printed) and DIR/fit.svg (model / target for every target of
# calibration/validation/targets.csv: docs/validation.md's plot). About 10 GB of results for 100 replications; 10-20 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/longmen scenario=$root/scenarios/three-capitals.yaml runs=100 to=2025-12
out=runs/validation threads=0 resume=()
while (($#)); do
    case $1 in
    --bin) bin=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --to) to=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --resume) resume=(--resume); shift ;;
    -h|--help) sed -n 2,12p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "validate: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
((runs >= 100)) || echo "validate: $runs replications (docs/validation.md uses 100; t = 1.66 assumes about 100)" >&2
mkdir -p "$out"
if [[ ! -f $out/runs/results.sqlite ]]; then
    "$bin" run "$scenario" --runs "$runs" --to "$to" --threads "$threads" --out "$out/runs" --detail all \
        "${resume[@]}" >"$out/run.txt"
fi
work=$out/work.sqlite
rm -f "$work"
sqlite3 "$work" <<SQL
attach '$out/runs/results.sqlite' as r;
create temp view run as select * from r.run;
create temp view region as select * from r.region;
create temp view region_year as select * from r.region_year;
create temp view dragon as select * from r.dragon;
create temp view finance_year as select * from r.finance_year;
create temp view firm as select * from r.firm;
create temp view deal as select * from r.deal;
create temp view exit as select * from r.exit;
create temp view fund as select * from r.fund;
.read $root/calibration/validation/moments.sql
.read $root/calibration/validation/stylized.sql
SQL
# long format: one row per replication and moment
# (the column lists are read before the inserts run: two sqlite3 processes on one file would
# lock each other)
cols() { sqlite3 "$work" "select group_concat(name, ' ') from pragma_table_info('$1') where name <> 'run_id'"; }
sql="create table long(run_id, moment, value);"
for t in moments_run stylized_run; do
    for c in $(cols $t); do
        sql+=" insert into long select run_id, '$c', $c from $t;"
    done
done
sqlite3 "$work" "$sql"
sqlite3 -csv -header "$work" "select * from long order by moment, run_id" >"$out/per_run.csv"
sqlite3 "$work" <"$root/calibration/validation/summary.sql" >"$out/validation.csv.tmp"
mv "$out/validation.csv.tmp" "$out/validation.csv"
awk -F, -f "$root/calibration/validation/fit-svg.awk" "$root/calibration/validation/targets.csv" \
    "$out/validation.csv" >"$out/fit.svg.tmp" && mv "$out/fit.svg.tmp" "$out/fit.svg"
column -s, -t <"$out/validation.csv"
echo "validate: $out/validation.csv ($runs replications of $(basename "$scenario"), to $to)"
