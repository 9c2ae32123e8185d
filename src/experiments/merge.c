/* src/experiments/merge.c -- the runs of other MPI ranks into the job's results.sqlite
 * (docs/scaling.md). Under mpirun every rank appends the runs it simulates to its own
 * DIR.partial/rank-K.sqlite with lm_results_append (the same code, and the same durable
 * transaction per run, as one process writing results.sqlite); when all are done, rank 0
 * copies them into results.sqlite in run_id order, each run in its own transaction, and
 * removes the rank files. A database written this way holds the rows a one-process job with
 * one thread writes, in the same order.
 *
 * The merge is idempotent and runs before every job (with or without MPI) reads what is done:
 * a run already in results.sqlite is skipped, and rank files left by an interrupted or killed
 * job (a hot journal is rolled back when the file is opened) are merged first. So a job
 * interrupted under mpirun resumes with any number of processes, one included. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "experiments/merge.h"
#include "io/rows.h"

#define PATH_BUF 4096

typedef struct pending_run {
    long long run_id;
    int file;
} pending_run;

static int by_run_id(const void *a, const void *b)
{
    const long long x = ((const pending_run *)a)->run_id, y = ((const pending_run *)b)->run_id;
    return (x > y) - (x < y);
}

/* "rank-K.sqlite" exactly. */
static bool rank_file_name(const char *name)
{
    if (strncmp(name, "rank-", 5) != 0)
        return false;
    const char *p = name + 5;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        ++p;
    return strcmp(p, ".sqlite") == 0;
}

void lm__rank_db_path(char *buf, size_t size, const char *partial, int rank)
{
    snprintf(buf, size, "%s/rank-%d.sqlite", partial, rank);
}

static lm_status db_fail(sqlite3 *db, const char *path, const char *what, lm_error *err)
{
    return lm_error_set_at(err, LM_EDB, path, 0, 0, NULL, "%s: %s: %s", path, what,
                           db ? sqlite3_errmsg(db) : "cannot open");
}

/* The run_ids of a rank file (none when its first run never committed). */
static lm_status list_runs(const char *path, int file, pending_run **runs, size_t *n,
                           size_t *cap, lm_error *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    /* Read-write: a hot journal left by a killed rank is rolled back on open. */
    lm_status rc = lm__db_open(path, SQLITE_OPEN_READWRITE, false, &db, err);
    if (rc != LM_OK)
        return rc;
    bool ok;
    const int64_t has_run = lm__rows_scalar(
        db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'run'", 0, &ok);
    if (!ok)
        rc = db_fail(db, path, "reading", err);
    else if (has_run &&
             sqlite3_prepare_v2(db, "SELECT run_id FROM run ORDER BY run_id", -1, &st, NULL) !=
                 SQLITE_OK)
        rc = db_fail(db, path, "reading its runs", err);
    while (rc == LM_OK && st && sqlite3_step(st) == SQLITE_ROW) {
        if (*n == *cap) {
            const size_t c = *cap ? *cap * 2 : 64;
            pending_run *p = realloc(*runs, c * sizeof *p);
            if (!p) {
                rc = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "merging runs");
                break;
            }
            *runs = p;
            *cap = c;
        }
        (*runs)[(*n)++] = (pending_run){.run_id = sqlite3_column_int64(st, 0), .file = file};
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* Creates results.sqlite's tables and indices as the rank file attached as r has them, in
 * the same order, with its schema version (main holds nothing yet). */
static lm_status copy_schema(sqlite3 *db, const char *path, lm_error *err)
{
    bool ok;
    const int64_t version = lm__rows_scalar(db, "PRAGMA r.user_version", 0, &ok);
    if (!ok)
        return db_fail(db, path, "reading the schema version", err);
    lm_status rc = lm__db_exec(db, path, "BEGIN IMMEDIATE", err);
    sqlite3_stmt *st = NULL;
    if (rc == LM_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT sql FROM r.sqlite_master WHERE sql IS NOT NULL"
                           " ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        rc = db_fail(db, path, "reading the schema", err);
    while (rc == LM_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = lm__db_exec(db, path, (const char *)sqlite3_column_text(st, 0), err);
    sqlite3_finalize(st);
    char sql[128];
    snprintf(sql, sizeof sql,
             "INSERT INTO main.schema SELECT * FROM r.schema; PRAGMA main.user_version = %lld;",
             (long long)version);
    if (rc == LM_OK)
        rc = lm__db_exec(db, path, sql, err);
    return lm__db_end(db, path, rc, err);
}

/* The tables with rows per run (a run_id column), as a NULL-terminated list. */
static lm_status run_tables(sqlite3 *db, const char *path, char ***names, lm_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    char **v = calloc(65, sizeof *v);
    if (!v)
        LM_FAIL(err, LM_ENOMEM, "merging runs");
    lm_status rc = LM_OK;
    if (sqlite3_prepare_v2(db,
                           "SELECT m.name FROM main.sqlite_master AS m WHERE m.type = 'table'"
                           " AND m.name <> 'schema' AND m.name NOT LIKE 'sqlite%' AND EXISTS"
                           " (SELECT 1 FROM pragma_table_info(m.name) AS c"
                           "  WHERE c.name = 'run_id') ORDER BY m.rowid",
                           -1, &st, NULL) != SQLITE_OK)
        rc = db_fail(db, path, "reading the tables", err);
    while (rc == LM_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (n == 64) {
            rc = lm_error_set(err, LM_EDB, __FILE__, __LINE__, "%s: too many tables", path);
            break;
        }
        v[n] = strdup((const char *)sqlite3_column_text(st, 0));
        if (!v[n++])
            rc = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "merging runs");
    }
    sqlite3_finalize(st);
    *names = v;
    return rc;
}

lm_status lm__merge_rank_files(const char *partial, const char *db_path,
                               volatile sig_atomic_t *stop, lm_error *err)
{
    DIR *d = opendir(partial);
    if (!d)
        return errno == ENOENT ? LM_OK
                               : lm_error_set_at(err, LM_EIO, partial, 0, 0, NULL,
                                                 "cannot read %s: %s", partial, strerror(errno));
    char **files = NULL;
    size_t n_files = 0;
    lm_status rc = LM_OK;
    struct dirent *e;
    while (rc == LM_OK && (e = readdir(d)) != NULL) {
        if (!rank_file_name(e->d_name))
            continue;
        char **f = realloc(files, (n_files + 1) * sizeof *f);
        char *p = malloc(PATH_BUF);
        if (!f || !p) {
            free(p);
            if (f)
                files = f;
            rc = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "merging runs");
            break;
        }
        files = f;
        snprintf(p, PATH_BUF, "%s/%s", partial, e->d_name);
        files[n_files++] = p;
    }
    closedir(d);

    pending_run *runs = NULL;
    size_t n_runs = 0, cap = 0;
    for (size_t i = 0; rc == LM_OK && i < n_files; ++i)
        rc = list_runs(files[i], (int)i, &runs, &n_runs, &cap, err);
    if (rc == LM_OK && n_runs > 0)
        qsort(runs, n_runs, sizeof *runs, by_run_id);

    sqlite3 *db = NULL;
    char **tables = NULL;
    if (rc == LM_OK && n_runs > 0) {
        /* As lm__store_append: a durable transaction per run. */
        rc = lm__db_open(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, true, &db, err);
        if (rc == LM_OK)
            rc = lm__db_exec(db, db_path, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;",
                             err);
    }
    int attached = -1;
    for (size_t k = 0; rc == LM_OK && k < n_runs; ++k) {
        const pending_run *p = &runs[k];
        if (stop && *stop) {
            rc = lm_error_set_at(err, LM_EINTR, db_path, 0, 0, NULL,
                                 "interrupted while gathering the runs of the ranks into %s: "
                                 "the same command with --resume finishes the job",
                                 db_path);
            break;
        }
        if (p->file != attached) {
            if (attached >= 0)
                rc = lm__db_exec(db, db_path, "DETACH r", err);
            attached = -1;
            char *sql = sqlite3_mprintf("ATTACH %Q AS r", files[p->file]);
            if (rc == LM_OK)
                rc = sql ? lm__db_exec(db, db_path, sql, err)
                         : lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "merging runs");
            sqlite3_free(sql);
            if (rc != LM_OK)
                break;
            attached = p->file;
            bool ok;
            const int64_t mine = lm__rows_scalar(db, "PRAGMA main.user_version", 0, &ok);
            const int64_t theirs = ok ? lm__rows_scalar(db, "PRAGMA r.user_version", 0, &ok) : 0;
            if (!ok) {
                rc = db_fail(db, db_path, "reading the schema version", err);
                break;
            }
            if (mine == 0) {
                if (lm__rows_scalar(db, "SELECT count(*) FROM main.sqlite_master", 0, &ok) != 0 ||
                    !ok) {
                    rc = lm_error_set_at(err, LM_EDB, db_path, 0, 0, NULL,
                                         "%s: not a longmen results database", db_path);
                    break;
                }
                rc = copy_schema(db, db_path, err);
            } else if (mine != theirs) {
                rc = lm_error_set_at(err, LM_EDB, files[p->file], 0, 0, NULL,
                                     "%s: results of schema version %lld, %s has %lld",
                                     files[p->file], (long long)theirs, db_path,
                                     (long long)mine);
            }
            if (rc == LM_OK && !tables)
                rc = run_tables(db, db_path, &tables, err);
            if (rc != LM_OK)
                break;
        }
        bool ok;
        char *q = sqlite3_mprintf("SELECT count(*) FROM main.run WHERE run_id = %lld", p->run_id);
        const int64_t present = q ? lm__rows_scalar(db, q, 0, &ok) : 0;
        sqlite3_free(q);
        if (!q || !ok) {
            rc = q ? db_fail(db, db_path, "reading its runs", err)
                   : lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "merging runs");
            break;
        }
        if (present)
            continue; /* merged before a crash removed the rank file */
        rc = lm__db_exec(db, db_path, "BEGIN IMMEDIATE", err);
        for (size_t t = 0; rc == LM_OK && tables[t]; ++t) {
            /* ORDER BY rowid: the rows in the order the rank wrote them. */
            char *sql = sqlite3_mprintf(
                "INSERT INTO main.\"%w\" SELECT * FROM r.\"%w\" WHERE run_id = %lld ORDER BY rowid",
                tables[t], tables[t], p->run_id);
            rc = sql ? lm__db_exec(db, db_path, sql, err)
                     : lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "merging runs");
            sqlite3_free(sql);
        }
        rc = lm__db_end(db, db_path, rc, err);
    }
    if (tables)
        for (size_t t = 0; tables[t]; ++t)
            free(tables[t]);
    free(tables);
    if (db && sqlite3_close(db) != SQLITE_OK && rc == LM_OK)
        rc = lm_error_set_at(err, LM_EDB, db_path, 0, 0, NULL, "%s: cannot close", db_path);
    /* Every run is in results.sqlite: the rank files go (a file whose first run never
     * committed holds nothing). */
    for (size_t i = 0; i < n_files; ++i) {
        if (rc == LM_OK) {
            char journal[PATH_BUF + 16];
            snprintf(journal, sizeof journal, "%s-journal", files[i]);
            (void)unlink(files[i]);
            (void)unlink(journal);
        }
        free(files[i]);
    }
    free(files);
    free(runs);
    return rc;
}
