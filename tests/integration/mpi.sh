#!/usr/bin/env bash
# tests/integration/mpi.sh -- the experiment commands under Open MPI (docs/scaling.md):
# `mpirun -np 2 longmen run --runs 4`, `compare --runs 3` and a small `sweep` on
# tests/data/tiny.yaml, and with tiny budgets `sensitivity`, `optimise` and `calibrate` (when
# the build has them), each give the results folder one process gives with the same seed:
# the same rows in every table of results.sqlite (the run table but for its per-process
# columns started_at and threads; rows in the same rowid order as a one-thread job) and the
# same summary.txt. A job interrupted under mpirun leaves its ranks' finished runs, and a
# one-process --resume finishes it with the same results; a one-process job interrupted is
# finished by `mpirun ... --resume`. A build without MPI refuses to run
# as several processes. Skipped (exit 77) only when the build was configured without MPI;
# a missing mpirun is a failure (scripts/install-deps.sh installs it).
# Usage: bash mpi.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
source "$root/tests/integration/lib/results.sh"
# shellcheck source=lib/pause.sh
source "$root/tests/integration/lib/pause.sh"
fail() { echo "mpi: $*" >&2; exit 1; }
command -v mpirun >/dev/null || fail "mpirun not found (bash scripts/install-deps.sh installs openmpi-bin)"
command -v sqlite3 >/dev/null || fail "sqlite3 not found"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
scenario=$root/tests/data/tiny.yaml

# Root (CI containers) needs Open MPI's consent; 2 ranks on fewer cores need --oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# No network or shared-memory probing beyond this machine: quicker and quieter start-up.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1
# Under the ASan build (tests/integration/sanitizers.sh) Open MPI's own allocations, many in
# components it has unloaded by exit, are reported as leaks: the ranks run without leak
# detection there (address errors and UBSan still stop them). Our code's leaks are checked
# by the one-process runs of this script and the rest of the suite.
mpienv=()
[[ -z ${LM_IN_SANITIZER_BUILD:-} ]] || mpienv=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
mpi() { "${mpienv[@]}" mpirun -np 2 --oversubscribe "$bin" "$@"; }

if ! mpi --version >mpiver.txt 2>&1; then
    grep -q 'built without MPI' mpiver.txt ||
        fail "mpirun -np 2 longmen --version failed: $(cat mpiver.txt)"
    echo "mpi: SKIPPED: this build has no MPI (configured with LM_WITH_MPI=OFF); it refuses to run as 2 processes"
    exit 77
fi
[[ $(grep -c '^longmen ' mpiver.txt) == 1 ]] || fail "--version printed by more than rank 0: $(cat mpiver.txt)"

# dump_db <db>: job_dump (lib/results.sh), also for a database without a run table
# (optimise, calibrate).
dump_db() {
    local db=$1 t
    if [[ -n $(sqlite3 "$db" "select name from sqlite_master where name = 'run'") ]]; then
        job_dump "$db"
        return
    fi
    sqlite3 "$db" .schema
    for t in $(sqlite3 "$db" "select name from sqlite_master where type = 'table'
                              and name not like 'sqlite_%' order by name"); do
        echo "-- $t"
        sqlite3 "$db" ".mode insert $t" "select * from \"$t\"" | LC_ALL=C sort
    done
}

# same <name>: one/<name> (one process, one thread) and two/<name> (2 ranks) are equal.
same() {
    local name=$1
    [[ -d one/$name && -d two/$name ]] || fail "$name: a results folder is missing"
    [[ ! -e two/$name.partial ]] || fail "$name: two/$name.partial left behind"
    [[ -z $(find "two/$name" -name 'rank-*') ]] || fail "$name: rank files left in the folder"
    [[ $(sqlite3 "two/$name/results.sqlite" 'pragma integrity_check') == ok ]] ||
        fail "$name: integrity_check"
    dump_db "one/$name/results.sqlite" >"$name.one.txt"
    dump_db "two/$name/results.sqlite" >"$name.two.txt"
    cmp -s "$name.one.txt" "$name.two.txt" ||
        fail "$name: results.sqlite differs: $(diff "$name.one.txt" "$name.two.txt" | head -5)"
    # Rowid order too: rank 0 merges the runs in run_id order, as one thread appends them.
    local t q
    for t in $(sqlite3 "one/$name/results.sqlite" "select name from sqlite_master where
               type = 'table' and name <> 'run' and name not like 'sqlite_%' order by name"); do
        q="select * from \"$t\" order by rowid"
        [[ $(sqlite3 "one/$name/results.sqlite" "$q" | sha256sum) == \
           "$(sqlite3 "two/$name/results.sqlite" "$q" | sha256sum)" ]] ||
            fail "$name: table $t has its rows in another order"
    done
    cmp -s "one/$name/summary.txt" "two/$name/summary.txt" || fail "$name: summary.txt differs"
    cmp -s "one/$name.out" "two/$name.out" || fail "$name: the terminal table differs"
    [[ ! -s two/$name.err ]] || fail "$name: stderr under mpirun: $(cat "two/$name.err")"
    echo "mpi: $name: 2 ranks = 1 process"
}
mkdir one two

# ---- run --runs 4 ----
args=(run "$scenario" --runs 4 --out runs4 -q)
(cd one && "$bin" "${args[@]}" --threads 1 >runs4.out 2>runs4.err) || fail "one: run --runs 4: $(cat one/runs4.err)"
(cd two && mpi "${args[@]}" >runs4.out 2>runs4.err) || fail "two: run --runs 4: $(cat two/runs4.err)"
same runs4

# ---- compare --runs 3 ----
args=(compare "$scenario" --runs 3 --policy "params.rnd.spillover=0.004" --out cmp -q)
(cd one && "$bin" "${args[@]}" --threads 1 >cmp.out 2>cmp.err) || fail "one: compare: $(cat one/cmp.err)"
(cd two && mpi "${args[@]}" >cmp.out 2>cmp.err) || fail "two: compare: $(cat two/cmp.err)"
cmp -s one/cmp/compare.csv two/cmp/compare.csv || fail "cmp: compare.csv differs"
same cmp

# ---- sweep: 3 points x 2 runs ----
args=(sweep "$scenario" --runs 2 --param params.rnd.spillover=0.001:0.005:3 --out sw -q)
(cd one && "$bin" "${args[@]}" --threads 1 >sw.out 2>sw.err) || fail "one: sweep: $(cat one/sw.err)"
(cd two && mpi "${args[@]}" >sw.out 2>sw.err) || fail "two: sweep: $(cat two/sw.err)"
cmp -s one/sw/sweep.csv two/sw/sweep.csv || fail "sw: sweep.csv differs"
same sw

# ---- one run (no --runs): rank 0 runs it, one folder, one table ----
(cd one && "$bin" run "$scenario" --out single -q >single.out 2>single.err) || fail "one: run"
(cd two && mpi run "$scenario" --out single -q >single.out 2>single.err) || fail "two: run: $(cat two/single.err)"
[[ $(canonical_dump one/single/results.sqlite) == "$(canonical_dump two/single/results.sqlite)" ]] ||
    fail "single: results.sqlite differs"
cmp -s one/single.out two/single.out || fail "single: the terminal table differs"

# ---- an error: one message (rank 0's), exit 1 on every rank ----
rc=0
(cd two && mpi run "$scenario" --runs 4 --out runs4 -q >exists.out 2>exists.err) || rc=$?
[[ $rc != 0 ]] || fail "an existing folder was not refused under mpirun"
[[ $(grep -c 'already exists' two/exists.err) == 1 ]] ||
    fail "the refusal is not said once: $(cat two/exists.err)"

# ---- interrupted under mpirun, resumed by one process ----
# Each rank holds after its 3rd replication (LM_PAUSE_AT, lib/pause.sh); once one says so,
# SIGTERM to mpirun, which passes it to the ranks: each stops after its month and keeps its
# finished runs in big.partial/rank-K.sqlite.
rc=0
(cd two && LM_PAUSE_AT=run:3 exec "${mpienv[@]}" mpirun -np 2 --oversubscribe "$bin" run "$scenario" \
     --runs 20 --threads 1 --out big -q >big.out 2>big.err) &
pid=$!
wait_paused "$pid" two/big.err
kill -TERM "$pid"
wait "$pid" || rc=$?
[[ $rc != 0 ]] || fail "the job signalled under mpirun exited 0"
[[ ! -e two/big ]] || fail "the job signalled under mpirun committed its folder"
[[ -d two/big.partial ]] || fail "an interrupted job left no big.partial"
(cd two && "$bin" run "$scenario" --runs 20 --threads 2 --out big --resume -q >/dev/null 2>resume.err) ||
    fail "one-process --resume of an MPI job exited $?: $(cat two/resume.err)"
(cd one && "$bin" run "$scenario" --runs 20 --threads 2 --out big -q >/dev/null 2>&1) || fail "one: big"
job_dump one/big/results.sqlite >big.one.txt
job_dump two/big/results.sqlite >big.two.txt
cmp -s big.one.txt big.two.txt || fail "big: the resumed job differs from an uninterrupted one"
echo "mpi: interrupted under mpirun (exit $rc), resumed by one process"
# And the other way round: one process interrupted after its 4th replication, mpirun --resume.
rc=0
(cd two && LM_PAUSE_AT=run:4 exec "$bin" run "$scenario" --runs 20 --threads 1 --out big2 -q >/dev/null 2>big2.err) &
pid=$!
wait_paused "$pid" two/big2.err
kill -TERM "$pid"
wait "$pid" || rc=$?
[[ $rc == 143 ]] || fail "the one-process job exited $rc: $(cat two/big2.err)"
(cd two && mpi run "$scenario" --runs 20 --threads 1 --out big2 --resume -q >/dev/null 2>resume2.err) ||
    fail "mpirun --resume of a one-process job exited $?: $(cat two/resume2.err)"
job_dump two/big2/results.sqlite >big2.two.txt
cmp -s big.one.txt big2.two.txt || fail "big2: the job resumed under mpirun differs"
echo "mpi: interrupted in one process, resumed under mpirun"

# ---- the commands built on the same engine or evaluator, when this build has them ----
has() { "$bin" --help | grep -q "^  $1 "; }
if has sensitivity; then
    args=(sensitivity "$scenario" --params "$root/tests/data/sensitivity/tiny.yaml" --points 4
          --to 2015-06 --bootstrap 50 --out sens -q)
    (cd one && "$bin" "${args[@]}" --threads 1 >sens.out 2>sens.err) || fail "one: sensitivity: $(cat one/sens.err)"
    (cd two && mpi "${args[@]}" >sens.out 2>sens.err) || fail "two: sensitivity: $(cat two/sens.err)"
    cmp -s one/sens/sensitivity.csv two/sens/sensitivity.csv || fail "sens: sensitivity.csv differs"
    same sens
fi
if has optimise; then
    args=(optimise "$scenario" --levers "$root/tests/data/levers/tiny.yaml" --budget 1bn
          --objective births --runs 2 --evals 6 --robustness 2 --runner-ups 1 --out opt -q)
    (cd one && "$bin" "${args[@]}" --threads 1 >opt.out 2>opt.err) || fail "one: optimise: $(cat one/opt.err)"
    (cd two && mpi "${args[@]}" >opt.out 2>opt.err) || fail "two: optimise: $(cat two/opt.err)"
    cmp -s one/opt/optimise.csv two/opt/optimise.csv || fail "opt: optimise.csv differs"
    same opt
    # --precision: every rank holds every replication of a mix, so all take the same decision
    args=(optimise "$scenario" --levers "$root/tests/data/levers/tiny.yaml" --budget 1.5bn
          --objective births --runs 3 --evals 4 --robustness 1 --runner-ups 1 --precision 5
          --max-runs 30 --out optp -q)
    (cd one && "$bin" "${args[@]}" --threads 1 >optp.out 2>optp.err) || fail "one: optimise --precision: $(cat one/optp.err)"
    (cd two && mpi "${args[@]}" >optp.out 2>optp.err) || fail "two: optimise --precision: $(cat two/optp.err)"
    cmp -s one/optp/optimise.csv two/optp/optimise.csv || fail "optp: optimise.csv differs"
    same optp
fi
if has calibrate; then
    args=(calibrate "$scenario" --targets "$root/calibration/smoke.yaml" --budget 4 --runs 2
          --out cal -q)
    (cd one && "$bin" "${args[@]}" --threads 1 >cal.out 2>cal.err) || fail "one: calibrate: $(cat one/cal.err)"
    (cd two && mpi "${args[@]}" >cal.out 2>cal.err) || fail "two: calibrate: $(cat two/cal.err)"
    for f in calibrated.yaml moments.csv trace.csv parameters.csv jacobian.csv; do
        cmp -s "one/cal/$f" "two/cal/$f" || fail "cal: $f differs"
    done
    same cal
fi
echo "mpi: ok"
