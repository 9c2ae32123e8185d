#!/usr/bin/env bash
# tests/integration/failures.sh -- the ways a results folder cannot be written, and the
# resource limits (docs/reliability.md). Each gives exit 1 and exactly one clear line on
# stderr, leaves no temporary folder, and damages nothing written earlier:
#   - a full disk (a 4 MB tmpfs, or a loop-mounted 4 MB image where tmpfs cannot be mounted):
#     an earlier results folder on the same disk stays byte for byte;
#   - an unwritable out folder (a path under a regular file; a read-only mount when root
#     can mount one: chmod does not stop root);
#   - an out folder that exists, refused unless --force;
#   - a missing scenario;
#   - a run whose memory estimate exceeds --max-memory (the error gives the estimate);
#   - pathological parameters (a founder rate of 1e12, a horizon of 10,000 years): rejected
#     by validation with a located error, long before any allocation.
# Usage: bash failures.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
mounts=()
cleanup() {
    local m
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

fail() { echo "failures: $*" >&2; exit 1; }
tiny=$root/tests/data/tiny.yaml
big=$root/scenarios/three-capitals.yaml
[[ -f $tiny && -f $big ]] || fail "missing test scenarios"

# expect_error <pattern> <args...>: exit 1, one stderr line matching pattern, nothing on stdout.
expect_error() {
    local pattern=$1 rc=0
    shift
    "$bin" "$@" >out.txt 2>err.txt || rc=$?
    [[ $rc == 1 ]] || fail "'longmen $*' exited $rc, expected 1: $(cat err.txt)"
    [[ $(wc -l <err.txt) == 1 ]] || fail "'longmen $*': expected one error line, got: $(cat err.txt)"
    grep -qE "^longmen: .*$pattern" err.txt ||
        fail "'longmen $*': expected an error matching '$pattern', got: $(cat err.txt)"
    [[ ! -s out.txt ]] || fail "'longmen $*' printed on stdout: $(head -c 300 out.txt)"
}
no_leftovers() { # no_leftovers <folder>: no temporary folder of ours in it
    local left
    left=$(find "$1" -maxdepth 1 \( -name '*.tmp-*' -o -name '*.old-*' \) 2>/dev/null)
    [[ -z $left ]] || fail "$2 left a temporary folder: $left"
}
checksum() { (cd "$1" && sha256sum results.sqlite summary.txt); }

# ---- a full disk ----
disk=$tmp/disk
mkdir "$disk"
how=""
if mount -t tmpfs -o size=4m tmpfs "$disk" 2>/dev/null; then
    how="4 MB tmpfs"
    mounts+=("$disk")
elif command -v mkfs.ext4 >/dev/null && truncate -s 4M disk.img && mkfs.ext4 -q disk.img 2>/dev/null &&
    mount -o loop disk.img "$disk" 2>/dev/null; then
    how="4 MB loop-mounted ext4"
    mounts+=("$disk")
fi
if [[ -n $how ]]; then
    # Something written earlier, on the same disk: a tiny run (about 1.5 MB) fits.
    "$bin" run "$tiny" --quiet --out "$disk/earlier" >/dev/null 2>err.txt ||
        fail "a tiny run does not fit on the $how: $(cat err.txt)"
    before=$(checksum "$disk/earlier")
    expect_error 'results\.sqlite.*(full|space)|(full|space).*results\.sqlite|No space left' \
        run "$big" --quiet --from 2015-01 --to 2019-12 --out "$disk/big"
    diskerr=$(cat err.txt)
    [[ ! -e $disk/big ]] || fail "a run on a full disk left $disk/big"
    no_leftovers "$disk" "a run on a full disk"
    [[ $(checksum "$disk/earlier") == "$before" ]] || fail "a run on a full disk damaged an earlier result"
    # The disk is usable again: the failed run gave back its space.
    "$bin" run "$tiny" --quiet --out "$disk/again" >/dev/null 2>err.txt ||
        fail "after the full-disk failure, a tiny run no longer fits: $(cat err.txt)"
    # A job of several runs keeps its complete runs in <out>.partial and says how to go on.
    rm -rf "$disk/again" "$disk/earlier"
    expect_error '(full|space).*complete runs are kept in .*reps\.partial: .*--resume finishes the job' \
        run "$tiny" --quiet --runs 40 --detail all --threads 1 --out "$disk/reps"
    [[ -f $disk/reps.partial/results.sqlite ]] || fail "the full-disk job kept no $disk/reps.partial"
    ! grep -q '\.tmp-' err.txt || fail "an error names a temporary file that never exists: $(cat err.txt)"
    echo "failures: full disk ($how): $diskerr; a job of runs: $(cat err.txt)"
else
    echo "failures: full disk: skipped (neither tmpfs nor a loop device can be mounted here)"
fi

# ---- an unwritable out folder ----
echo "not a folder" >plainfile
expect_error 'cannot create output folder' run "$tiny" --quiet --out plainfile/runs/x
[[ $(cat plainfile) == "not a folder" ]] || fail "the unwritable-path run changed plainfile"
ro=$tmp/ro
mkdir "$ro"
if mount -t tmpfs -o size=1m,ro tmpfs "$ro" 2>/dev/null; then
    mounts+=("$ro")
    expect_error 'cannot create output folder.*Read-only' run "$tiny" --quiet --out "$ro/x"
    echo "failures: read-only file system: refused"
else
    echo "failures: read-only file system: skipped (cannot mount here)"
fi
no_leftovers "$tmp" "an unwritable out folder"

# ---- an out folder that exists ----
"$bin" run "$tiny" --quiet --out existing >/dev/null 2>err.txt || fail "run into existing: $(cat err.txt)"
before=$(checksum existing)
expect_error 'already exists \(use --force' run "$tiny" --quiet --seed 3 --out existing
[[ $(checksum existing) == "$before" ]] || fail "the refused run changed the existing folder"
"$bin" run "$tiny" --quiet --seed 3 --out existing --force >/dev/null 2>err.txt ||
    fail "--force did not replace: $(cat err.txt)"
[[ $(sqlite3 existing/results.sqlite 'select seed from run') == 3 ]] || fail "--force kept the old result"
no_leftovers "$tmp" "an existing out folder"
# --force replaces only what longmen wrote: a folder of a user's files is refused, untouched,
# by a single run and by a job of several runs alike.
mkdir -p userdir/sub
echo x >userdir/sub/important.doc
expect_error 'userdir is not a results folder of longmen .*--force replaces only folders longmen wrote' \
    run "$tiny" --quiet --out userdir --force
expect_error 'userdir is not a results folder of longmen' run "$tiny" --quiet --runs 2 --out userdir --force
[[ $(cat userdir/sub/important.doc) == x ]] || fail "--force deleted a user's file"
[[ ! -e userdir.partial ]] || fail "a refused --force left userdir.partial"
no_leftovers "$tmp" "--force over a user's folder"

# ---- Ctrl-C and SIGTERM stop a run promptly, whenever they come: while it starts and loads,
# and while months run (between two phases of a month); nothing is left. A stop takes tens of
# milliseconds on a quiet machine; the bound is 5 s (stop_ms) so that a machine busy with
# other jobs under the sanitizers (1.3 s seen) does not fail it, while the exit status (130
# or 143, not 0 or 1) tells a stopped job from one that ran or loaded to its end ----
stop_ms=5000
set -m # job control: a background command of a script would otherwise ignore SIGINT
for sig in INT TERM; do
    for delay in 0.02 0.3 2; do
        "$bin" run "$big" --quiet --threads 2 --out "stopped" >/dev/null 2>err.txt &
        pid=$!
        sleep "$delay"
        kill -"$sig" "$pid" 2>/dev/null || true
        sent=${EPOCHREALTIME/./}
        rc=0
        wait "$pid" || rc=$?
        took=$(((${EPOCHREALTIME/./} - sent) / 1000))
        ((took <= stop_ms)) || fail "SIG$sig after ${delay} s: the run took $took ms to stop"
        want=$((128 + $([[ $sig == INT ]] && echo 2 || echo 15)))
        [[ $rc == "$want" ]] || fail "SIG$sig after ${delay} s: exit $rc, expected $want: $(cat err.txt)"
        [[ ! -e stopped ]] || fail "SIG$sig after ${delay} s left the results folder"
        echo "failures: SIG$sig after ${delay} s: stopped in $took ms"
    done
done
set +m
# A FIFO as the scenario: without a writer an error at once; with a writer that says nothing,
# SIGTERM stops the wait.
mkfifo pipe.yaml
expect_error 'pipe\.yaml: a FIFO or pipe with nothing written to it' run pipe.yaml --quiet --out p
sleep 30 >pipe.yaml &
writer=$!
"$bin" run pipe.yaml --quiet --out p >/dev/null 2>err.txt &
pid=$!
sleep 0.5
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
[[ $rc == 143 ]] || fail "SIGTERM while reading a FIFO: exit $rc: $(cat err.txt)"
[[ ! -e p ]] || fail "a run of a FIFO left its results folder"
sleep 0.2

# ---- Ctrl-C and SIGTERM stop the loading of a large input promptly: a chain of two
# 16 MB files (each a list of 2.7 million items: 2 s or more to parse, and an unknown key the
# loader reports at the end); the loader looks at the stop flag between YAML events, files
# and steps ----
pad() { printf 'x_pad:\n'; { yes '  - 1' || true; } | head -c 16000000; } # yes ends by SIGPIPE
{ cat "$tiny"; pad; } >p1.yaml
{ echo "extends: p1.yaml"; pad; } >p0.yaml
set -m
for how in "INT run" "TERM run" "TERM compare --policy x.y=1"; do
    read -r sig cmd <<<"$how"
    # shellcheck disable=SC2086 # cmd is words
    "$bin" $cmd p0.yaml --quiet --out loading >/dev/null 2>err.txt &
    pid=$!
    sleep 0.5
    kill -"$sig" "$pid" 2>/dev/null || true
    sent=${EPOCHREALTIME/./}
    rc=0
    wait "$pid" || rc=$?
    took=$(((${EPOCHREALTIME/./} - sent) / 1000))
    want=$((128 + $([[ $sig == INT ]] && echo 2 || echo 15)))
    # before: the signal waited for the whole chain, then the unknown key ended it with 1
    [[ $rc == "$want" ]] || fail "SIG$sig while $cmd loads: exit $rc, expected $want: $(cat err.txt)"
    ((took <= stop_ms)) || fail "SIG$sig while $cmd loads: took $took ms to stop"
    [[ ! -e loading ]] || fail "SIG$sig while $cmd loads left the results folder"
    echo "failures: SIG$sig while ${cmd%% *} loads 32 MB of extends: stopped in $took ms"
done
set +m
rm -f p0.yaml p1.yaml
no_leftovers "$tmp" "a stopped run"

# ---- a missing scenario ----
expect_error 'missing\.yaml: cannot open: No such file' run missing.yaml --quiet --out m
[[ ! -e m ]] || fail "a missing scenario created its out folder"

# ---- resource limits ----
expect_error 'would need about [0-9.]+ [KMGT]?B of memory .*more than the limit of 1\.0 MB' \
    run "$big" --quiet --max-memory 1M --out mem
[[ ! -e mem ]] || fail "a run refused for memory created its out folder"
estimate=$(grep -oE 'about [0-9.]+ [KMGT]?B' err.txt | head -n1)
"$bin" run "$tiny" --quiet --max-memory 1G --out memok >/dev/null 2>err.txt ||
    fail "a tiny run under --max-memory 1G was refused: $(cat err.txt)"
rc=0
"$bin" run "$tiny" --max-memory 12Q >/dev/null 2>err.txt || rc=$?
[[ $rc == 2 ]] || fail "--max-memory 12Q exited $rc, expected the usage error 2"
echo "failures: --max-memory 1M refuses three-capitals ($estimate estimated)"

rejected=0
for case in founder_rate_1e12 horizon_10000_years too_many_founders; do
    expect_error "bad/$case\.yaml:[0-9]+:[0-9]+: " run "$root/tests/data/bad/$case.yaml" --quiet --out p
    [[ ! -e p ]] || fail "$case created its out folder"
    rejected=$((rejected + 1))
done
no_leftovers "$tmp" "a refused run"
echo "failures: ok ($rejected pathological scenarios rejected by validation)"
