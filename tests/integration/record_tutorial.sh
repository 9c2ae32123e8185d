#!/usr/bin/env bash
# tests/integration/record_tutorial.sh -- scripts/record-tutorial.sh, on a small document of
# its own (the tutorial's commands take up to an hour): a marked block gets the real output
# of its commands and its wall time, an unmarked one and the prose stay as they are,
# LM_TUTORIAL_ONLY leaves the other blocks alone, a block marked interrupt=N gets Ctrl-C,
# --dry-run changes nothing; and the real tutorial's marks parse, with both of the analyst's
# questions among the recorded commands.
# Usage: bash record_tutorial.sh <longmen-binary> <repo-root>
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "record_tutorial: $*" >&2; exit 1; }
script=$root/scripts/record-tutorial.sh
export LM_BIN_DIR
LM_BIN_DIR=$(cd "$(dirname "$bin")" && pwd)

tiny=$root/tests/data/tiny.yaml
cat >doc.md <<EOF
# A tutorial

<!-- run -->
\`\`\`console
\$ longmen run $tiny --seed 3 \\
    --out runs/one
an old output that the program no longer prints
\`\`\`

(<!-- wall -->99 min<!-- /wall --> on an old machine.)

\`\`\`console
\$ export PATH=\$PWD/build:\$PATH
kept as it is
\`\`\`

<!-- run -->
\`\`\`console
\$ ls runs/one/summary.txt
stale
\`\`\`

<!-- run: interrupt=1 -->
\`\`\`console
\$ sleep 30
\$ echo after
\`\`\`

(<!-- wall -->45 s<!-- /wall -->.)
EOF
cp doc.md before.md

# --dry-run: lists the three blocks, changes nothing
bash "$script" --dry-run --doc doc.md >dry.txt || fail "--dry-run exited $?"
grep -q '^3 recorded blocks' dry.txt || fail "--dry-run: $(cat dry.txt)"
grep -q 'block 3 (line .*): interrupt after 1 s' dry.txt || fail "--dry-run misses the interrupt"
cmp -s doc.md before.md || fail "--dry-run changed the document"

# only block 2: block 1's folder is not there, so ls fails, and that is what is pasted
LM_TUTORIAL_ONLY=2 bash "$script" --doc doc.md 2>err.txt || fail "ONLY=2 exited $?: $(cat err.txt)"
grep -q 'an old output' doc.md || fail "ONLY=2 recorded block 1"
grep -q 'No such file' doc.md || fail "ONLY=2 did not paste block 2's real output"
grep -q '99 min' doc.md || fail "ONLY=2 touched block 1's wall time"

# everything, in one fresh folder: block 2 sees block 1's results
cp before.md doc.md
bash "$script" --doc doc.md 2>err.txt || fail "the recording exited $?: $(cat err.txt)"
grep -q 'an old output' doc.md && fail "block 1 still shows the old output"
grep -q '^results: runs/one$' doc.md || fail "block 1 has not its real output: $(cat doc.md)"
grep -q '^    --out runs/one$' doc.md || fail "a command's continuation line was lost"
grep -q '^runs/one/summary.txt$' doc.md || fail "block 2 did not run after block 1 in the same folder"
grep -q '^kept as it is$' doc.md || fail "the unmarked block changed"
grep -q '(<!-- wall -->[0-9]* s<!-- /wall --> on an old machine.)' doc.md ||
    fail "block 1's wall time: $(grep wall doc.md)"
# the interrupted block: ^C after the first command, then the second command's output
grep -A3 '^\$ sleep 30$' doc.md | grep -q '^\^C$' || fail "no ^C after the interrupted command"
grep -q '^after$' doc.md || fail "the command after the interrupted one did not run"
# interrupted after 1 s, not the 30 s of its sleep (nor the 45 s it said before recording): a
# loaded machine (the sanitizer build runs beside other tests) may take a second or more
# longer to stop and paste
grep -Eq '\(<!-- wall -->([1-9]|1[0-9]) s<!-- /wall -->\.\)' doc.md ||
    fail "the interrupted block took $(grep wall doc.md | tail -n 1)"

# the tutorial: its marks parse, and both questions of the analyst are recorded
bash "$script" --dry-run >tut.txt || fail "the tutorial's marks do not parse"
grep -q 'longmen compare --add hefei:hangzhou.st_fund@2026-01 --adopt hefei:hangzhou.talent_rule@2026-01' tut.txt ||
    fail "the Hefei question is not among the recorded commands"
grep -q 'longmen optimise --budget 10bn/year --levers scenarios/examples/levers-nanjing.yaml' tut.txt ||
    fail "the Nanjing question is not among the recorded commands"
echo "record_tutorial: ok"
