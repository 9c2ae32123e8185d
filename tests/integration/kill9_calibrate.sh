#!/usr/bin/env bash
# tests/integration/kill9_calibrate.sh -- `longmen calibrate` killed with SIGKILL at many
# moments (docs/reliability.md, docs/calibration.md): after every kill the out folder is absent
# or complete (the files and tables of an uninterrupted calibration), and <out>.partial holds
# an intact database (PRAGMA integrity_check) with complete evaluations only (each with all
# its parameter values and moments); each next start runs with --resume, so the kills land
# in fresh starts, replays of cached evaluations, simulations, commits and the final writes.
# At the end a --resume finishes the job with exactly the uninterrupted calibration's files
# and tables. LM_KILL9_KILLS kills (default 24, at least 20 by the issue).
# Usage: bash kill9_calibrate.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "kill9_calibrate: $*" >&2; exit 1; }
kills=${LM_KILL9_KILLS:-24}
cp "$root/tests/data/tiny.yaml" tiny.yaml
cp "$root/calibration/smoke.yaml" smoke.yaml
budget=24 runs=4 targets=4 params=2
args=(calibrate "$tmp/tiny.yaml" --targets "$tmp/smoke.yaml" --budget $budget --runs $runs
      --threads 2 -q --out c)
now_ms() { date +%s%3N; }
files=(trace.csv moments.csv summary.txt calibrated.yaml parameters.csv jacobian.csv)
tables=(calibration calibration_parameter calibration_target calibration_evaluation
        calibration_value calibration_moment calibration_summary)

# The reference runs where the killed jobs run (calibrated.yaml names the scenario relative
# to the folder), then moves aside.
t0=$(now_ms)
"$bin" "${args[@]}" >/dev/null 2>err.txt || fail "reference exited $?: $(cat err.txt)"
span=$(($(now_ms) - t0))
mkdir ref
mv c ref/c
dump() { for t in "${tables[@]}"; do sqlite3 "$1" "select * from $t order by 1, 2, 3"; done; }
dump ref/c/results.sqlite >ref.dump

check_complete() {
    local f
    for f in "${files[@]}"; do
        cmp -s "c/$f" "ref/c/$f" || fail "kill $1: a complete c/$f differs from the uninterrupted one"
    done
    [[ $(sqlite3 c/results.sqlite 'pragma integrity_check') == ok ]] || fail "kill $1: integrity of c"
    dump c/results.sqlite | cmp -s - ref.dump || fail "kill $1: the tables of c differ"
}

check_partial() {
    local db=c.partial/results.sqlite integrity bad
    [[ -f $db ]] || return 0
    integrity=$(sqlite3 "$db" 'pragma integrity_check' 2>&1) || fail "kill $1: cannot read $db: $integrity"
    [[ $integrity == ok ]] || fail "kill $1: integrity_check of $db: $integrity"
    # tables may not exist yet (killed before the first statement)
    sqlite3 "$db" "select 1 from calibration_evaluation limit 1" >/dev/null 2>&1 || return 0
    bad=$(sqlite3 "$db" "select count(*) from calibration_evaluation e where
            (select count(*) from calibration_value v where v.evaluation = e.evaluation) <> $params or
            (select count(*) from calibration_moment m where m.evaluation = e.evaluation) <> $((runs * targets))")
    [[ $bad == 0 ]] || fail "kill $1: $bad incomplete evaluations in $db"
    # the evaluations kept are the reference's first ones, exactly
    local n
    n=$(sqlite3 "$db" 'select count(*) from calibration_evaluation')
    ((n <= budget + 2 * params)) || fail "kill $1: $n evaluations (budget and Jacobian)"
    a=$(sqlite3 "$db" "select * from calibration_moment order by 1, 2, 3")
    b=$(sqlite3 ref/c/results.sqlite "select * from calibration_moment where evaluation <= $n order by 1, 2, 3")
    [[ $a == "$b" ]] || fail "kill $1: the kept evaluations differ from the reference's"
}

killed=0 finished=0 restarts=0
for ((i = 0; killed < kills && i < 4 * kills; ++i)); do
    # delays spread over the first two thirds of the reference's span, in a scrambled order
    # (a resumed job has less left to do; a few kills land at once, before anything is open)
    delay=$((2 * span * ((i * 7) % kills) / (3 * kills)))
    "$bin" "${args[@]}" --resume >/dev/null 2>>err.txt &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    rc=0
    { wait "$pid"; } 2>/dev/null || rc=$?
    if ((rc == 137)); then
        killed=$((killed + 1))
    elif ((rc != 0)); then
        fail "round $i: exit $rc: $(tail -n 3 err.txt)"
    fi
    if [[ -d c ]]; then
        check_complete "$i"
        [[ ! -e c.partial ]] || fail "round $i: both c and c.partial exist"
        ((rc == 0)) && finished=$((finished + 1))
        rm -rf c # start over: the next kills land in a fresh calibration again
        restarts=$((restarts + 1))
    fi
    check_partial "$i"
done
((killed >= kills)) || fail "only $killed kills landed in $i rounds (the job is too fast?)"
"$bin" "${args[@]}" --resume >/dev/null 2>err.txt || fail "the final --resume exited $?: $(cat err.txt)"
check_complete final
echo "kill9_calibrate: $killed kills ($finished runs finished first, $restarts complete folders checked); --resume = uninterrupted (reference ${span} ms)"
