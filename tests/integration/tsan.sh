#!/usr/bin/env bash
# tests/integration/tsan.sh -- ThreadSanitizer on the OpenMP paths (docs/reliability.md).
# libgomp (gcc's OpenMP) is not instrumented for TSan, whose reports on it are false alarms
# (three on a race-free two-loop program here), so this builds longmen with clang and LLVM's
# libomp, which loads its Archer tool (libarcher.so) to tell TSan about OpenMP's barriers and
# tasks. First a deliberately racy OpenMP loop (tests/tsan/race_check.c) must be reported, so
# that a clean report below means something; then whole runs with two threads, which pass
# through every parallel phase of the engine (R&D, markets, costs, ecosystem, observation),
# must give no report at all, and the same bits as the plain build with one thread.
# Criterion's runner crashes under TSan, so the unit tests are not part of this; determinism
# across thread counts is checked in the plain build (core/test_sim.c, cli_determinism.sh).
# Usage: bash tsan.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$(cd "$2" && pwd)
fail() { echo "tsan: $*" >&2; exit 1; }
command -v clang >/dev/null || fail "clang is needed (scripts/deps.txt: clang, libomp-14-dev)"
build=$(cd "$(dirname "$bin")" && pwd)-tsan
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# shellcheck source=lib/results.sh
source "$root/tests/integration/lib/results.sh"

flags="-fsanitize=thread -fno-omit-frame-pointer"
CC=clang cmake -S "$root" -B "$build" -G Ninja -DLM_TESTS=OFF -DLM_BENCH=OFF \
    "-DCMAKE_C_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread" \
    --log-level=WARNING >configure.txt 2>&1 || { cat configure.txt >&2; fail "configuring $build failed"; }
cmake --build "$build" --target longmen_cli >build.txt 2>&1 || { tail -n 30 build.txt >&2; fail "building $build failed"; }
tsan_bin=$build/longmen
libs=$(ldd "$tsan_bin")
[[ $libs == *libomp.so* ]] || fail "$tsan_bin is not linked with LLVM's libomp: $(grep -i omp <<<"$libs")"

# halt_on_error: the first report fails the run; ignore_noninstrumented_modules: libomp itself
# is not instrumented, Archer reports its synchronisation instead.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ignore_noninstrumented_modules=1"

# 1. The detector sees a race.
# shellcheck disable=SC2086
clang -fopenmp $flags -g -O1 "$root/tests/tsan/race_check.c" -o race_check 2>cc.txt ||
    fail "cannot build the race check: $(cat cc.txt)"
rc=0
./race_check >/dev/null 2>race.txt || rc=$?
[[ $rc == 66 ]] && grep -q 'WARNING: ThreadSanitizer: data race' race.txt ||
    fail "TSan did not report the deliberate race (exit $rc): the setup is blind; $(head -n 5 race.txt)"

# 2. longmen's parallel phases are clean.
runs=0
check_run() { # check_run <label> <args...>
    local label=$1 rc=0
    shift
    "$tsan_bin" run "$@" --threads 2 --quiet >/dev/null 2>tsan.txt || rc=$?
    if ((rc != 0)) || grep -q 'ThreadSanitizer' tsan.txt; then
        head -n 60 tsan.txt >&2
        fail "$label: ThreadSanitizer report (exit $rc)"
    fi
    runs=$((runs + 1))
}
check_run "three-capitals 2015-2024" "$root/scenarios/three-capitals.yaml" --from 2015-01 --to 2024-12 --out tc
check_run "yangtze-delta 2015-2016" "$root/scenarios/yangtze-delta.yaml" --to 2016-12 --out yd
check_run "tiny" "$root/tests/data/tiny.yaml" --out tiny

# 3. Same bits as the plain build with one thread.
"$bin" run "$root/tests/data/tiny.yaml" --threads 1 --quiet --out plain >/dev/null 2>err.txt ||
    fail "plain run failed: $(cat err.txt)"
cmp -s <(canonical_dump tiny/results.sqlite) <(canonical_dump plain/results.sqlite) ||
    fail "the TSan build with 2 threads and the plain build with 1 thread give different results"
echo "tsan: ok (deliberate race reported; $runs runs with 2 threads clean; results match the plain build)"
