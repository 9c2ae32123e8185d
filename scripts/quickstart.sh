#!/usr/bin/env bash
# scripts/quickstart.sh -- from a fresh checkout to a first result, in one command:
# install the missing Debian packages, build longmen in build/ (CMake + Ninja, the default
# build type), and run the default scenario. The summary table appears on the terminal and
# the results folder under runs/. Safe to run again: it reinstalls nothing, rebuilds only
# what changed, and replaces the earlier results of the same seed (which are identical).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
bash scripts/npm-deps.sh  # ECharts (built into every report.html), playwright-core (tests)

echo "quickstart: building in build/"
cmake -S . -B build -G Ninja --log-level=WARNING >/dev/null  # errors and warnings still show
cmake --build build

echo "quickstart: running scenarios/three-capitals.yaml"
./build/longmen run scenarios/three-capitals.yaml --force
