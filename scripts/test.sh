#!/usr/bin/env bash
# scripts/test.sh -- the whole test suite, as CI runs it (.ci/run): check the Debian
# packages (quiet when all are there), build build/, then ctest: Criterion unit tests,
# the integration scripts, and a second build under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/) that runs the same suite. After ctest's summary
# come the reasons of the tests that skipped themselves (their "SKIPPED: why" lines, from the
# plain and the sanitizer build) and one line "suite: N passed, N failed, N skipped"; the
# exit code is ctest's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh --quiet
bash scripts/npm-deps.sh --quiet  # ECharts for the build, playwright-core for the browser tests

cmake -S . -B build -G Ninja --log-level=WARNING >/dev/null  # errors and warnings still show
cmake --build build

log=build/Testing/ctest-output.txt
mkdir -p build/Testing
set +e
ctest --test-dir build --output-on-failure -j2 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# A skip is never silent: say which tests skipped themselves and why.
reasons=$(grep -h 'SKIPPED: ' build/Testing/Temporary/LastTest.log \
              build-asan/Testing/Temporary/LastTest.log 2>/dev/null | sort -u || true)
if [[ -n $reasons ]]; then
    echo "Skipped tests, and why:"
    printf '  %s\n' "$reasons"
fi
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n1)
failed=$(sed -n 's/.* \([0-9]*\) tests failed out of .*/\1/p' "$log" | tail -n1)
skipped=$(grep -c '^[[:space:]]*[0-9]* - .* (Skipped)$' "$log" || true)
if [[ -n $total && -n $failed ]]; then
    echo "suite: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit "$rc"
