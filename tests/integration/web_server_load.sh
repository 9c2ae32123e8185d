#!/usr/bin/env bash
# tests/integration/web_server_load.sh -- `longmen serve` under a bounded burst of concurrent
# requests on loopback: about 10 seconds of curl with 16 transfers in flight, mixing the
# dashboard's page and scripts, the API's lists, a run's report data and region rows, an
# unknown run (a designed 404) and run submissions (202, or 503 when the bounded queue is
# full: designed). Fails on any other answer (a 5xx but those 503s, a refused or dropped
# connection), on a crash, and when the server's memory keeps growing: its resident size
# after the last batch may exceed that after the first (caches warm) by 32 MB at most.
# Usage: bash web_server_load.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
SERVER_PID=
cleanup() {
    [[ -n ${SERVER_PID:-} ]] && kill -KILL "$SERVER_PID" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "web_server_load: $*" >&2; exit 1; }
# shellcheck source=web/serve.sh
source "$root/tests/integration/web/serve.sh"
command -v curl >/dev/null || fail "curl is missing (scripts/deps.txt)"
curl_help=$(curl --help all 2>/dev/null) # via a variable: grep -q would cut the pipe early
grep -q -- '--parallel-max' <<<"$curl_help" || fail "this curl has no --parallel"

mkdir -p "$tmp/scenarios" "$tmp/runs"
cp "$root/tests/data/tiny.yaml" "$tmp/scenarios/tiny.yaml"
"$bin" run "$tmp/scenarios/tiny.yaml" --out "$tmp/runs/tiny" --quiet >/dev/null ||
    fail "the tiny run for the load test failed"
start_server "$tmp/server.log" "$bin" --runs-dir "$tmp/runs" --scenarios-dir "$tmp/scenarios" \
    --workers 1 --queue 2 --threads 1 --connections 64

# One batch: 400 transfers as a curl config (each block its own URL, output and format).
printf '{"scenario": "tiny", "to": "2015-06"}' >"$tmp/run.json"
{
    for ((i = 0; i < 400; ++i)); do
        ((i == 0)) || printf 'next\n'
        case $((i % 20)) in
        0 | 10) path=/ ;;
        1) path=/static/report.js ;;
        2 | 12) path=/api/runs ;;
        3 | 13 | 17) path=/api/runs/tiny ;;
        4 | 14) path='/api/runs/tiny/region_year?region=0' ;;
        5 | 15) path=/api/health ;;
        6) path=/api/scenarios ;;
        7) path=/api/jobs ;;
        8 | 18) path=/api/runs/nope ;;
        9) path=/api/runs/tiny/headline.svg ;;
        11) path=/api/scenarios/tiny ;;
        16) path=/api/runs/tiny/report.html ;;
        19) path=/api/health && ((i % 40 == 19)) && path=POST ;;
        esac
        if [[ $path == POST ]]; then
            printf 'url = "%s/api/runs"\nrequest = POST\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\n' \
                "$URL" "$tmp/run.json"
            printf 'write-out = "%%{http_code} POST\\n"\n'
        else
            printf 'url = "%s%s"\n' "$URL" "$path"
            printf 'write-out = "%%{http_code} %s\\n"\n' "$path"
        fi
        printf 'output = "/dev/null"\nmax-time = 20\n'
    done
} >"$tmp/batch.cfg"

batch() { curl --silent --parallel --parallel-max 16 -K "$tmp/batch.cfg" >>"$tmp/codes.txt" 2>/dev/null || true; }

batch
rss_first=$(rss_kb)
batches=1
end=$((SECONDS + 10))
while ((SECONDS < end && batches < 200)); do
    batch
    batches=$((batches + 1))
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server crashed under load: $(tail -n 20 "$tmp/server.log")"
done
rss_last=$(rss_kb)
alive "the burst"

total=$(wc -l <"$tmp/codes.txt")
((total == batches * 400)) || fail "$total answers for $((batches * 400)) requests"
bad=$(awk '
    $1 == 200 && $2 != "/api/runs/nope" && $2 != "POST" { next }
    $1 == 404 && $2 == "/api/runs/nope" { next }
    ($1 == 202 || $1 == 503) && $2 == "POST" { next }
    { print }' "$tmp/codes.txt" | sort | uniq -c)
[[ -z $bad ]] || fail "answers that are no designed ones (count, status, request):
$bad"
n503=$(awk '$1 == 503' "$tmp/codes.txt" | wc -l)
n202=$(awk '$1 == 202' "$tmp/codes.txt" | wc -l)

# Memory: warm caches after the first batch; after that it must not keep growing. ASan
# quarantines freed memory (up to 256 MB), so the bound is wider under the sanitizers.
limit=$((32 * 1024))
[[ -n ${LM_IN_SANITIZER_BUILD:-} ]] && limit=$((320 * 1024))
((rss_last - rss_first <= limit)) ||
    fail "resident memory grew from $rss_first kB to $rss_last kB over $batches batches"

stop_server
echo "web_server_load: $total requests in $batches batches of 400 (16 in flight): no error;" \
    "$n202 runs accepted, $n503 refused with 503 (queue full); RSS $rss_first -> $rss_last kB"
