#!/usr/bin/env bash
# scripts/policy-ablation.sh -- turns off one policy of a region at a time and compares each
# with the scenario as it is (`longmen compare`, common random numbers), to show that the
# region's dragons come from its policies (docs/validation.md, "Dragons from mechanisms").
#
#   scripts/policy-ablation.sh [--bin PATH] [--scenario FILE] [--region NAME] [--runs R]
#                              [--to YYYY-MM] [--out DIR] [--policies "KIND KIND#2 ..."]
#
# Writes DIR/<policy>/ (each a compare folder) and DIR/ablation.csv: one row per policy and
# metric with the region's baseline and counterfactual means and the mean paired difference
# with its 90% interval (compare.csv's columns). Defaults: build/longmen,
# scenarios/three-capitals.yaml, region 杭州 (its name in the scenario, as compare.csv
# writes it), its ten policies in file order (KIND#N = the N-th of its kind), 20 runs, to
# 2025-12, runs/ablation.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/longmen scenario=$root/scenarios/three-capitals.yaml
runs=20 to=2025-12 out=runs/ablation extra=()
policies="st_fund innovation_fund direct_injection matchmaking failure_tolerance corridor lab talent_rule lab#2 industrial_park"
region=杭州
while (($#)); do
    case $1 in
    --bin) bin=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --region) region=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --to) to=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --policies) policies=$2; shift 2 ;;
    --quiet) extra+=(--quiet); shift ;;
    -h|--help) sed -n 2,15p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "policy-ablation: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
mkdir -p "$out"
csv=$out/ablation.csv.tmp
echo "policy,metric,runs,baseline,counterfactual,diff_mean,diff_lo,diff_hi" >"$csv"
for p in $policies; do
    dir=$out/${p//#/-}
    "$bin" compare "$scenario" --policy "$region.$p.enabled=false" --runs "$runs" --to "$to" \
        --out "$dir" --force "${extra[@]}" >/dev/null
    # compare.csv: region,metric,runs,baseline,counterfactual,diff_mean,lo,hi
    awk -F, -v r="\"$region\"" -v p="$p" 'NR > 1 && $1 == r { print p "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $8 }' \
        "$dir/compare.csv" >>"$csv"
done
mv "$csv" "$out/ablation.csv"
echo "policy-ablation: $out/ablation.csv"
