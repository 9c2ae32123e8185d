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

# ---- jobs of several runs (run --runs R, compare; docs/experiments.md) ----
# Their replications are committed in whatever order the threads finish, so rows are sorted,
# not taken in rowid order; the run table is kept but for its wall-clock and thread columns.

# run_columns <db>: the run table's columns but started_at and threads, comma-separated.
run_columns() {
    sqlite3 "$1" "select group_concat(name, ', ') from pragma_table_info('run')
                  where name not in ('started_at', 'threads')"
}

# job_dump <db>: the schema, every table's rows as sorted SQL text, and the run rows without
# started_at and threads: equal for two jobs of the same command, resumed or not.
job_dump() {
    local db=$1 t
    sqlite3 "$db" .schema
    for t in $(sqlite3 "$db" "select name from sqlite_master where type = 'table'
                              and name <> 'run' and name not like 'sqlite_%' order by name"); do
        echo "-- $t"
        sqlite3 "$db" ".mode insert $t" "select * from $t" | LC_ALL=C sort
    done
    sqlite3 "$db" "select $(run_columns "$db") from run order by run_id"
}

# check_job_complete <dir> <reference-dir>: dir holds the complete result of the job whose
# uninterrupted result is reference-dir: an intact database with the same job_dump, and the
# same summary.txt (but its last line, which names the folder), compare.csv, sweep.csv,
# sensitivity.csv and sensitivity.svg.
declare -A job_dump_of=()
check_job_complete() {
    local dir=$1 ref=$2 integrity
    [[ -f $dir/results.sqlite ]] || fail "$dir exists without results.sqlite: $(ls -A "$dir")"
    integrity=$(sqlite3 "$dir/results.sqlite" 'pragma integrity_check' 2>&1) ||
        fail "$dir/results.sqlite cannot be read: $integrity"
    [[ $integrity == ok ]] || fail "$dir/results.sqlite: integrity_check says: $integrity"
    # The reference's dump is computed once per reference (kill9 checks hundreds of folders).
    [[ -n ${job_dump_of[$ref]:-} ]] || job_dump_of[$ref]=$(job_dump "$ref/results.sqlite" | sha256sum)
    [[ $(job_dump "$dir/results.sqlite" | sha256sum) == "${job_dump_of[$ref]}" ]] ||
        fail "$dir/results.sqlite differs from the uninterrupted job's"
    [[ -s $dir/summary.txt && -f $dir/report.html ]] || fail "$dir lacks summary.txt or report.html"
    [[ $(head -n -1 "$dir/summary.txt") == "$(head -n -1 "$ref/summary.txt")" ]] ||
        fail "$dir/summary.txt differs from the uninterrupted job's: $(diff "$ref/summary.txt" "$dir/summary.txt")"
    [[ ! -f $ref/compare.csv ]] || cmp -s "$dir/compare.csv" "$ref/compare.csv" ||
        fail "$dir/compare.csv differs from the uninterrupted job's"
    local csv
    for csv in sweep.csv sensitivity.csv sensitivity.svg; do # sweep and sensitivity jobs
        [[ ! -f $ref/$csv ]] || cmp -s "$dir/$csv" "$ref/$csv" ||
            fail "$dir/$csv differs from the uninterrupted job's"
    done
}

# check_partial <partial-dir> <reference-dir>: the database of an interrupted job, if any, is
# intact and holds complete replications only: every table's rows of the runs in its run table
# are exactly the reference's rows of those runs (no row missing, none extra, none of a run
# that is not in run). Prints how many replications it holds.
check_partial() {
    local dir=$1 ref=$2 db=$1/results.sqlite integrity tables cols sql bad
    [[ -f $db ]] || { echo 0; return; }
    integrity=$(sqlite3 "$db" 'pragma integrity_check' 2>&1) || fail "$db cannot be read: $integrity"
    [[ $integrity == ok ]] || fail "$db: integrity_check says: $integrity"
    if [[ $(sqlite3 "$db" "select count(*) from sqlite_master where name = 'run'") == 0 ]]; then
        tables=$(sqlite3 "$db" "select count(*) from sqlite_master where type = 'table'")
        [[ $tables == 0 ]] || fail "$db has $tables tables but no run table"
        echo 0
        return
    fi
    cols=$(run_columns "$ref/results.sqlite")
    sql="select 'run' where exists (select $cols from main.run except select $cols from r.run)"
    for t in $(sqlite3 "$ref/results.sqlite" "select m.name from sqlite_master m where m.type = 'table'
                and m.name not in ('run', 'schema') and m.name not like 'sqlite_%'
                and exists (select 1 from pragma_table_info(m.name) p where p.name = 'run_id')
                order by m.name"); do
        sql+=" union all select '$t' where exists (select * from main.$t except select * from r.$t)
               or exists (select * from r.$t where run_id in (select run_id from main.run)
                          except select * from main.$t)
               or (select count(*) from main.$t) <>
                  (select count(*) from r.$t where run_id in (select run_id from main.run))"
    done
    # Tables of the whole job (sweep_*, sensitivity_*: no run_id) are written in one
    # transaction at the end: absent, or equal to the reference's.
    for t in $(sqlite3 "$db" "select m.name from sqlite_master m where m.type = 'table'
                and m.name not like 'sqlite_%' and m.name <> 'schema'
                and not exists (select 1 from pragma_table_info(m.name) p where p.name = 'run_id')
                order by m.name"); do
        sql+=" union all select '$t' where exists (select * from main.$t except select * from r.$t)
               or exists (select * from r.$t except select * from main.$t)"
    done
    bad=$(sqlite3 "$db" "attach '$ref/results.sqlite' as r" "$sql") || fail "$db: cannot compare: $bad"
    [[ -z $bad ]] || fail "$db holds incomplete or wrong replications in: ${bad//$'\n'/ }"
    sqlite3 "$db" 'select count(*) from run'
}
