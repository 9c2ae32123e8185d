#!/usr/bin/env bash
# tests/integration/valgrind.sh -- Valgrind memcheck on the plain build (docs/reliability.md):
# `longmen run` of tests/data/tiny.yaml with two OpenMP threads, the CLI's failure paths (a
# scenario error of each kind, an existing out folder, a memory limit), and two unit test
# binaries (the out folder; the memory estimate and a whole job). For an uninitialised value's
# origin, rerun the failing command by hand with --track-origins=yes. Every
# one must end with zero errors and zero leaks, definite, indirect or possible. The only
# suppression (tests/valgrind/longmen.supp) is libgomp's worker threads, which live until
# exit by design. ASan and UBSan check the same code in the sanitizer build; memcheck adds
# reads of uninitialised memory and checks the uninstrumented binary as shipped.
# Usage: bash valgrind.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
fail() { echo "valgrind: $*" >&2; exit 1; }
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps.txt lists it)"
tests_dir=$(dirname "$bin")/tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

checks=0
# memcheck <expected-exit> <label> <command...>
memcheck() {
    local want=$1 label=$2 rc=0
    shift 2
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=99 --trace-children=yes \
        --suppressions="$root/tests/valgrind/longmen.supp" --log-file="$tmp/vg-%p.txt" \
        "$@" >"$tmp/out.txt" 2>"$tmp/err.txt" || rc=$?
    if ((rc == 99)) || grep -qE 'ERROR SUMMARY: [1-9]' "$tmp"/vg-*.txt; then
        grep -hE -B2 -A25 'Invalid|uninitialised|definitely lost in|indirectly lost in|possibly lost in' \
            "$tmp"/vg-*.txt | head -n 80 >&2
        fail "$label: memcheck reports errors or leaks"
    fi
    ((rc == want)) || fail "$label: exited $rc, expected $want: $(tail -n 3 "$tmp/err.txt")"
    grep -q 'ERROR SUMMARY: 0 errors' "$tmp"/vg-*.txt || fail "$label: no memcheck summary"
    rm -f "$tmp"/vg-*.txt
    checks=$((checks + 1))
}

tiny=$root/tests/data/tiny.yaml
memcheck 0 "run tiny.yaml" "$bin" run "$tiny" --threads 2 --quiet --out res
[[ -f res/results.sqlite ]] || fail "the run under memcheck wrote no results"
memcheck 1 "an existing out folder" "$bin" run "$tiny" --quiet --out res
memcheck 1 "--max-memory" "$bin" run "$tiny" --quiet --max-memory 1K --out mem
memcheck 1 "a missing scenario" "$bin" run missing.yaml --quiet --out m
for case in syntax_unclosed_flow unknown_top_key negative_population not_utf8 undefined_alias \
    duplicate_key founder_rate_1e12 matrix_row_short; do
    memcheck 1 "bad/$case.yaml" "$bin" run "$root/tests/data/bad/$case.yaml" --quiet --out b
done
# Criterion runs each test in a child process: every test is one more memcheck start-up, so
# the out-folder tests of the store and the memory-limit tests (which run a whole job), but
# the one that measures a forked run's peak memory (memcheck's own memory is no part of it,
# and a whole scenario under memcheck takes minutes).
for unit in "io_test_store --filter outdir/*" \
    "experiments_test_memory --filter !(estimate/a_run_stays_under_its_estimate)"; do
    read -r -a words <<<"$unit" # split, never globbed
    [[ -x $tests_dir/${words[0]} ]] || fail "missing unit test binary $tests_dir/${words[0]}"
    memcheck 0 "$unit" "$tests_dir/${words[0]}" "${words[@]:1}" -j1
done
echo "valgrind: ok ($checks programs under memcheck: 0 errors, 0 leaks)"
