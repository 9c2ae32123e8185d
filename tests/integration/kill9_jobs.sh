#!/usr/bin/env bash
# tests/integration/kill9_jobs.sh -- kill -9 for jobs of several runs, `longmen run --runs R`
# and `longmen compare` (docs/reliability.md): kill9.sh's test of such jobs for these two
# commands only (LM_KILL9_ONLY), as a test of its own so that ctest runs it beside kill9.sh
# and kill9_sweep.sh. After every kill <out> is absent or complete, <out>.partial holds
# complete replications only, and --resume ends with the uninterrupted job's database,
# summary.txt and compare.csv.
# Usage: bash kill9_jobs.sh <longmen-binary> <repo-root>
set -euo pipefail
LM_KILL9_ONLY="run-runs compare" exec bash "$2/tests/integration/kill9.sh" "$@"
