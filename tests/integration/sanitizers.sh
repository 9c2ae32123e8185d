#!/usr/bin/env bash
# tests/integration/sanitizers.sh -- the whole suite once more, built with AddressSanitizer
# and UndefinedBehaviorSanitizer (-DLM_SANITIZE=ON): memory errors, leaks and undefined
# behaviour fail the test, even where the plain build happens to get the right answer.
# Usage: bash sanitizers.sh <repo-root> <build-dir-for-the-sanitizer-build>
set -euo pipefail
root=$1
build=$2

export ASAN_OPTIONS=detect_leaks=1
# The scripts that build or run instrumented copies of their own are not registered in this
# build (LM_PLAIN_BUILD_ONLY, tests/CMakeLists.txt); those left read this to adapt (mpi.sh:
# no leak check of Open MPI's own allocations; web_server_load.sh: ASan's larger memory).
export LM_IN_SANITIZER_BUILD=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

cmake -S "$root" -B "$build" -G Ninja -DLM_SANITIZE=ON -DLM_BENCH=OFF --log-level=WARNING ||
    { echo "sanitizers: configuring $build failed" >&2; exit 1; }
cmake --build "$build" || { echo "sanitizers: building $build failed" >&2; exit 1; }
# -E sanitizers: the sanitized build must not recurse into itself.
rc=0
ctest --test-dir "$build" --output-on-failure -j2 -E 'sanitizers' || rc=$?
((rc == 0)) || echo "sanitizers: the suite failed under ASan/UBSan (build in $build)" >&2
exit "$rc"
