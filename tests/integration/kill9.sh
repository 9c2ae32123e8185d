#!/usr/bin/env bash
# tests/integration/kill9.sh -- crash-safe output (docs/reliability.md): a longmen command
# killed with SIGKILL at many different moments, from loading to the last write, leaves its
# results folder either absent or complete (PRAGMA integrity_check ok, one run row, and the
# very rows an uninterrupted run writes), and never a leftover that blocks the next run: the
# next run with the same --out succeeds and tidies the dead run's temporary folder.
#
# Each command of the list below is killed LM_KILL9_KILLS times (default 24): half at delays
# spread over the loading and simulation of an uninterrupted run, half over its writing (a
# run that ends before its kill is retried), alternately into a fresh folder and with
# --force over a complete previous result (the replace path). It prints where the kills
# landed. A second list holds jobs of several runs (run --runs R, compare: kill9_jobs.sh;
# sweep, sensitivity: kill9_sweep.sh), which commit each replication into <out>.partial and
# resume: after each of their kills the partial database
# holds complete replications only, and --resume finishes the job with the uninterrupted
# job's result. calibrate has its own script (kill9_calibrate.sh: evaluations, not runs).
# Usage: bash kill9.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

fail() { echo "kill9: $*" >&2; exit 1; }
# shellcheck source=lib/results.sh
source "$root/tests/integration/lib/results.sh"
# shellcheck source=lib/pause.sh
source "$root/tests/integration/lib/pause.sh"
kills=${LM_KILL9_KILLS:-24}
((kills >= 2)) || fail "LM_KILL9_KILLS must be at least 2"
# A copy: the reference and every killed run must read the same file.
[[ -f $root/scenarios/three-capitals.yaml ]] || fail "missing scenario $root/scenarios/three-capitals.yaml"
scenario=$tmp/three-capitals.yaml
cp "$root/scenarios/three-capitals.yaml" "$scenario"

# name|arguments|checker: OUT stands for the results folder; the checker is called as
# <checker> <folder> <reference-hash> on every folder that exists after a kill.
commands=(
    "run|run $scenario --seed 7 --threads 2 --quiet --from 2015-01 --to 2019-12 --out OUT|check_complete"
)

now_ms() { date +%s%3N; }
# LM_KILL9_ONLY="a b": only the jobs of those names, in a test of their own that ctest runs
# beside this one (kill9_jobs.sh: run-runs and compare; kill9_sweep.sh: sweep and
# sensitivity); without it, the single run and the --force check below.
only=${LM_KILL9_ONLY:-}
selected() {
    if [[ -n $only ]]; then [[ " $only " == *" $1 "* ]]; else [[ $1 == run ]]; fi
}
inode() { stat -c %i "$1" 2>/dev/null || echo none; }

total_kills=0
for spec in "${commands[@]}"; do
    IFS='|' read -r name args checker <<<"$spec"
    selected "$name" || continue

    # The uninterrupted reference: its dump is the truth, and its timing spreads the kills:
    # half of them before the database file appears in the temporary folder (loading and
    # simulating), half after (writing results.sqlite, the report, the commit).
    t0=$(now_ms)
    write_at=""
    # shellcheck disable=SC2086
    "$bin" ${args//OUT/ref-$name} >/dev/null 2>stderr.txt &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if [[ -z $write_at ]] && compgen -G "ref-$name.tmp-*/results.sqlite" >/dev/null; then
            write_at=$(($(now_ms) - t0))
        fi
        sleep 0.005
    done
    wait "$pid" || fail "$name: reference run failed: $(cat stderr.txt)"
    span=$(($(now_ms) - t0))
    [[ -n $write_at ]] || write_at=$((span / 2))
    half=$((kills / 2))
    ref=$(canonical_dump "ref-$name/results.sqlite" | sha256sum | cut -d' ' -f1)

    fresh=$tmp/fresh-$name    # a new folder each time (removed when a run completed)
    replace=$tmp/replace-$name # always holds a complete result; runs use --force
    cp -r "ref-$name" "$replace"
    before_output=0 mid_sim=0 mid_write=0 after_commit=0 finished=0 killed=0
    for ((i = 0; killed < kills && i < 2 * kills; ++i)); do
        # Kill k of a round: the first half at delays spread over [0, write_at) or as soon as
        # the database appears, whichever comes first; the second half once the database has
        # appeared, after an extra delay spread over the rest of the reference's run. Events,
        # not only clocks: a loaded machine slows the run, not where the kills land.
        k=$((i % kills))
        if ((k < half)); then
            delay=$((write_at * k / (half > 1 ? half - 1 : 1)))
        else
            delay=$(((span - write_at) * 9 * (k - half) / (10 * (kills - half > 1 ? kills - half - 1 : 1))))
        fi
        was=none
        if ((i % 2 == 0)); then
            out=$fresh
            # shellcheck disable=SC2086 # the argument list is split on purpose
            "$bin" ${args//OUT/$out} >/dev/null 2>>"$tmp/stderr.txt" &
        else
            out=$replace
            was=$(inode "$out")
            # shellcheck disable=SC2086
            "$bin" ${args//OUT/$out} --force >/dev/null 2>>"$tmp/stderr.txt" &
        fi
        pid=$!
        t0=$(now_ms)
        while kill -0 "$pid" 2>/dev/null && [[ ! -e $out.tmp-$pid/results.sqlite ]] &&
            ((k >= half || $(now_ms) - t0 < delay)); do
            sleep 0.003
        done
        ((k < half)) || sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        kill -9 "$pid" 2>/dev/null || true
        rc=0
        { wait "$pid"; } 2>/dev/null || rc=$? # without bash's "Killed" line
        left=$out.tmp-$pid
        if ((rc == 0)); then
            finished=$((finished + 1))
        elif ((rc == 137)); then
            if [[ -d $out && $(inode "$out") != "$was" ]]; then
                after_commit=$((after_commit + 1))
            elif [[ -f $left/results.sqlite ]]; then
                mid_write=$((mid_write + 1))
            elif [[ -d $left ]]; then
                mid_sim=$((mid_sim + 1))
            else
                before_output=$((before_output + 1))
            fi
            killed=$((killed + 1))
        else
            fail "$name: kill $i: the run exited $rc before the kill: $(tail -n 3 "$tmp/stderr.txt")"
        fi
        # The promise: absent, or complete and identical to the uninterrupted run.
        if [[ -e $out ]]; then
            "$checker" "$out" "$ref"
        elif ((i % 2 == 1)); then
            # Only the two-rename replace (no RENAME_EXCHANGE) leaves this window; the next
            # run puts the previous result back (outdir.c), so the folder is never lost.
            [[ -n $(leftovers "$(dirname "$out")" "$(basename "$out")") ]] ||
                fail "$name: kill $i: $out vanished with no set-aside copy"
        fi
        # A completed fresh folder goes, so the next run writes into the same path again;
        # the dead run's temporary folder stays for that run to tidy.
        if ((i % 2 == 0)); then rm -rf "$fresh"; fi
    done

    # Uninterrupted runs into both folders succeed, tidy every leftover, and agree.
    "$bin" ${args//OUT/$fresh} >/dev/null 2>stderr.txt || fail "$name: rerun into $fresh: $(cat stderr.txt)"
    "$bin" ${args//OUT/$replace} --force >/dev/null 2>stderr.txt || fail "$name: rerun into $replace: $(cat stderr.txt)"
    for out in "$fresh" "$replace"; do
        "$checker" "$out" "$ref"
        stale=$(leftovers "$(dirname "$out")" "$(basename "$out")")
        [[ -z $stale ]] || fail "$name: leftovers of killed runs remain beside $out: $stale"
    done
    total_kills=$((total_kills + killed))
    echo "kill9: $name: $killed kills survived ($before_output while loading, $mid_sim mid-simulation," \
        "$mid_write mid-write, $after_commit after the commit; $finished runs ended before their kill)"
done

# ---- Jobs of several runs (run --runs R, compare, sweep, sensitivity): killed, checked, resumed ----
# A job commits each finished replication into <out>.partial/results.sqlite and renames the
# folder to <out> when all are in (docs/experiments.md). After every kill: <out> is absent or
# complete; <out>.partial, if any, holds an intact database of complete replications only
# (each equal to the same replication of the uninterrupted job); then the same command with
# --resume finishes the job, and its result equals the uninterrupted job's (job_dump: every
# table, rows sorted, minus run.started_at and run.threads; summary.txt; compare.csv).
tiny=$tmp/tiny.yaml
cp "$root/tests/data/tiny.yaml" "$tiny"
jobs=(
    "run-runs|run $tiny --runs 8 --threads 2 --quiet --out OUT"
    "compare|compare $tiny --runs 4 --threads 2 --quiet --policy Jiashi.st_fund.loss_tolerance=0.5 --out OUT"
    "sweep|sweep $tiny --runs 2 --to 2015-12 --threads 2 --quiet --param Jiashi.st_fund.loss_tolerance=0.1:0.5:3 --param params.rnd.spillover=0.001:0.005:2 --out OUT"
    "sensitivity|sensitivity $tiny --params $root/tests/data/sensitivity/tiny.yaml --points 4 --runs 2 --to 2015-12 --threads 2 --quiet --out OUT"
)
need=$((kills < 20 ? kills : 20))
for spec in "${jobs[@]}"; do
    IFS='|' read -r name args <<<"$spec"
    selected "$name" || continue
    # The reference, and its timing: when the first replication is committed (the database
    # appears in <ref>.partial), and when the job ends.
    t0=$(now_ms)
    first_at=""
    # shellcheck disable=SC2086
    "$bin" ${args//OUT/ref-$name} >/dev/null 2>stderr.txt &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if [[ -z $first_at && -f ref-$name.partial/results.sqlite ]]; then
            first_at=$(($(now_ms) - t0))
        fi
        sleep 0.003
    done
    wait "$pid" || fail "$name: reference job failed: $(cat stderr.txt)"
    span=$(($(now_ms) - t0))
    [[ -n $first_at ]] || first_at=$((span / 2))
    half=$((kills / 2))
    reps=$(sqlite3 "ref-$name/results.sqlite" 'select count(*) from run')

    fresh=$tmp/fresh-$name
    replace=$tmp/replace-$name
    cp -r "ref-$name" "$replace"
    before_runs=0 with_runs=0 after_commit=0 finished=0 killed=0 resumed=0 kept_total=0
    for ((i = 0; killed < kills && i < 2 * kills; ++i)); do
        # As above: the first half of the kills spread over [0, first commit), the second half
        # over the rest of the job once the first replication is in.
        k=$((i % kills))
        if ((k < half)); then
            delay=$((first_at * k / (half > 1 ? half - 1 : 1)))
        else
            delay=$(((span - first_at) * 9 * (k - half) / (10 * (kills - half > 1 ? kills - half - 1 : 1))))
        fi
        force=() was=none out=$fresh
        if ((i % 2 == 1)); then
            out=$replace force=(--force) was=$(inode "$out")
        fi
        # shellcheck disable=SC2086
        "$bin" ${args//OUT/$out} "${force[@]}" >/dev/null 2>>"$tmp/stderr.txt" &
        pid=$!
        t0=$(now_ms)
        while kill -0 "$pid" 2>/dev/null && [[ ! -f $out.partial/results.sqlite ]] &&
            ((k >= half || $(now_ms) - t0 < delay)); do
            sleep 0.002
        done
        ((k < half)) || sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        kill -9 "$pid" 2>/dev/null || true
        rc=0
        { wait "$pid"; } 2>/dev/null || rc=$?
        ((rc == 0 || rc == 137)) ||
            fail "$name: kill $i: the job exited $rc before the kill: $(tail -n 3 "$tmp/stderr.txt")"
        # The promise: <out> absent or complete; <out>.partial intact, complete replications.
        [[ ! -e $out ]] || check_job_complete "$out" "ref-$name"
        kept=0
        if [[ -e $out.partial ]]; then
            kept=$(check_partial "$out.partial" "ref-$name")
        fi
        if ((rc == 0)); then
            finished=$((finished + 1))
        else
            killed=$((killed + 1))
            if [[ -d $out && $(inode "$out") != "$was" ]]; then
                after_commit=$((after_commit + 1))
            elif ((kept > 0)); then
                with_runs=$((with_runs + 1))
                kept_total=$((kept_total + kept))
            else
                before_runs=$((before_runs + 1))
            fi
        fi
        # --resume finishes the job (a fresh folder already complete needs nothing).
        if [[ -e $out.partial || ! -e $out || ${#force[@]} -gt 0 ]]; then
            # shellcheck disable=SC2086
            "$bin" ${args//OUT/$out} --resume "${force[@]}" >/dev/null 2>stderr.txt ||
                fail "$name: kill $i: --resume exited $?: $(cat stderr.txt)"
            resumed=$((resumed + 1))
        fi
        check_job_complete "$out" "ref-$name"
        [[ ! -e $out.partial ]] || fail "$name: kill $i: $out.partial left after --resume"
        stale=$(find "$tmp" -mindepth 1 -maxdepth 1 -name "$(basename "$out").*" -printf '%f\n')
        [[ -z $stale ]] || fail "$name: kill $i: leftovers beside $out: $stale"
        if [[ $out == "$fresh" ]]; then rm -rf "$fresh"; fi
    done
    ((killed >= need)) || fail "$name: only $killed jobs were killed; expected at least $need"
    total_kills=$((total_kills + killed))
    echo "kill9: $name ($reps replications): $killed kills survived ($before_runs before the first" \
        "replication was in, $with_runs with $kept_total complete replications kept in all," \
        "$after_commit after the commit; $finished jobs ended before their kill); $resumed resumes" \
        "equal to the uninterrupted job"
done

if [[ -n $only ]]; then
    ((total_kills >= 20)) || fail "only $total_kills of the runs were killed; expected at least 20"
    echo "kill9: ok ($total_kills kills: $only)"
    exit 0
fi
# --force starts a job over, but never under a live one: while a job works in <out>.partial,
# a --force job for the same folder is refused and the first is undisturbed; once the first
# is killed, --force starts over (the database removed first: replicate.c).
# shellcheck disable=SC2086
# The live job holds after its first replication (LM_PAUSE_AT, lib/pause.sh): alive however
# fast or slow the machine.
LM_PAUSE_AT=run:1 "$bin" run "$tiny" --runs 4 --threads 1 --quiet --out "$tmp/live" >/dev/null 2>stderr.txt &
pid=$!
wait_paused "$pid" stderr.txt
rc=0
"$bin" run "$tiny" --runs 2 --quiet --out "$tmp/live" --force >/dev/null 2>force.txt || rc=$?
if ((rc != 1)) || ! grep -q 'in use by another longmen job' force.txt; then
    fail "--force under a live job exited $rc: $(cat force.txt)"
fi
kill -0 "$pid" 2>/dev/null || fail "the live job died when --force was refused"
kill -9 "$pid" 2>/dev/null || true
{ wait "$pid"; } 2>/dev/null || true
"$bin" run "$tiny" --runs 2 --quiet --out "$tmp/live" --force >/dev/null 2>force.txt ||
    fail "--force after the live job was killed: $(cat force.txt)"
[[ ! -e $tmp/live.partial && $(sqlite3 "$tmp/live/results.sqlite" 'select count(*) from run') == 2 ]] ||
    fail "--force did not start the killed job over"
echo "kill9: --force refused under a live job, started over once it was killed"
((total_kills >= 20)) || fail "only $total_kills of the runs were killed; expected at least 20"
echo "kill9: ok ($total_kills kills)"
