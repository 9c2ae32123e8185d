# tests/integration/lib/results.sh -- helpers the reliability scripts share (kill9.sh,
# failures.sh; docs/reliability.md). Sourced, not run: ctest runs only the scripts directly
# in tests/integration/. Callers define fail().

# canonical_dump <db>: every table but run as SQL text, plus the run's identity: equal for two
# runs of the same scenario and seed, whatever the thread count or the wall clock.
canonical_dump() {
    local db=$1 tables
    tables=$(sqlite3 "$db" "select group_concat(name, ' ') from (select name from sqlite_master
                            where type = 'table' and name <> 'run' and name not like 'sqlite_%'
                            order by name)")
    [[ -n $tables ]] || fail "$db has no tables besides run"
    sqlite3 "$db" ".dump $tables"
    sqlite3 "$db" 'select scenario, seed, months, start_month, end_month, schema_version from run'
}

# check_complete <dir> <reference-dump-sha256>: dir holds a complete results folder: an intact
# database (PRAGMA integrity_check), one run row, summary.txt, and the same canonical dump as
# the uninterrupted reference run.
check_complete() {
    local dir=$1 want=$2 integrity runs got
    [[ -f $dir/results.sqlite ]] || fail "$dir exists without results.sqlite: $(ls -A "$dir")"
    [[ -s $dir/summary.txt ]] || fail "$dir exists without summary.txt"
    integrity=$(sqlite3 "$dir/results.sqlite" 'pragma integrity_check' 2>&1) ||
        fail "$dir/results.sqlite cannot be read: $integrity"
    [[ $integrity == ok ]] || fail "$dir/results.sqlite: integrity_check says: $integrity"
    runs=$(sqlite3 "$dir/results.sqlite" 'select count(*) from run')
    [[ $runs == 1 ]] || fail "$dir/results.sqlite has $runs run rows"
    got=$(canonical_dump "$dir/results.sqlite" | sha256sum | cut -d' ' -f1)
    [[ $got == "$want" ]] || fail "$dir/results.sqlite differs from the uninterrupted run"
}

# leftovers <parent> <name>: the temporary and set-aside siblings of <parent>/<name>.
leftovers() {
    find "$1" -mindepth 1 -maxdepth 1 \( -name "$2.tmp-*" -o -name "$2.old-*" \) -printf '%f\n' |
        sort
}
