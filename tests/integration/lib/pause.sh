# tests/integration/lib/pause.sh -- interrupting a job at a known point (docs/reliability.md).
# Sourced, not run. Callers define fail().
#
# A job started with LM_PAUSE_AT=EVENT:N in its environment holds after the N-th EVENT
# ("run": a replication appended; "evaluation": one of calibrate's or optimise's committed)
# and prints "longmen: paused at EVENT N" on stderr until a signal stops it
# (src/experiments/pause_point.c). So a test signals it at that point, not after a sleep that
# a loaded machine outruns and a fast one overshoots.

# wait_paused <pid> <stderr-file>: returns once the job said it paused; fails if it ended
# first or has not paused within LM_TEST_WAIT_S seconds (default 600: room for a machine
# many times slower than a quiet one; a pause that never comes is a bug, not slowness).
wait_paused() {
    local pid=$1 file=$2 limit=${LM_TEST_WAIT_S:-600} start=$SECONDS
    until grep -q '^longmen: paused at ' "$file" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null ||
            fail "the job ended before its pause point: $(tail -n 3 "$file")"
        ((SECONDS - start < limit)) || fail "the job did not reach its pause point in ${limit}s"
        sleep 0.02
    done
}

# wait_file <pid> <path> [what]: returns once path exists; fails if the process ended first
# or the path has not appeared within LM_TEST_WAIT_S seconds.
wait_file() {
    local pid=$1 path=$2 what=${3:-$2} limit=${LM_TEST_WAIT_S:-600} start=$SECONDS
    until [[ -e $path ]]; do
        kill -0 "$pid" 2>/dev/null || fail "the process ended before $what appeared"
        ((SECONDS - start < limit)) || fail "$what did not appear in ${limit}s"
        sleep 0.02
    done
}
