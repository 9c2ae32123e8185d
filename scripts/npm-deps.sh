#!/usr/bin/env bash
# scripts/npm-deps.sh -- the JavaScript packages of package.json into node_modules/: ECharts
# (built into longmen, so every report.html and the dashboard carry it) and playwright-core
# (the browser tests drive Debian's chromium with it; it never downloads a browser). Runs
# `npm ci` from package-lock.json. Called by quickstart.sh and test.sh, before the build.
#
#   bash scripts/npm-deps.sh [--quiet]
#
# Idempotent and quick: nothing happens while node_modules holds what package-lock.json
# names. Offline-tolerant: when npm fails (no registry) but a node_modules was there, that
# one is kept and the script goes on; only a missing or incomplete one is an error.
set -euo pipefail

quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1
cd "$(dirname "${BASH_SOURCE[0]}")/.."

complete() {
    [[ -f node_modules/echarts/dist/echarts.min.js && -f node_modules/playwright-core/package.json ]]
}

# Up to date when every package of the lock file is installed at its locked version.
matches_lock() {
    command -v node >/dev/null 2>&1 || return 1
    node -e '
        const lock = require("./package-lock.json").packages || {};
        for (const [dir, want] of Object.entries(lock)) {
            if (!dir || want.optional) continue;
            let got;
            try { got = require("./" + dir + "/package.json").version; } catch (e) { process.exit(1); }
            if (got !== want.version) process.exit(1);
        }' 2>/dev/null
}

if complete && matches_lock; then
    ((quiet)) || echo "npm-deps: node_modules matches package-lock.json."
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if complete; then
        echo "npm-deps: npm not found; using node_modules as it is." >&2
        exit 0
    fi
    echo "npm-deps: npm not found: run bash scripts/install-deps.sh (nodejs, npm), then again." >&2
    exit 1
fi
echo "npm-deps: npm ci (ECharts for reports, playwright-core for the browser tests)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 # playwright-core downloads nothing; be sure
# npm ci starts by deleting node_modules: keep the old one until the new one is complete.
old=
if [[ -d node_modules ]]; then
    old=node_modules.old-$$
    mv node_modules "$old"
fi
if npm ci --no-audit --no-fund --prefer-offline --loglevel=error && complete; then
    [[ -z $old ]] || rm -rf "$old"
    exit 0
fi
rm -rf node_modules
if [[ -n $old ]]; then
    mv "$old" node_modules
    if complete; then
        echo "npm-deps: npm ci failed (offline?); keeping the node_modules that was there." >&2
        exit 0
    fi
fi
echo "npm-deps: npm ci failed and node_modules is incomplete: reports would have no charts" \
    "and the browser tests would skip." >&2
exit 1
