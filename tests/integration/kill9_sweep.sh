#!/usr/bin/env bash
# tests/integration/kill9_sweep.sh -- kill -9 for `longmen sweep` and `longmen sensitivity`
# (docs/reliability.md): kill9.sh's test of jobs of several runs, for these two commands
# only (LM_KILL9_ONLY), as a test of its own so that ctest can run it beside kill9.sh. Each
# job is killed LM_KILL9_KILLS times (default 20 here) at moments spread from loading to the
# commit; after every kill <out> is absent or complete (PRAGMA integrity_check ok, the rows
# of the uninterrupted job), <out>.partial holds complete replications only (and the job's
# tables, if present, equal the reference's), and --resume ends with the uninterrupted job's
# database, summary.txt, sweep.csv / sensitivity.csv and sensitivity.svg.
# Usage: bash kill9_sweep.sh <longmen-binary> <repo-root>
set -euo pipefail
LM_KILL9_KILLS=${LM_KILL9_KILLS:-20} LM_KILL9_ONLY="sweep sensitivity" exec bash "$2/tests/integration/kill9.sh" "$@"
