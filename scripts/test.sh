#!/usr/bin/env bash
# scripts/test.sh -- the whole test suite, as CI runs it (.ci/run): check the Debian
# packages (quiet when all are there), build build/, then ctest: Criterion unit tests,
# the integration scripts, and a second build under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/) that runs the same suite. ctest's summary is the
# last thing printed, and its exit code is this script's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh --quiet
bash scripts/npm-deps.sh --quiet  # ECharts for the build, playwright-core for the browser tests

cmake -S . -B build -G Ninja --log-level=WARNING >/dev/null  # errors and warnings still show
cmake --build build

exec ctest --test-dir build --output-on-failure -j2
