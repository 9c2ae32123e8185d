#!/usr/bin/env bash
# tests/integration/schema_dump.sh -- every table of every command keeps its layout and its
# content: a short default run and small jobs of the experiment commands each write a
# database; each table's declared layout (PRAGMA table_info, foreign keys, indices and their
# columns, CHECK constraints) and its rows (as SQL text, sorted, since jobs commit
# replications in the order threads finish) hash to the line checked in at
# tests/data/golden/schema-dump.sha256. This
# is the proof that a rewrite of the code that writes the tables (src/io, src/experiments)
# left every table as it was. Columns that hold the wall clock, the thread count or the
# version (run.started_at, run.threads, run.longmen_version, ...) are left out, and the
# paths of this checkout and of the temporary folder are written as ROOT and TMP, so any
# checkout on any machine gives the same hashes.
#
# A change of the model (its dynamics or random streams) changes the rows on purpose: then
# regenerate the hashes on the code before the rewrite and say so in the commit:
#   bash tests/integration/schema_dump.sh build/longmen . --update
# A change of the layout (a column added: LM_SCHEMA_VERSION bumped) changes the hash of its
# table only, which is how a reviewer sees that nothing else moved.
# Usage: bash schema_dump.sh <longmen-binary> <repo-root> [--update]
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$2" && pwd)
update=${3:-}
fail() { echo "schema_dump: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
want_file=$root/tests/data/golden/schema-dump.sha256
cd "$root" # relative paths: the databases store the scenario paths as typed

job() { # job NAME ARGS...: runs `longmen ARGS... --out TMP/NAME -q`
    local name=$1
    shift
    "$bin" "$@" --out "$tmp/$name" -q >/dev/null 2>"$tmp/$name.err" ||
        fail "longmen $* exited $?: $(cat "$tmp/$name.err")"
}
job run run scenarios/three-capitals.yaml --seed 5 --to 2010-12 --detail 1 --threads 2
job runs run tests/data/tiny.yaml --seed 3 --runs 2 --detail 1 --threads 2
job compare compare tests/data/tiny.yaml --runs 2 --threads 2 \
    --policy "Jiashi.st_fund.loss_tolerance=0.3"
job sweep sweep tests/data/tiny.yaml --param Jiashi.st_fund.loss_tolerance=0.1:0.5:2 --runs 1 \
    --threads 2
job sensitivity sensitivity tests/data/tiny.yaml --params tests/data/sensitivity/tiny.yaml \
    --points 2 --to 2015-06 --threads 2
job calibrate calibrate tests/data/tiny.yaml --targets calibration/smoke.yaml --budget 3 \
    --runs 1 --threads 2
job optimise optimise tests/data/tiny.yaml --levers tests/data/levers/tiny.yaml --budget 1.5bn \
    --objective births --runs 1 --evals 4 --robustness 0 --runner-ups 1 --threads 2

# Columns that differ from one run of the same job to the next, whatever the code.
volatile="'started_at', 'threads', 'longmen_version', 'wall_seconds', 'seconds'"

# table_dump DB TABLE: the table's layout and its rows, paths made neutral.
table_dump() {
    local db=$1 t=$2 cols idx
    sqlite3 "$db" "select cid, name, type, \"notnull\", dflt_value, pk from pragma_table_info('$t')"
    sqlite3 "$db" "select * from pragma_foreign_key_list('$t')"
    # CHECK constraints are in no pragma: their text, as written
    sqlite3 "$db" "select sql from sqlite_master where name = '$t'" | grep -o 'CHECK *([^)]*)' || true
    for idx in $(sqlite3 "$db" "select name from pragma_index_list('$t') order by name"); do
        echo "index $idx"
        sqlite3 "$db" "select \"unique\", origin, partial from pragma_index_list('$t')
                       where name = '$idx'"
        sqlite3 "$db" "select * from pragma_index_info('$idx')"
    done
    cols=$(sqlite3 "$db" "select group_concat('\"' || name || '\"', ', ') from pragma_table_info('$t')
                          where name not in ($volatile)")
    sqlite3 "$db" ".mode insert $t" "select $cols from \"$t\"" | LC_ALL=C sort
}

got=$tmp/hashes
: >"$got"
for name in run runs compare sweep sensitivity calibrate optimise; do
    db=$tmp/$name/results.sqlite
    [[ -f $db ]] || fail "$name wrote no results.sqlite"
    for t in $(sqlite3 "$db" "select name from sqlite_master where type = 'table'
                              and name not like 'sqlite_%' order by name"); do
        h=$(table_dump "$db" "$t" | sed -e "s#$tmp#TMP#g" -e "s#$root#ROOT#g" | sha256sum |
            cut -d' ' -f1)
        printf '%s  %s/%s\n' "$h" "$name" "$t" >>"$got"
    done
done

if [[ $update == --update ]]; then
    cp "$got" "$want_file"
    echo "schema_dump: $want_file updated ($(wc -l <"$want_file") tables)"
    exit 0
fi
[[ -f $want_file ]] || fail "no $want_file (bash $0 <longmen> <root> --update writes it)"
if ! diff -u "$want_file" "$got" >"$tmp/diff"; then
    fail "tables differ from the checked-in dump (- checked in, + now):
$(grep '^[-+][0-9a-f]' "$tmp/diff")
If the model changed on purpose, regenerate on the code before the rewrite:
  bash tests/integration/schema_dump.sh build/longmen . --update"
fi
echo "schema_dump: $(wc -l <"$got") tables of 7 jobs as checked in"
