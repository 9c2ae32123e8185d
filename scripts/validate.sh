#!/usr/bin/env bash
# scripts/validate.sh -- regenerates docs/validation.md's fit and check tables: the calibrated
# scenario over R replications (default 100), evaluated on every target of the targets file
# (`longmen calibrate --budget 1` on a copy of the targets file whose parameters start at the
# fit's values: its one evaluation is the fitted point), the fitted parameters with their standard errors from the
# calibration folder, and the fit plot.
#
#   scripts/validate.sh [--bin PATH] [--scenario FILE] [--targets FILE] [--fit DIR]
#                       [--runs R] [--to YYYY-MM] [--out DIR] [--threads T] [--doc FILE]
#                       [--dragon-runs N] [--dragon-region NAME]
#
# Defaults: build/longmen, scenarios/three-capitals.yaml, calibration/three-capitals.yaml,
# the fit of calibration/fit/three-capitals (parameters.csv, jacobian.csv, summary.txt of
# `longmen calibrate`, and command.txt: the command that made them), 100 replications to 2025-12,
# runs/validation, docs/validation.md (the block between its two markers) and
# docs/img/validation-fit.svg. Then the dragons' sectors (section 3): `longmen run --runs N`
# (default 20; 0 skips it) of the same scenario, the region's (default Hangzhou) dragons
# founded 2015-2024 by sector, written between the page's dragons markers. About 15-20
# minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/longmen scenario=$root/scenarios/three-capitals.yaml
targets=$root/calibration/three-capitals.yaml fit=$root/calibration/fit/three-capitals
runs=100 to=2025-12 out=runs/validation threads=0 doc=$root/docs/validation.md
dragon_runs=20 dragon_region=Hangzhou
while (($#)); do
    case $1 in
    --bin) bin=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --fit) fit=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --to) to=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --doc) doc=$2; shift 2 ;;
    --dragon-runs) dragon_runs=$2; shift 2 ;;
    --dragon-region) dragon_region=$2; shift 2 ;;
    -h|--help) sed -n 2,19p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "validate: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
((runs >= 100)) || echo "validate: $runs replications (docs/validation.md uses 100)" >&2
mkdir -p "$out"
rel() { realpath --relative-to="$root" "$1"; }
# the evaluation runs at the fitted point: the targets' parameters start at the fit's values
python3 "$root/scripts/validation-tables.py" --fit "$fit" --targets "$targets" \
    --targets-at-fit "$out/targets-at-fit.yaml"
"$bin" calibrate "$scenario" --targets "$out/targets-at-fit.yaml" --budget 1 --runs "$runs" --to "$to" \
    --standard-errors no --threads "$threads" --out "$out/check" --force -q >"$out/check.txt"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown ]] && ! git -C "$root" diff --quiet HEAD -- src include app 2>/dev/null; then
    commit="$commit (with uncommitted changes to the code)"
fi
python3 "$root/scripts/validation-tables.py" --fit "$fit" --check "$out/check" --targets "$targets" \
    --doc "$doc" --svg "$(dirname "$doc")/img/validation-fit.svg" --commit "$commit" \
    --command "$(cat "$fit/command.txt")   # the fit: $(rel "$fit")" \
    --command "scripts/validate.sh --runs $runs --to $to   # these tables: the fitted scenario over $runs replications"
if ((dragon_runs > 0)); then
    "$bin" run "$scenario" --runs "$dragon_runs" --detail 0 --to "$to" --threads "$threads" \
        --out "$out/dragons" --force -q >"$out/dragons.txt"
    python3 "$root/scripts/validation-tables.py" --dragons "$out/dragons/results.sqlite" \
        --dragon-region "$dragon_region" --doc "$doc" \
        --command "scripts/validate.sh --dragon-runs $dragon_runs --to $to"
fi
cat "$out/check.txt"
if ((dragon_runs > 0)); then echo "validate: $doc, $out/check, $out/dragons"; else echo "validate: $doc, $out/check"; fi
