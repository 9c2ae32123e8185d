#!/usr/bin/env bash
# tests/integration/golden.sh -- the same bits on every machine: one replication of the
# default scenario (scenarios/three-capitals.yaml, seed 5, kept brief: every summary table
# and the notable firms) dumps to exactly the tables whose SHA-256 is checked in at
# tests/data/golden/three-capitals-seed5.sha256. The engine's arithmetic is IEEE-754 only,
# with no fused multiply-add and its own exp, log and pow (src/core/detmath.h), so another
# x86-64 machine, compiler or thread count must give these bits; a difference here means
# the results depend on the machine, or the dynamics changed. A change of the model or of
# its random streams changes the hash on purpose: then rerun with --update and say so in
# the commit.
# Usage: bash golden.sh <longmen-binary> <repo-root> [--update]
set -euo pipefail
bin=$1
root=$(cd "$2" && pwd)
update=${3:-}
fail() { echo "golden: $*" >&2; exit 1; }
# shellcheck source=lib/results.sh
source "$root/tests/integration/lib/results.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
want_file=$root/tests/data/golden/three-capitals-seed5.sha256

"$bin" run "$root/scenarios/three-capitals.yaml" --seed 5 --runs 1 --detail 0 --threads 2 -q \
    --out "$tmp/g" >/dev/null 2>"$tmp/err" || fail "the default run failed: $(cat "$tmp/err")"
got=$(canonical_dump "$tmp/g/results.sqlite" | sha256sum | cut -d' ' -f1)
if [[ $update == --update ]]; then
    printf '%s\n' "$got" >"$want_file"
    echo "golden: $want_file updated to $got"
    exit 0
fi
[[ -f $want_file ]] || fail "no $want_file (bash $0 <longmen> <root> --update writes it)"
want=$(head -n1 "$want_file")
[[ $got == "$want" ]] ||
    fail "the default run's tables hash to $got, not the checked-in $want: the results depend
on this machine, or the dynamics changed (then: bash tests/integration/golden.sh build/longmen . --update)"
echo "golden: the default run's tables are the checked-in bits ($got)"
