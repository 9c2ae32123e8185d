#!/usr/bin/env bash
# tests/integration/web_server_bad.sh -- `longmen serve` against bad requests, on loopback:
# a corpus of malformed and hostile requests (unknown paths and methods, path traversal in
# plain and encoded forms, bad run and job ids, oversized, empty, non-JSON and wrong JSON
# bodies, scenario edits the loader refuses, HTTP that is not HTTP, a slow client). Each gets
# the designed 4xx (compare requests too: bad edits of the counterfactual) with a JSON error
# when the request reached the API, and the server answers normally after every one. Also the good
# path (a run started by POST finishes and is listed; its region_year rows are the
# database's), a full queue (503 with Retry-After), cancelling, and a clean stop on SIGTERM.
# Usage: bash web_server_bad.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
SERVER_PID=
tricklers=()
cleanup() {
    ((${#tricklers[@]} == 0)) || kill "${tricklers[@]}" 2>/dev/null || true
    [[ -n ${SERVER_PID:-} ]] && kill -KILL "$SERVER_PID" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "web_server_bad: $*" >&2; exit 1; }
# shellcheck source=web/serve.sh
source "$root/tests/integration/web/serve.sh"
command -v curl >/dev/null || fail "curl is missing (scripts/deps.txt)"

mkdir -p "$tmp/scenarios" "$tmp/runs"
cp "$root/tests/data/tiny.yaml" "$tmp/scenarios/tiny.yaml"
cp "$root/scenarios/three-capitals.yaml" "$tmp/scenarios/three-capitals.yaml"
start_server "$tmp/server.log" "$bin" --runs-dir "$tmp/runs" --scenarios-dir "$tmp/scenarios" \
    --workers 1 --queue 1 --timeout 2 --threads 1

cases=0
# expect <status> <name> <curl args...>: the status, and a JSON error body for 4xx/5xx.
expect() {
    local want=$1 name=$2 code body
    shift 2
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 "$@" 2>/dev/null) || true
    body=$(head -c 600 "$tmp/body" 2>/dev/null || true)
    [[ $code == "$want" ]] || fail "$name: HTTP $code, expected $want: $body"
    if [[ $want -ge 400 ]]; then
        grep -q "^{\"error\":{\"status\":$want,\"code\":\"[a-z_]*\",\"message\":\"" "$tmp/body" ||
            fail "$name: the $want answer is not a JSON error: $body"
    fi
    alive "$name"
    cases=$((cases + 1))
}
json() { printf '%s' "$1" >"$tmp/req.json"; }
post() { curl_args=(-X POST -H 'Content-Type: application/json' --data-binary "@$tmp/req.json" "$URL/api/runs"); }

# ---- the good path first: a run of tiny from the API ----
json '{"scenario": "tiny", "seed": 5}'
post
expect 202 "POST a valid run" "${curl_args[@]}"
job=$(sed -n 's/.*"job":{"id":\([0-9]*\).*/\1/p' "$tmp/body")
[[ -n $job ]] || fail "POST /api/runs did not give a job id: $(cat "$tmp/body")"
wait_job "$job" done 600
run=$(curl -s "$URL/api/jobs/$job" | sed -n 's/.*"run_id":"\([^"]*\)".*/\1/p')
[[ -f $tmp/runs/$run/results.sqlite && -f $tmp/runs/$run/report.html ]] ||
    fail "job $job did not leave a results folder with a report: $(ls -A "$tmp/runs")"
# responses go through a variable: `grep -q` leaving early would make curl fail (pipefail)
listing=$(curl -s "$URL/api/runs")
grep -q "\"id\":\"$run\"" <<<"$listing" || fail "/api/runs does not list $run"
one=$(curl -s "$URL/api/runs/$run")
grep -q '"report":{"format":1' <<<"$one" || fail "/api/runs/$run has no report data"
want=$(sqlite3 "$tmp/runs/$run/results.sqlite" "select group_concat(alive, ',') from (select alive from region_year where region = '甲市' order by year)")
got=$(curl -s "$URL/api/runs/$run/region_year?region=%E7%94%B2%E5%B8%82" | grep -o '"alive":[0-9]*' | cut -d: -f2 | paste -sd,)
[[ -n $want && $got == "$want" ]] || fail "region_year of 甲市: API gives '$got', the database '$want'"

# ---- the corpus ----
expect 404 "unknown path" "$URL/nope"
expect 404 "unknown API path" "$URL/api/nope"
expect 404 "unknown static file" "$URL/static/passwd"
expect 400 "traversal, plain" --path-as-is "$URL/api/runs/../../etc/passwd"
expect 400 "traversal, encoded slashes and dots" "$URL/api/runs/%2e%2e%2f%2e%2e%2fetc%2fpasswd"
expect 400 "traversal, encoded dots" --path-as-is "$URL/api/runs/%2e%2e/%2e%2e/etc/passwd"
expect 400 "traversal, encoded slashes" "$URL/api/runs/..%2f..%2fetc%2fpasswd"
expect 400 "traversal, backslashes" "$URL/api/runs/..%5c..%5cetc%5cpasswd"
expect 400 "traversal into static" --path-as-is "$URL/static/../../etc/passwd"
expect 400 "traversal into a run's files" --path-as-is "$URL/api/runs/$run/../../../etc/passwd"
expect 404 "double-encoded traversal stays a name" "$URL/api/runs/%252e%252e%252fetc%252fpasswd"
expect 400 "hidden folder as run id" "$URL/api/runs/.longmen-serve"
expect 400 "control character in a run id" "$URL/api/runs/a%01b"
expect 404 "unknown run" "$URL/api/runs/no-such-run"
expect 404 "unknown file of a run" "$URL/api/runs/$run/results.sqlite"
expect 400 "region_year without region" "$URL/api/runs/$run/region_year"
expect 404 "region_year of an unknown region" "$URL/api/runs/$run/region_year?region=nowhere"
expect 400 "job id not a number" "$URL/api/jobs/abc"
expect 400 "negative job id" "$URL/api/jobs/-1"
expect 404 "unknown job" "$URL/api/jobs/999999"
expect 405 "DELETE the run list" -X DELETE "$URL/api/runs"
expect 405 "PUT a run" -X PUT "$URL/api/runs/$run"
expect 405 "POST the health check" -X POST "$URL/api/health"
expect 405 "an invented method" -X BREW "$URL/api/runs"
expect 414 "a path of 3000 bytes" "$URL/api/$(head -c 3000 /dev/zero | tr '\0' a)"
json '{"scenario": "tiny"}'
expect 415 "POST as text/plain" -X POST -H 'Content-Type: text/plain' --data-binary "@$tmp/req.json" "$URL/api/runs"
expect 400 "POST an empty body" -X POST -H 'Content-Type: application/json' --data-binary '' "$URL/api/runs"
for body in '{"scenario":' '{"scenario": "tiny",}' "{'scenario': 'tiny'}" '{"scenario": "tiny"} trailing' \
            $'\xff\xfe{}' '{"scenario": "tiny", "seed": 1e999999}'; do
    json "$body"
    post
    expect 400 "malformed JSON: $body" "${curl_args[@]}"
done
json '[1, 2]'; post; expect 400 "a JSON list instead of an object" "${curl_args[@]}"
json '"tiny"'; post; expect 400 "a JSON string instead of an object" "${curl_args[@]}"
json '{"scenario": "tiny", "sede": 5}'; post; expect 400 "an unknown field" "${curl_args[@]}"
json '{"scenario": 7}'; post; expect 400 "scenario not a string" "${curl_args[@]}"
json '{"scenario": "../../etc/passwd"}'; post; expect 400 "scenario name with a path" "${curl_args[@]}"
json '{"scenario": "nope"}'; post; expect 404 "unknown scenario" "${curl_args[@]}"
json '{"scenario": "tiny", "seed": -1}'; post; expect 400 "negative seed" "${curl_args[@]}"
json '{"scenario": "tiny", "seed": 1.5}'; post; expect 400 "fractional seed" "${curl_args[@]}"
json '{"scenario": "tiny", "replications": 0}'; post; expect 400 "zero replications" "${curl_args[@]}"
json '{"scenario": "tiny", "from": "2015-13"}'; post; expect 400 "a month 13" "${curl_args[@]}"
json '{"scenario": "tiny", "from": "2030-01"}'; post; expect 422 "from outside the period" "${curl_args[@]}"
# Compare (issue 8): bad shapes are 400, edits the loader refuses 422 with its located error.
json '{"scenario": "tiny", "compare": "yes"}'; post; expect 400 "compare not a boolean" "${curl_args[@]}"
json '{"scenario": "tiny", "policy": ["甲市.st_fund.loss_tolerance=0.4"]}'; post
expect 400 "a counterfactual edit without compare" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "policy": "甲市.st_fund.loss_tolerance=0.4"}'; post
expect 400 "compare policy edits not a list" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "policy": ["loss_tolerance=0.4"]}'; post
expect 400 "a compare field edit without REGION.KIND" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "policy": ["甲市.st_fund.loss_tolerance\u0001=0.4"]}'; post
expect 400 "a control character in a compare field edit" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "adopt": [{"region": "乙市:x", "from": "甲市", "kind": "st_fund"}]}'; post
expect 400 "an adoption with ':' in a region name" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "adopt": [{"region": "乙市", "from": "甲市", "kind": "st_fund", "month": "2016-13"}]}'; post
expect 400 "an adoption from a month that is none" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "adopt": [{"region": "乙市", "from": "甲市", "kind": "st_fund", "month": 201603}]}'; post
expect 400 "an adoption month that is a number" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "adopt": [7]}'; post
expect 400 "an adoption that is a number" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "adopt": [{"region": "nowhere", "from": "甲市", "kind": "st_fund"}]}'; post
expect 422 "an adoption by an unknown region" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "adopt": [{"region": "甲市", "from": "乙市", "kind": "st_fund"}]}'; post
expect 422 "adopting a policy the region does not have" "${curl_args[@]}"
json '{"scenario": "tiny", "compare": true, "policy": ["甲市.st_fund.loss_tolerance=1.5"]}'; post
expect 422 "a compare field edit the loader refuses" "${curl_args[@]}"
grep -q '"text":"[^"]*tiny.yaml:[0-9]*:[0-9]*: regions\[0\]\.policies\[0\]\.loss_tolerance: ' "$tmp/body" ||
    fail "the compare edit error is not the loader's located error: $(cat "$tmp/body")"
json '{"scenario": "tiny", "policies": [{"region": "nowhere", "policy": 0, "enabled": false}]}'; post
expect 422 "policy of an unknown region" "${curl_args[@]}"
json '{"scenario": "tiny", "policies": [{"region": 0, "policy": 99, "enabled": false}]}'; post
expect 422 "an unknown policy" "${curl_args[@]}"
json '{"scenario": "tiny", "set": [{"path": "regions[0].no_such_key", "value": 1}]}'; post
expect 422 "setting a value the file does not hold" "${curl_args[@]}"
json '{"scenario": "tiny", "set": [{"path": "sectors[0].team_size", "value": 1000000}]}'; post
expect 422 "a founding team of a million (the run would outgrow any memory)" "${curl_args[@]}"
grep -q 'sectors\[0\]\.team_size: expected a number in \[1, 100\]' "$tmp/body" ||
    fail "team_size 1e6: $(cat "$tmp/body")"
# The loader's own error, located in the edited file as the CLI would locate it.
json '{"scenario": "tiny", "set": [{"path": "regions[0].amenity", "value": 1.4}]}'; post
expect 422 "an edit the loader refuses" "${curl_args[@]}"
line=$(grep -n 'amenity:' "$tmp/scenarios/tiny.yaml" | head -n1 | cut -d: -f1)
grep -q "\"text\":\"[^\"]*tiny.yaml (edited):$line:[0-9]*: regions\[0\]\.amenity: " "$tmp/body" ||
    fail "the edit error does not point at tiny.yaml line $line, field regions[0].amenity: $(cat "$tmp/body")"
# Bodies over the limit (64 KiB): announced by Content-Length, or sent chunked.
head -c 100000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
expect 413 "a body over the limit" -X POST -H 'Content-Type: application/json' --data-binary "@$tmp/big.json" "$URL/api/runs"
expect 413 "a chunked body over the limit" -X POST -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary "@$tmp/big.json" "$URL/api/runs"

# ---- DNS rebinding and cross-site requests: a Host that is not ours is refused (reads
# too); a POST or DELETE from another site's page is refused; our own origin passes ----
expect 403 "a foreign Host name" -H 'Host: evil.example' "$URL/api/runs"
grep -q '"code":"bad_host"' "$tmp/body" || fail "a foreign Host: $(cat "$tmp/body")"
expect 403 "a foreign Host name with our port" -H "Host: evil.example:$PORT" "$URL/api/health"
json '{"scenario": "tiny", "seed": 5}'
post
expect 403 "a cross-site POST" -H 'Host: evil.example' -H 'Origin: http://evil.example' "${curl_args[@]}"
expect 403 "a cross-site POST to our Host" -H 'Origin: http://evil.example' "${curl_args[@]}"
grep -q '"code":"cross_origin"' "$tmp/body" || fail "a cross-site POST: $(cat "$tmp/body")"
expect 403 "a POST from a sandboxed page" -H 'Origin: null' "${curl_args[@]}"
expect 403 "a cross-site DELETE" -H 'Origin: http://evil.example' -X DELETE "$URL/api/jobs/1"
expect 200 "a Host of localhost" -H "Host: localhost:$PORT" "$URL/api/health"
expect 409 "a DELETE from our own page" -H "Origin: http://127.0.0.1:$PORT" -X DELETE "$URL/api/jobs/1"

# ---- HTTP that is not HTTP, sent raw: the HTTP layer answers 4xx (505 for an unknown HTTP
# version; a line that is no request at all is closed without an answer), then still answers.
raw() {
    local name=$1 want=$2 payload=$3 answer
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    # The server may close before all is written: no SIGPIPE for this shell.
    (trap '' PIPE; printf '%b' "$payload" >&3) 2>/dev/null || true
    answer=$(timeout 10 head -n1 <&3 || true)
    exec 3<&- 3>&-
    answer=${answer%$'\r'}
    [[ $answer =~ ^($want)$ ]] || fail "$name: answered '$answer', expected '$want'"
    alive "$name"
    cases=$((cases + 1))
}
raw "garbage instead of a request line" '' 'GARBAGE\r\n\r\n'
raw "an empty path" 'HTTP/1.1 400 .*' 'GET  HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
raw "a relative path" 'HTTP/1.1 400 .*' 'GET api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
raw "a header line without a colon" 'HTTP/1.1 400 .*' 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n'
raw "a header of 100 KB" 'HTTP/1.1 431 .*' "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: $(head -c 100000 /dev/zero | tr '\0' a)\r\n\r\n"
raw "a negative Content-Length" 'HTTP/1.1 400 .*' 'POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n'
raw "a control character in the path" 'HTTP/1.1 400 .*' 'GET /api/runs/a\x01b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
raw "HTTP version 9.9" 'HTTP/1.1 505 .*' 'GET /api/health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n'
expect 404 "an encoded NUL stays in the name" "$URL/api/runs/a%00b"
expect 404 "a broken escape stays in the name" "$URL/api/runs/%zz"

# ---- a slow client is cut off after --timeout 2 s, and does not block others meanwhile ----
exec 4<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&4 # and never the blank line
alive "a slow client holding a connection"
start=$SECONDS
answer=$(timeout 15 cat <&4 || true)
exec 4<&- 4>&-
((SECONDS - start <= 12)) || fail "the slow client was not cut off within 12 s"
alive "a slow client"
cases=$((cases + 1))

# ---- a client trickling its headers (a line every 0.5 s, each byte resetting libmicrohttpd's
# idle timer) is cut off all the same, within --timeout 2 s of its first byte ----
exec 4<>"/dev/tcp/127.0.0.1/$PORT"
start=$SECONDS
(
    trap '' PIPE
    printf 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n'
    for ((i = 0; i < 60; ++i)); do printf 'X-Slow-%d: a\r\n' "$i" || exit 0; sleep 0.5; done
) >&4 2>/dev/null &
trickler=$!
answer=$(timeout 40 cat <&4 || true)
held=$((SECONDS - start))
kill "$trickler" 2>/dev/null || true
wait "$trickler" 2>/dev/null || true
exec 4<&- 4>&-
# cut off after --timeout 2 s (without the watchdog it would hold all 40 s; the margin is for
# a loaded machine)
((held <= 25)) || fail "a client trickling its headers held its connection ${held} s (--timeout 2)"
alive "a client trickling its headers"
cases=$((cases + 1))

# ---- a full queue: 1 running + 1 waiting, the third is refused with 503 ----
json '{"scenario": "three-capitals"}'
post
expect 202 "first long run" "${curl_args[@]}"
j1=$(sed -n 's/.*"job":{"id":\([0-9]*\).*/\1/p' "$tmp/body")
wait_job "$j1" running 300
expect 202 "second long run waits" "${curl_args[@]}"
j2=$(sed -n 's/.*"job":{"id":\([0-9]*\).*/\1/p' "$tmp/body")
curl -s -D "$tmp/headers" -o /dev/null "${curl_args[@]}"
expect 503 "a third run with the queue full" "${curl_args[@]}"
grep -q 'queue is full' "$tmp/body" || fail "the 503 does not say the queue is full: $(cat "$tmp/body")"
grep -qi '^Retry-After: [0-9]' "$tmp/headers" || fail "the 503 has no Retry-After header"
expect 202 "cancel the waiting run" -X DELETE "$URL/api/jobs/$j2"
expect 202 "stop the running run" -X DELETE "$URL/api/jobs/$j1"
wait_job "$j2" cancelled 120
# stopped between two phases of a month: "cancelled", never "done" (the bound is for hangs)
wait_job "$j1" cancelled 300
job=$(curl -s "$URL/api/jobs/$j1")
grep -q '"error":{"message":"' <<<"$job" || fail "the stopped job shows no error"
expect 409 "cancel a finished job" -X DELETE "$URL/api/jobs/$j1"
[[ -z $(find "$tmp/runs" -maxdepth 1 -name '*.tmp-*') ]] || fail "a stopped run left a temporary folder"

# A second server on the same port: one clear line, exit 1.
rc=0
"$bin" serve --port "$PORT" --runs-dir "$tmp/runs" >"$tmp/second.out" 2>"$tmp/second.err" || rc=$?
[[ $rc == 1 ]] || fail "a second server on port $PORT exited $rc"
grep -q "^longmen: cannot listen on 127.0.0.1 port $PORT: Address already in use" "$tmp/second.err" ||
    fail "a second server on the same port says: $(cat "$tmp/second.err")"

((cases >= 30)) || fail "only $cases cases ran"
stop_server
grep -q 'stopping' "$tmp/server.log" || fail "the server did not say it stops"

# ---- many slow clients: 140 connections from this address, each trickling a header byte
# every 1.5 s and connecting again when cut, against 64 slots and --timeout 5; /api/health
# must answer within 5 s all along (it used to wait for a slot freed by the timeout, behind
# the flood's own connections: every probe timed out). Each trickler stops by itself after
# 20 s, and is killed on the way out besides. ----
start_server "$tmp/flood.log" "$bin" --runs-dir "$tmp/runs" --scenarios-dir "$tmp/scenarios" \
    --timeout 5 --connections 64
trickle() {
    local end=$((SECONDS + 20)) open=0
    trap '' PIPE
    while ((SECONDS < end)); do
        if ((open == 0)); then
            if exec 3<>"/dev/tcp/127.0.0.1/$PORT"; then open=1; else sleep 0.2; continue; fi
        fi
        printf 'G' >&3 || { exec 3<&- 3>&-; open=0; continue; }
        sleep 1.5
    done
} 2>/dev/null
for ((i = 0; i < 140; ++i)); do
    trickle &
    tricklers+=($!)
done
stop_tricklers() { kill "${tricklers[@]}" 2>/dev/null || true; wait "${tricklers[@]}" 2>/dev/null || true; }
sleep 3 # the flood fills the slots
probes=0 slow=()
flood_start=$SECONDS
while ((SECONDS - flood_start < 14)); do
    t0=$(date +%s%N)
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/api/health") || true
    ms=$((($(date +%s%N) - t0) / 1000000))
    probes=$((probes + 1))
    [[ $code == 200 ]] || slow+=("HTTP $code after ${ms} ms")
    sleep 0.5
done
stop_tricklers
((probes >= 3)) || fail "only $probes health probes ran during the flood"
((${#slow[@]} == 0)) ||
    fail "140 slow clients kept /api/health from answering within 5 s: ${slow[*]} (of $probes probes)"
alive "140 slow clients"
stop_server
echo "web_server_bad: /api/health answered $probes probes within 5 s among 140 slow clients"
echo "web_server_bad: $cases bad or hostile requests answered as designed; the server kept answering"
