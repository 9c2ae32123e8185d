#!/usr/bin/env bash
# scripts/install-deps.sh -- install the Debian packages of scripts/deps.txt that are missing.
# Idempotent and fast when everything is there: it asks dpkg-query first and only runs
# apt-get (update, then install) for what is missing. Called by quickstart.sh and test.sh.
#
#   bash scripts/install-deps.sh [--quiet]
#
# --quiet: print nothing when all packages are installed. Not root and something missing:
# names the packages, says how to install them, exits 1.
set -euo pipefail

quiet=0
[[ "${1:-}" == "--quiet" ]] && quiet=1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
deps_file="$here/deps.txt"

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$deps_file" | grep -v '^$')

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found; this script knows Debian 12 only." >&2
    echo "install-deps: install the equivalents of the packages in $deps_file by hand." >&2
    exit 0  # let the build say what is really missing
fi

# Names that installed packages provide (NodeSource's nodejs provides npm, and conflicts
# with Debian's npm package): such a name counts as installed.
provided=" $(dpkg-query -W -f='${db:Status-Status} ${Provides}\n' 2>/dev/null |
    sed -n 's/^installed //p' | tr ',' '\n' | sed -e 's/(.*)//' -e 's/[[:space:]]//g' | tr '\n' ' ') "
missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "installed" || "$provided" == *" $pkg "* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    ((quiet)) || echo "install-deps: all ${#wanted[@]} packages of scripts/deps.txt are installed."
    exit 0
fi

if ((EUID != 0)); then
    echo "install-deps: missing Debian packages: ${missing[*]}" >&2
    echo "install-deps: install them as root, e.g.:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    echo "install-deps: (or run this script as root)" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
