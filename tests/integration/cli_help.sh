#!/usr/bin/env bash
# tests/integration/cli_help.sh -- the CLI explains itself: --help, help, run --help and
# --version exit 0 and name every option of run; an unknown command or option is one error
# line plus a hint, exit 2. Usage: bash cli_help.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

fail() { echo "cli_help: $*" >&2; exit 1; }

options=(--seed --threads --out --from --to --quiet --force --max-memory --help)

"$bin" --help >help.txt || fail "'longmen --help' exited $?"
"$bin" help >help2.txt || fail "'longmen help' exited $?"
cmp -s help.txt help2.txt || fail "'longmen help' differs from 'longmen --help'"
"$bin" run --help >run_help.txt || fail "'longmen run --help' exited $?"
"$bin" help run >run_help2.txt || fail "'longmen help run' exited $?"
cmp -s run_help.txt run_help2.txt || fail "'longmen help run' differs from 'longmen run --help'"
grep -q 'Usage' help.txt || fail "--help has no usage line"
grep -q '\brun\b' help.txt || fail "--help does not mention the run command"
for opt in "${options[@]}"; do
    grep -q -- "$opt" help.txt || fail "--help does not mention $opt"
    grep -q -- "$opt" run_help.txt || fail "run --help does not mention $opt"
done
grep -q 'e\.g\. --seed' run_help.txt || fail "run --help gives no example of --seed"
grep -q 'YYYY-MM' run_help.txt || fail "run --help does not give the month format"

version=$("$bin" --version) || fail "--version exited $?"
[[ "$version" =~ ^longmen\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version printed '$version'"

# expect_usage <args...>: exit 2, one error line starting with 'longmen:' and a hint.
expect_usage() {
    local rc=0
    "$bin" "$@" >out.txt 2>err.txt || rc=$?
    [[ $rc == 2 ]] || fail "'longmen $*' exited $rc, expected 2"
    [[ ! -s out.txt ]] || fail "'longmen $*' printed on stdout: $(cat out.txt)"
    [[ $(wc -l <err.txt) == 2 ]] || fail "'longmen $*': expected an error and a hint, got: $(cat err.txt)"
    head -n1 err.txt | grep -q '^longmen: ' || fail "'longmen $*': error line is $(head -n1 err.txt)"
    tail -n1 err.txt | grep -q "^see 'longmen .*--help'$" || fail "'longmen $*': no hint: $(cat err.txt)"
}
expect_usage --bogus
expect_usage frobnicate
expect_usage run --bogus
expect_usage run --seed
expect_usage run --seed -3
expect_usage run --threads many
expect_usage run --from 2015-13
expect_usage run --to=2020
expect_usage run a.yaml b.yaml
expect_usage
"$bin" run --from 2015-13 2>err.txt && fail "--from 2015-13 accepted"
grep -q -- "--from 2015-13: expected YYYY-MM" err.txt || fail "--from message: $(cat err.txt)"
shopt -s nullglob dotglob
for f in *; do
    [[ $f =~ ^(help|help2|run_help|run_help2|out|err)\.txt$ ]] || fail "a usage error created '$f'"
done
echo "cli_help: ok"
