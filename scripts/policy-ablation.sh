#!/usr/bin/env bash
# scripts/policy-ablation.sh -- turns off one policy of a region at a time and compares each
# with the scenario as it is (`longmen compare`, common random numbers), to show that the
# region's dragons come from its policies (docs/validation.md, "Dragons from mechanisms").
#
#   scripts/policy-ablation.sh [--bin PATH] [--scenario FILE] [--region NAME] [--runs R]
#                              [--to YYYY-MM] [--out DIR] [--policies "KIND KIND#2 ..."]
#                              [--precision H [--max-runs N]] [--threads T]
#
# Writes DIR/<policy>/ (each a compare folder) and DIR/ablation.csv: one row per policy and
# metric with the region's baseline and counterfactual means and the mean paired difference
# with its 90% interval (compare.csv's columns), and DIR/dragons.csv: per policy, the dragons
# it adds (with the policy minus without, 90% interval), the pairs run, the public money it
# costs (outlays and taxes forgone net of returns, docs/model.md 7.14) and that money per
# extra dragon (n/a unless the policy adds dragons). --precision H runs each comparison in
# batches of R pairs until the 90% half-width of the region's dragon difference is at most H
# (or N pairs, default 1000; docs/experiments.md); dragons.csv then also says the half-width
# reached and the pairs the target needs at the observed paired spread. Defaults: build/longmen,
# scenarios/three-capitals.yaml, region 杭州 (its name in the scenario, as compare.csv
# writes it), its ten policies in file order (KIND#N = the N-th of its kind), 20 runs, to
# 2025-12, runs/ablation.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/longmen scenario=$root/scenarios/three-capitals.yaml
runs=20 to=2025-12 out=runs/ablation extra=() precision="" max_runs=1000
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
    --threads) extra+=(--threads "$2"); shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    --max-runs) max_runs=$2; shift 2 ;;
    -h|--help) sed -n 2,21p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "policy-ablation: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [[ -n $precision ]]; then
    extra+=(--precision "$region.dragons=$precision" --max-runs "$max_runs")
fi
mkdir -p "$out"
csv=$out/ablation.csv.tmp
echo "policy,metric,runs,baseline,counterfactual,diff_mean,diff_lo,diff_hi,halfwidth90,halfwidth_target,pairs_needed" >"$csv"
for p in $policies; do
    dir=$out/${p//#/-}
    if [[ ! -f $dir/compare.csv ]]; then # a folder already done is kept (rerun to resume)
        "$bin" compare "$scenario" --policy "$region.$p.enabled=false" --runs "$runs" --to "$to" \
            --out "$dir" --force "${extra[@]}" >/dev/null
    fi
    # compare.csv: region,metric,runs,baseline,counterfactual,diff_mean,lo,hi,..., and its
    # last three columns: halfwidth90, halfwidth_target, pairs_needed
    awk -F, -v r="\"$region\"" -v p="$p" 'NR > 1 && $1 == r { print p "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $(NF - 2) "," $(NF - 1) "," $NF }' \
        "$dir/compare.csv" >>"$csv"
done
mv "$csv" "$out/ablation.csv"
# what each policy adds (with it minus without it: the comparison's difference, negated) and
# its public money per extra dragon
awk -F, 'BEGIN { print "policy,pairs,extra_dragons,extra_dragons_lo90,extra_dragons_hi90,public_cny,cny_per_extra_dragon,halfwidth90,pairs_for_target" }
    function z(x) { return x * x < 1e-18 ? 0 : x } # the paired mean of identical arms, up to rounding
    NR > 1 && $2 == "dragons" { n[$1] = $3; d[$1] = z(-$6); lo[$1] = z(-$8); hi[$1] = z(-$7); hw[$1] = $9; need[$1] = $11; order[++k] = $1 }
    NR > 1 && $2 == "public_cny" { m[$1] = -$6 }
    END { for (i = 1; i <= k; ++i) { p = order[i]
            printf "%s,%d,%.4g,%.4g,%.4g,%.6g,%s,%.4g,%s\n", p, n[p], d[p], lo[p], hi[p], m[p],
                   (d[p] > 0 ? sprintf("%.6g", m[p] / d[p]) : "n/a"), hw[p], need[p] } }' \
    "$out/ablation.csv" >"$out/dragons.csv.tmp"
mv "$out/dragons.csv.tmp" "$out/dragons.csv"
column -s, -t <"$out/dragons.csv"
echo "policy-ablation: $out/ablation.csv, $out/dragons.csv"
