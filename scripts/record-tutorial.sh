#!/usr/bin/env bash
# scripts/record-tutorial.sh -- records docs/tutorial.md: runs its commands in order, as a new
# user would right after the quick start, and replaces each pasted output with the real one
# and each wall time with the measured one, so the tutorial never shows output the program
# no longer prints.
#
# The tutorial marks what this script touches, so that prose stays the author's:
#
#   <!-- run -->                 the next ```console block is recorded: its "$ " lines (and
#   ```console                   their "\" continuation lines) are run in order with bash,
#   $ longmen run ...            everything else in the block is replaced by what they print
#   ...                          (stdout and stderr, as on a terminal without progress bars)
#   ```
#   (<!-- wall -->42 s<!-- /wall --> on ...)   the first such pair after the block gets the
#                                block's measured wall time
#   <!-- run: interrupt=20 -->   the block's first command gets Ctrl-C (SIGINT) after 20 s,
#                                shown as a "^C" line, as in the section on --resume
#   <!-- recorded -->...<!-- /recorded -->   where, when and on what the recording was made
#
# Blocks without a marker (an `export`, the 400-simulation ablation) are left as they are.
# Commands run in a fresh temporary folder holding links to the source tree's scenarios/
# and scripts/, with build/ first on PATH, so `longmen` is the freshly built program and
# "output folder already exists" cannot happen. The folder is removed at the end unless
# LM_TUTORIAL_KEEP=1 (or LM_TUTORIAL_WORKDIR names one to reuse: later blocks read the
# folders of earlier ones, e.g. paths.csv of the Hefei compare).
#
# Usage: bash scripts/record-tutorial.sh [--dry-run] [--doc FILE]
#   --dry-run   list the recorded blocks and their commands; run nothing, change nothing
#   --doc FILE  the tutorial to record (default docs/tutorial.md), rewritten in place
# Environment:
#   LM_TUTORIAL_ONLY=N[,M...]  record only these blocks (1-based, as --dry-run numbers
#                              them); the others keep their text
#   LM_TUTORIAL_WORKDIR=DIR    run in DIR (created if missing, kept) instead of a fresh folder
#   LM_TUTORIAL_KEEP=1         keep the temporary folder
#   LM_BIN_DIR=DIR             the folder of the longmen program (default build/)
# The full recording runs every block: 30 to 60 minutes on a shared 2-core machine (docs/
# tutorial.md gives each block's time). It needs build/longmen built (scripts/quickstart.sh).
set -euo pipefail

# The whole script is one function, called on the last line: bash reads it entirely before
# it runs, so editing this file during a recording (which takes up to an hour) cannot
# derail it.
main() {

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
doc=$root/docs/tutorial.md
dry=0
while (($#)); do
    case $1 in
    --dry-run) dry=1 ;;
    --doc)
        shift
        doc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
        ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "record-tutorial: unknown argument '$1' (see --help)" >&2
        exit 2
        ;;
    esac
    shift
done
[[ -f $doc ]] || { echo "record-tutorial: no $doc" >&2; exit 1; }
bin_dir=${LM_BIN_DIR:-$root/build}
if ((!dry)) && [[ ! -x $bin_dir/longmen ]]; then
    echo "record-tutorial: no $bin_dir/longmen: build it first (bash scripts/quickstart.sh)" >&2
    exit 1
fi
only=",${LM_TUTORIAL_ONLY:-},"

# "42 s", "1 min 40 s", "1 h 3 min"
human() {
    local s=$1
    if ((s < 60)); then
        echo "$s s"
    elif ((s < 3600)); then
        echo "$((s / 60)) min $((s % 60)) s"
    else
        echo "$((s / 3600)) h $((s % 3600 / 60)) min"
    fi
}

work=
if ((!dry)); then
    if [[ -n ${LM_TUTORIAL_WORKDIR:-} ]]; then
        work=$LM_TUTORIAL_WORKDIR
        mkdir -p "$work"
    else
        work=$(mktemp -d "${TMPDIR:-/tmp}/longmen-tutorial.XXXXXX")
        [[ ${LM_TUTORIAL_KEEP:-0} == 1 ]] || trap 'rm -rf "$work"' EXIT
    fi
    for d in scenarios scripts; do
        [[ -e $work/$d ]] || ln -s "$root/$d" "$work/$d"
    done
    echo "record-tutorial: running in $work with $bin_dir/longmen" >&2
fi

mapfile -t lines <"$doc"
out=()
n=${#lines[@]}
block=0
pending_wall= # the wall time waiting for its <!-- wall --> marker
i=0
while ((i < n)); do
    line=${lines[i]}
    if [[ -n $pending_wall && $line =~ ^(.*'<!-- wall -->').*('<!-- /wall -->'.*)$ ]]; then
        line=${BASH_REMATCH[1]}$pending_wall${BASH_REMATCH[2]}
        pending_wall=
    fi
    if [[ $line =~ ^'<!-- recorded -->'.*'<!-- /recorded -->'$ ]] && ((!dry)) && [[ $only == ,, ]]; then
        cores=$(nproc)
        load=$(cut -d' ' -f1 /proc/loadavg)
        commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
        line="<!-- recorded -->Recorded by scripts/record-tutorial.sh on $(date -u +%Y-%m-%d) at commit $commit ($("$bin_dir/longmen" --version 2>/dev/null | head -n 1 || echo longmen)), on a machine with $cores cores (load $load when it started).<!-- /recorded -->"
    fi
    if [[ ! $line =~ ^'<!-- run'(:[[:space:]]*(.*))?[[:space:]]*'-->'$ ]]; then
        out+=("$line")
        ((++i))
        continue
    fi
    opts=${BASH_REMATCH[2]:-}
    pending_wall= # a block without a wall mark of its own does not lend its time to the next
    interrupt=
    [[ $opts =~ interrupt=([0-9]+) ]] && interrupt=${BASH_REMATCH[1]}
    out+=("$line")
    ((++i))
    if [[ ${lines[i]:-} != '```console' ]]; then
        echo "record-tutorial: $doc:$((i + 1)): a run marker must be followed by a \`\`\`console block" >&2
        exit 1
    fi
    out+=("${lines[i]}")
    fence=$i
    ((++i))
    # the block: commands ("$ " and their continuations) and the old output
    cmds=()   # each command's text, continuation lines joined with newlines
    shown=()  # each command's lines as the block shows them
    cont=0
    while ((i < n)) && [[ ${lines[i]} != '```' ]]; do
        l=${lines[i]}
        if ((cont)); then
            cmds[-1]+=$'\n'"$l"
            shown[-1]+=$'\n'"$l"
            [[ $l == *\\ ]] || cont=0
        elif [[ $l == '$ '* ]]; then
            cmds+=("${l#\$ }")
            shown+=("$l")
            [[ $l == *\\ ]] && cont=1
        fi
        ((++i))
    done
    if ((i >= n)); then
        echo "record-tutorial: $doc: the block of run marker $((block + 1)) is not closed" >&2
        exit 1
    fi
    ((++block))
    if ((dry)); then
        echo "block $block (line $((fence + 1))):${interrupt:+ interrupt after ${interrupt} s}"
        for c in "${cmds[@]}"; do sed 's/^/    $ /; 2,$s/^    \$ /      /' <<<"$c"; done
    fi
    if ((dry)) || { [[ $only != ,, ]] && [[ $only != *",$block,"* ]]; }; then
        # unchanged: copy the block as it is
        for ((k = fence + 1; k < i; ++k)); do out+=("${lines[k]}"); done
        out+=('```')
        ((++i))
        continue
    fi
    echo "record-tutorial: block $block: ${cmds[0]%%$'\n'*}" >&2
    t0=$(date +%s)
    for ((c = 0; c < ${#cmds[@]}; ++c)); do
        while IFS= read -r s; do out+=("$s"); done <<<"${shown[c]}"
        set +e
        if ((c == 0)) && [[ -n $interrupt ]]; then
            text=$(cd "$work" && PATH=$bin_dir:$PATH timeout --signal=INT "$interrupt" \
                bash -c "${cmds[c]}" 2>&1)
            out+=('^C')
        else
            text=$(cd "$work" && PATH=$bin_dir:$PATH bash -c "${cmds[c]}" 2>&1)
        fi
        rc=$?
        set -e
        if [[ -n $text ]]; then
            while IFS= read -r s; do out+=("$s"); done <<<"$text"
        fi
        if ((rc != 0)) && [[ -z $interrupt || $c -gt 0 ]]; then
            echo "record-tutorial: block $block: command $((c + 1)) exited with $rc (its output is pasted)" >&2
        fi
    done
    t1=$(date +%s)
    pending_wall=$(human $((t1 - t0)))
    echo "record-tutorial: block $block: $pending_wall" >&2
    out+=('```')
    ((++i))
done

if ((dry)); then
    echo "$block recorded blocks in $doc"
    exit 0
fi
[[ -z $pending_wall ]] ||
    echo "record-tutorial: the last block has no <!-- wall --><!-- /wall --> after it" >&2
printf '%s\n' "${out[@]}" >"$doc.tmp"
mv "$doc.tmp" "$doc"
echo "record-tutorial: $doc rewritten; read the prose around the blocks against the new numbers" >&2
}

main "$@"
