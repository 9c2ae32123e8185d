#!/usr/bin/env bash
# scripts/quickstart.sh -- from a fresh checkout to a first result, in one command:
# install the missing Debian packages, build the longmen program in build/ (CMake + Ninja,
# the default build type; only the program: the test suite is scripts/test.sh's, and
# building it first would keep a new user minutes from a first result), and run the default
# scenario. The summary table appears on the terminal and the results folder is
# runs/quickstart, so that the tutorial's first command, which writes the default folder,
# finds it free. Safe to run again: it reinstalls nothing, rebuilds only what changed, and
# replaces runs/quickstart with identical results.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
bash scripts/npm-deps.sh  # ECharts (built into every report.html), playwright-core (tests)

echo "quickstart: building build/longmen"
cmake -S . -B build -G Ninja --log-level=WARNING >/dev/null  # errors and warnings still show
cmake --build build --target longmen

echo "quickstart: running scenarios/three-capitals.yaml"
./build/longmen run scenarios/three-capitals.yaml --out runs/quickstart --force
