/* tests/unit/experiments/test_parallel.c -- the one-rank contract of parallel.h (what every
 * experiment relies on when no mpirun started the process: rank 0 of 1, every item mine, the
 * gather leaves the rows as they are, agree passes the status and message through) and the
 * merge of rank files (src/experiments/merge.c): runs appended by two "ranks" to their own
 * files, merged, give the database one process appending in run_id order writes, row for row;
 * a merge again (a crash before the rank files went) adds nothing; a run already merged is
 * skipped; a raised stop flag stops it before the next run. The MPI side is tested
 * under mpirun by tests/integration/mpi.sh. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "experiments/merge.h"
#include "experiments/parallel.h"
#include "longmen/longmen.h"
#include "longmen/parallel.h"

#define TINY LM_TEST_DATA "/tiny.yaml"

Test(parallel, one_rank_without_a_launcher)
{
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("PMI_SIZE");
    unsetenv("PMIX_RANK");
    cr_assert(!lm_parallel_launched());
    int argc = 1;
    char arg0[] = "test", *args[] = {arg0, NULL}, **argv = args;
    lm_error err;
    lm_error_clear(&err);
    cr_assert_eq(lm_parallel_init(&argc, &argv, &err), LM_OK);
    cr_assert_eq(argc, 1);
    cr_assert_eq(lm__par_rank(), 0);
    cr_assert_eq(lm__par_size(), 1);
    cr_assert_eq(lm_parallel_rank(), 0);
    cr_assert_eq(lm_parallel_size(), 1);
    for (long long i = 0; i < 100; ++i)
        cr_assert(lm__par_mine(i), "item %lld is not rank 0's", i);
    cr_assert_eq(lm__par_sum(41), 41);
    cr_assert(!lm__par_stopped());
    lm__par_tell_stop();
    cr_assert(!lm__par_stopped(), "a lone rank tells itself to stop");
    lm__par_barrier();
    lm_parallel_finalize();
}

Test(parallel, launched_by_mpirun_is_seen)
{
    setenv("OMPI_COMM_WORLD_SIZE", "1", 1);
    cr_assert(lm_parallel_launched());
    unsetenv("OMPI_COMM_WORLD_SIZE");
    setenv("PMI_SIZE", "4", 1);
    cr_assert(lm_parallel_launched());
    if (!lm_parallel_available()) {
        /* A build without MPI refuses to be 4 processes that would each run the job. */
        int argc = 0;
        char **argv = NULL;
        lm_error err;
        cr_assert_eq(lm_parallel_init(&argc, &argv, &err), LM_EINVAL);
        cr_assert(strstr(err.message, "without MPI"), "%s", err.message);
    }
    unsetenv("PMI_SIZE");
}

Test(parallel, allgather_rows_leaves_one_ranks_rows_as_they_are)
{
    enum { N = 7, LEN = 3 };
    double rows[N * LEN], want[N * LEN];
    for (int k = 0; k < N * LEN; ++k)
        rows[k] = want[k] = k % 5 == 0 ? NAN : 0.25 * k - 1.0;
    lm_error err;
    lm_error_clear(&err);
    cr_assert_eq(lm__par_allgather_rows(rows, N, LEN, &err), LM_OK);
    for (int k = 0; k < N * LEN; ++k) {
        if (isnan(want[k]))
            cr_assert(isnan(rows[k]), "row value %d", k);
        else
            cr_assert_eq(memcmp(&rows[k], &want[k], sizeof rows[k]), 0, "row value %d", k);
    }
    cr_assert_eq(err.code, LM_OK);
    cr_assert_eq(err.message[0], '\0');
    /* No items, and a NULL row array with none: nothing to do. */
    cr_assert_eq(lm__par_allgather_rows(NULL, 0, LEN, &err), LM_OK);
    cr_assert_eq(lm__par_allgather_rows(rows, N, 0, &err), LM_OK);
}

Test(parallel, agree_passes_status_and_message_through)
{
    lm_error err;
    lm_error_clear(&err);
    cr_assert_eq(lm__par_agree(LM_OK, &err), LM_OK);
    lm_error_set(&err, LM_EIO, __FILE__, __LINE__, "disk full on this rank");
    cr_assert_eq(lm__par_agree(LM_EIO, &err), LM_EIO);
    cr_assert_str_eq(err.message, "disk full on this rank");
    cr_assert_eq(lm__par_agree(LM_EINTR, NULL), LM_EINTR);
    char buf[4] = "abc";
    cr_assert_eq(lm__par_bcast(buf, sizeof buf, &err), LM_OK);
    cr_assert_str_eq(buf, "abc");
    char *text = strdup("summary");
    char *before = text;
    cr_assert_eq(lm__par_bcast_text(&text, &err), LM_OK);
    cr_assert_eq(text, before);
    free(text);
}

/* ---- the merge of rank files ---- */

static char tmp_root[64];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_par_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    cr_assert_eq(system(cmd), 0);
}

/* Every row of the query, '|'-separated, one line per row. */
static char *dump(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "%s",
                 db_path);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
            const unsigned char *t = sqlite3_column_text(st, c);
            fprintf(f, "%s|", t ? (const char *)t : "NULL");
        }
        fputc('\n', f);
    }
    fclose(f);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return buf;
}

/* The database's schema, then every table but run in rowid order, then run's rows but for
 * the per-process columns. */
static char *dump_all(const char *db_path)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char *schema = dump(db_path, "SELECT type, name, sql FROM sqlite_master ORDER BY rowid");
    fputs(schema, f);
    char *version = dump(db_path, "PRAGMA user_version");
    fputs(version, f);
    char *tables = dump(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                 " AND name <> 'run' ORDER BY name");
    for (char *t = strtok(tables, "|\n"); t; t = strtok(NULL, "|\n")) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT rowid, * FROM \"%s\" ORDER BY rowid", t);
        char *rows = dump(db_path, sql);
        fprintf(f, "-- %s\n%s", t, rows);
        free(rows);
    }
    char *runs = dump(db_path, "SELECT run_id, scenario, seed, run, months, start_month,"
                               " end_month, scenario_yaml, arm FROM run ORDER BY rowid");
    fputs(runs, f);
    fclose(f);
    free(schema);
    free(version);
    free(tables);
    free(runs);
    return buf;
}


/* Simulates replication rep of sc (seed 42) and appends it to db as run rep + 1. */
static void append_replication(const char *db, const lm_scenario *sc, int rep)
{
    lm_error err;
    const lm_sim_config scfg = {.seed = 42, .run = (uint32_t)rep, .threads = 1};
    lm_sim *sim = NULL;
    cr_assert_eq(lm_sim_create(sc, &scfg, &sim, &err), LM_OK, "%s", err.message);
    while (!lm_sim_done(sim))
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
    const lm_run_info info = {.scenario = "tiny",
                              .scenario_path = TINY,
                              .seed = 42,
                              .run = (uint32_t)rep,
                              .run_id = rep + 1,
                              .arm = rep % 2 ? "odd" : NULL};
    cr_assert_eq(lm_results_append(db, sc, sim, &info, &err), LM_OK, "%s", err.message);
    lm_sim_destroy(sim);
}

Test(parallel, merged_rank_files_equal_one_process, .init = setup, .fini = teardown)
{
    enum { RUNS = 5 };
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(TINY, &sc, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm_scenario_set_period(sc, 2015 * 12, 2015 * 12 + 11, &err), LM_OK);
    char one[128], partial[128], merged[160];
    snprintf(one, sizeof one, "%s/one.sqlite", tmp_root);
    snprintf(partial, sizeof partial, "%s/job.partial", tmp_root);
    cr_assert_eq(mkdir(partial, 0755), 0);
    snprintf(merged, sizeof merged, "%s/results.sqlite", partial);
    /* Rank 1 finishes before rank 0, as it may: the merge orders by run_id. */
    const int order[RUNS] = {1, 3, 0, 4, 2};
    for (int k = 0; k < RUNS; ++k) {
        const int rep = order[k];
        char rank_db[256];
        lm__rank_db_path(rank_db, sizeof rank_db, partial, rep % 2);
        append_replication(rank_db, sc, rep);
    }
    /* One process, run_id order. */
    for (int rep = 0; rep < RUNS; ++rep) {
        append_replication(one, sc, rep);
    }
    char rank0[256];
    lm__rank_db_path(rank0, sizeof rank0, partial, 0);
    cr_assert_eq(access(rank0, F_OK), 0);
    cr_assert_eq(lm__merge_rank_files(partial, merged, NULL, &err), LM_OK, "%s", err.message);
    cr_assert_neq(access(rank0, F_OK), 0, "rank-0.sqlite left after the merge");
    char *a = dump_all(one);
    char *b = dump_all(merged);
    cr_assert_str_eq(a, b);
    /* Nothing to merge: nothing changes. */
    cr_assert_eq(lm__merge_rank_files(partial, merged, NULL, &err), LM_OK, "%s", err.message);
    char *c = dump_all(merged);
    cr_assert_str_eq(a, c);
    free(a);
    free(b);
    free(c);
    lm_scenario_free(sc);
}

Test(parallel, merge_skips_runs_already_merged, .init = setup, .fini = teardown)
{
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(TINY, &sc, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm_scenario_set_period(sc, 2015 * 12, 2015 * 12 + 2, &err), LM_OK);
    char partial[128], merged[160], rank1[256];
    snprintf(partial, sizeof partial, "%s/job.partial", tmp_root);
    cr_assert_eq(mkdir(partial, 0755), 0);
    snprintf(merged, sizeof merged, "%s/results.sqlite", partial);
    lm__rank_db_path(rank1, sizeof rank1, partial, 1);
    const lm_sim_config scfg = {.seed = 7, .run = 0, .threads = 1};
    lm_sim *sim = NULL;
    cr_assert_eq(lm_sim_create(sc, &scfg, &sim, &err), LM_OK, "%s", err.message);
    while (!lm_sim_done(sim))
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
    lm_run_info info = {.scenario = "tiny", .seed = 7, .run_id = 1};
    cr_assert_eq(lm_results_append(merged, sc, sim, &info, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm_results_append(rank1, sc, sim, &info, &err), LM_OK, "%s", err.message);
    info.run_id = 2;
    cr_assert_eq(lm_results_append(rank1, sc, sim, &info, &err), LM_OK, "%s", err.message);
    lm_sim_destroy(sim);
    /* Ctrl-C before the merge: nothing merged, the rank file kept, the job resumable. */
    volatile sig_atomic_t stop = 1;
    cr_assert_eq(lm__merge_rank_files(partial, merged, &stop, &err), LM_EINTR);
    cr_assert(strstr(err.message, "--resume"), "%s", err.message);
    cr_assert_eq(access(rank1, F_OK), 0, "the rank file went without being merged");
    char *before = dump(merged, "SELECT run_id FROM run ORDER BY rowid");
    cr_assert_str_eq(before, "1|\n");
    free(before);
    cr_assert_eq(lm__merge_rank_files(partial, merged, NULL, &err), LM_OK, "%s", err.message);
    cr_assert_neq(access(rank1, F_OK), 0, "rank-1.sqlite left after the merge");
    char *runs = dump(merged, "SELECT run_id FROM run ORDER BY rowid");
    cr_assert_str_eq(runs, "1|\n2|\n");
    char *a = dump(merged, "SELECT count(*) FROM firm WHERE run_id = 1");
    char *b = dump(merged, "SELECT count(*) FROM firm WHERE run_id = 2");
    cr_assert_str_eq(a, b);
    free(runs);
    free(a);
    free(b);
    lm_scenario_free(sc);
}
