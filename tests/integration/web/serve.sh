# tests/integration/web/serve.sh -- starting and stopping `longmen serve` in the web tests
# (web_*.sh). Sourced, not run (ctest runs only the scripts directly in tests/integration/).
# Callers define fail(). The server listens on 127.0.0.1 port 0 (a free port, never a fixed
# one, so tests can run side by side) and prints the port, which is read back here.

# start_server <log> <longmen> [serve options...]: sets SERVER_PID, PORT and URL.
start_server() {
    local log=$1 bin=$2
    : >"$log" # exists before the server writes it: no race with the reads below
    shift 2
    "$bin" serve --port 0 "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    # Bounded by the clock, not a count of polls: a loaded machine starts the server late.
    local start=$SECONDS
    while ((SECONDS - start < ${LM_TEST_WAIT_S:-300})); do
        PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" | head -n1)
        [[ -n $PORT ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited at start: $(cat "$log")"
        sleep 0.05
    done
    [[ -n $PORT ]] || fail "the server did not say where it listens: $(cat "$log")"
    URL=http://127.0.0.1:$PORT
}

# stop_server: SIGTERM, then wait; fails when the server died before or does not stop cleanly.
stop_server() {
    [[ -n ${SERVER_PID:-} ]] || return 0
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server (pid $SERVER_PID) is not running any more"
    kill -TERM "$SERVER_PID"
    local rc=0
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=
    [[ $rc == 0 ]] || fail "the server exited $rc after SIGTERM"
}

# alive: the server process still runs and answers /api/health.
alive() {
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server crashed ($1)"
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$URL/api/health") || true
    [[ $code == 200 ]] || fail "the server does not answer /api/health after $1 (HTTP $code)"
}

# rss_kb: resident memory of the server, in kB.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }

# wait_job <id> <state-regex> [seconds]: polls /api/jobs/<id> until its state matches.
wait_job() {
    local id=$1 want=$2 limit=${3:-300} start=$SECONDS state
    while ((SECONDS - start < limit)); do
        state=$(curl -s --max-time 5 "$URL/api/jobs/$id" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p')
        [[ $state =~ ^($want)$ ]] && return 0
        sleep 0.1
    done
    fail "job $id did not reach $want (last state: $state): $(curl -s "$URL/api/jobs/$id")"
}
