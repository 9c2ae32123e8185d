#!/usr/bin/env bash
# tests/integration/fuzz.sh -- the libFuzzer harnesses of tests/fuzz/ (docs/reliability.md):
# builds them with clang under ASan + UBSan in a build dir of their own (<build>-fuzz beside
# the build that runs this test), replays every seed corpus (tests/fuzz/corpus/<name>/: the
# shipped scenarios, the malformed cases, and every crash ever found, kept as regression
# cases), then fuzzes each harness for LM_FUZZ_RUNS executions (default 200000) from a fixed
# seed, so that the suite explores the same inputs on a quiet machine and a busy one and a
# failure reproduces; LM_FUZZ_SECONDS=N fuzzes for N seconds from a random seed instead, to
# find what the fixed seed does not (by hand, below). Any crash, leak, hang
# or sanitizer report fails the test and names the input, which then belongs in the corpus;
# so does an input that takes longer than LM_FUZZ_TIMEOUT seconds (default 10) or more than
# LM_FUZZ_RSS_MB of memory (default 2048), in the replay as in the fuzzing.
# New inputs the fuzzer finds go to a scratch folder, never into the source tree.
#
# A longer run, by hand (same flags, one harness):
#   LM_FUZZ_SECONDS=3600 bash tests/integration/fuzz.sh build/longmen .
# Usage: bash fuzz.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$(cd "$2" && pwd)
fail() { echo "fuzz: $*" >&2; exit 1; }
command -v clang >/dev/null || fail "clang is needed for libFuzzer (scripts/deps.txt: clang, libclang-rt-14-dev)"
if [[ -n ${LM_FUZZ_SECONDS:-} ]]; then
    bound=(-max_total_time="$LM_FUZZ_SECONDS")
    said="in ${LM_FUZZ_SECONDS}s (random seed)"
else
    bound=(-runs="${LM_FUZZ_RUNS:-200000}" -seed=1)
    said="from seed 1"
fi
# Per input, replayed or generated: an input that takes longer (a blow-up in loading or in
# the months simulated) or grows past the memory limit is a failure, named like a crash.
per_input=${LM_FUZZ_TIMEOUT:-10}
rss_mb=${LM_FUZZ_RSS_MB:-2048}
build=$(cd "$(dirname "$bin")" && pwd)-fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CC=clang cmake -S "$root" -B "$build" -G Ninja -DLM_FUZZ=ON -DLM_TESTS=OFF -DLM_BENCH=OFF \
    --log-level=WARNING >"$work/configure.txt" 2>&1 || { cat "$work/configure.txt" >&2; fail "configuring $build failed"; }
cmake --build "$build" >"$work/build.txt" 2>&1 || { tail -n 30 "$work/build.txt" >&2; fail "building $build failed"; }

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0

shopt -s nullglob
fuzzers=("$build"/tests/fuzz/fuzz_*)
((${#fuzzers[@]} > 0)) || fail "no harness was built in $build/tests/fuzz"
total=0
for fuzzer in "${fuzzers[@]}"; do
    name=$(basename "$fuzzer")
    name=${name#fuzz_}
    corpus=$root/tests/fuzz/corpus/$name
    [[ -d $corpus ]] || fail "$name: no seed corpus in $corpus"
    seeds=("$corpus"/*)
    ((${#seeds[@]} > 0)) || fail "$name: the seed corpus $corpus is empty"
    dict=()
    [[ -f $root/tests/fuzz/$name.dict ]] && dict=(-dict="$work/$name.dict")
    [[ -f $root/tests/fuzz/$name.dict ]] && cp "$root/tests/fuzz/$name.dict" "$work/$name.dict"
    # More seeds that follow the project as it grows (read, never written): the shipped
    # scenarios and the malformed cases; and every key of the loader's tables as a word.
    more=()
    if [[ $name == scenario ]]; then
        more=("$root/scenarios" "$root/tests/data")
        grep -ohE '(NUM|TYP|STR|SKIP|PNUM)\((lm_[a-z_]+, )?[a-z_0-9]+' "$root/src/scenario/fill.c" |
            sed -E 's/.*[(, ]([a-z_0-9]+)$/"\1"/' | sort -u >>"$work/$name.dict" || true
    fi
    [[ $name == targets ]] && more=("$root/calibration") # calibration issue: the shipped files

    # 1. every seed once, each on its own (a crash names its file).
    if ! "$fuzzer" -timeout="$per_input" -rss_limit_mb="$rss_mb" "${seeds[@]}" \
        >"$work/$name-replay.txt" 2>&1; then
        grep -E 'ERROR|runtime error|Running:' "$work/$name-replay.txt" | tail -n 20 >&2 || true
        tail -n 5 "$work/$name-replay.txt" >&2
        fail "$name: a corpus input fails (the regression it stands for is back)"
    fi

    # 2. fuzzing, bounded in executions (or time, by hand); new inputs into the scratch folder.
    mkdir -p "$work/$name-new" "$work/$name-artifacts"
    rc=0
    "$fuzzer" "$work/$name-new" "$corpus" "${more[@]}" "${dict[@]}" "${bound[@]}" \
        -max_len=8192 -timeout="$per_input" -rss_limit_mb="$rss_mb" -print_final_stats=1 \
        -artifact_prefix="$work/$name-artifacts/" >"$work/$name-fuzz.txt" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name-fuzz.txt" | tail -n 1)
    if ((rc != 0)); then
        grep -E -A 12 'ERROR|runtime error|SUMMARY' "$work/$name-fuzz.txt" | head -n 40 >&2 || true
        tail -n 5 "$work/$name-fuzz.txt" >&2
        for a in "$work/$name-artifacts"/*; do
            echo "fuzz: $name: input (base64): $(base64 -w0 "$a")" >&2
        done
        fail "$name: the fuzzer found a failure after ${runs:-?} executions; add the input above to $corpus and fix it"
    fi
    [[ -n $runs ]] || fail "$name: the fuzzer printed no statistics: $(tail -n 5 "$work/$name-fuzz.txt")"
    total=$((total + runs))
    # The harness's own count of how inputs ended (loaded or rejected; answers by class).
    counts=$(sed -n "s/^fuzz_$name: //p" "$work/$name-fuzz.txt" | tail -n 1)
    echo "fuzz: $name: ${#seeds[@]} corpus inputs replayed; $runs executions $said, no crash${counts:+ ($counts)}"
done
echo "fuzz: ok ($total executions)"
