/* tests/unit/experiments/test_replicate.c -- replications (src/experiments/replicate.c): the
 * t-interval against a hand-computed case; R replications in one database with run_id 1..R
 * and run index 0..R-1, replication 0 being exactly a single run; the same database whatever
 * the thread count; an interrupted job keeping complete replications only, and --resume
 * finishing it to the database an uninterrupted job writes; refusals. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "io/store.h"
#include "longmen/experiments.h"
#include "longmen/job.h"
#include "lm_test.h"

#define TINY LM_TEST_DATA "/tiny.yaml"

static char tmp_root[64];

static void setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_rep_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
}

static void teardown(void) { lm__outdir_abort(tmp_root); }

static void path_of(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmp_root, name);
}

/* Every row of sql's result, '|'-joined, as one string (new). */
static char *dump(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "%s",
                 db_path);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); ++c)
            fprintf(f, "%s|", sqlite3_column_text(st, c) ? (const char *)sqlite3_column_text(st, c)
                                                         : "NULL");
        fputc('\n', f);
    }
    fclose(f);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return text;
}

static const char all_rows[] =
    "SELECT * FROM region_year ORDER BY run_id, region_id, year";
static const char all_firms[] =
    "SELECT * FROM firm ORDER BY run_id, firm_id";

/* A job of `runs` replications of the tiny scenario into out. */
static void tiny_job(lm_experiment_config *cfg, const char *out, int runs, int threads)
{
    lm_experiment_config_init(cfg);
    cfg->job.scenario_path = TINY;
    cfg->job.out_dir = out;
    cfg->job.threads = threads;
    cfg->runs = runs;
}

static lm_status replicate(const char *out, int runs, int threads, bool resume,
                           lm_experiment_result *res, lm_error *err)
{
    lm_experiment_config cfg;
    tiny_job(&cfg, out, runs, threads);
    cfg.resume = resume;
    return lm_experiment_replicate(&cfg, res, err);
}

Test(stats, t_interval_by_hand)
{
    /* 1,2,3,4: mean 2.5, s = sqrt(5/3) = 1.290994, t(0.95, 3) = 2.353363,
     * half width 2.353363 * 1.290994 / 2 = 1.519093. */
    const double x[] = {1, 2, 3, 4};
    double lo, hi;
    size_t used;
    const double m = lm_stats_mean_ci90(x, 4, &lo, &hi, &used);
    cr_assert_float_eq(m, 2.5, 1e-12);
    cr_assert_float_eq(hi - m, 1.519093, 1e-5);
    cr_assert_float_eq(m - lo, 1.519093, 1e-5);
    cr_assert_eq(used, 4u);
    /* NaN is skipped; one value: no width. */
    const double y[] = {NAN, 7};
    cr_assert_float_eq(lm_stats_mean_ci90(y, 2, &lo, &hi, &used), 7.0, 1e-12);
    cr_assert_eq(used, 1u);
    cr_assert_float_eq(lo, 7.0, 1e-12);
    cr_assert_float_eq(hi, 7.0, 1e-12);
    /* Identical values: zero width. */
    const double z[] = {3, 3, 3};
    lm_stats_mean_ci90(z, 3, &lo, &hi, NULL);
    cr_assert_float_eq(lo, 3.0, 1e-12);
    cr_assert_float_eq(hi, 3.0, 1e-12);
}

Test(replicate, runs_in_one_database_and_replication_0_is_the_single_run, .init = setup,
     .fini = teardown)
{
    char out[128], single[128], db[160], sdb[160];
    path_of(out, sizeof out, "r3");
    path_of(single, sizeof single, "single");
    lm_experiment_result res;
    lm_error err;
    cr_assert_eq(replicate(out, 3, 2, false, &res, &err), LM_OK, "%s", err.message);
    cr_assert_eq(res.runs, 3);
    cr_assert_eq(res.runs_resumed, 0);
    cr_assert_not_null(strstr(res.summary, "3 runs"));
    cr_assert_not_null(strstr(res.summary, "甲市"));
    lm_experiment_result_fini(&res);
    snprintf(db, sizeof db, "%s/results.sqlite", out);
    char *runs = dump(db, "SELECT run_id, run, seed FROM run ORDER BY run_id");
    cr_assert_str_eq(runs, "1|0|42|\n2|1|42|\n3|2|42|\n");
    free(runs);
    char partial[160];
    snprintf(partial, sizeof partial, "%s.partial", out);
    cr_assert_neq(access(partial, F_OK), 0, "the partial folder is left");
    char file[200];
    snprintf(file, sizeof file, "%s/summary.txt", out);
    cr_assert_eq(access(file, F_OK), 0);
    snprintf(file, sizeof file, "%s/report.html", out);
    cr_assert_eq(access(file, F_OK), 0);

    lm_job_config job;
    lm_job_config_init(&job);
    job.scenario_path = TINY;
    job.out_dir = single;
    lm_job_result jr;
    cr_assert_eq(lm_job_run(&job, &jr, &err), LM_OK, "%s", err.message);
    lm_job_result_fini(&jr);
    snprintf(sdb, sizeof sdb, "%s/results.sqlite", single);
    char *a = dump(db, "SELECT * FROM region_year WHERE run_id = 1 ORDER BY region_id, year");
    char *b = dump(sdb, all_rows);
    cr_assert_str_eq(a, b, "replication 0 differs from the single run");
    free(a);
    free(b);
    /* Replications differ from each other (independent streams). */
    a = dump(db, "SELECT births, alive FROM region_year WHERE run_id = 1 ORDER BY region_id, year");
    b = dump(db, "SELECT births, alive FROM region_year WHERE run_id = 2 ORDER BY region_id, year");
    cr_assert_str_neq(a, b);
    free(a);
    free(b);
}

Test(replicate, same_database_whatever_the_threads, .init = setup, .fini = teardown)
{
    char o1[128], o2[128], d1[160], d2[160];
    path_of(o1, sizeof o1, "t1");
    path_of(o2, sizeof o2, "t2");
    lm_experiment_result res;
    lm_error err;
    cr_assert_eq(replicate(o1, 3, 1, false, &res, &err), LM_OK, "%s", err.message);
    char *s1 = strdup(res.summary);
    lm_experiment_result_fini(&res);
    cr_assert_eq(replicate(o2, 3, 2, false, &res, &err), LM_OK, "%s", err.message);
    snprintf(d1, sizeof d1, "%s/results.sqlite", o1);
    snprintf(d2, sizeof d2, "%s/results.sqlite", o2);
    char *a = dump(d1, all_firms), *b = dump(d2, all_firms);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    /* The tables differ only in the results line. */
    *strstr(s1, "results:") = '\0';
    *strstr(res.summary, "results:") = '\0';
    cr_assert_str_eq(s1, res.summary);
    free(s1);
    lm_experiment_result_fini(&res);
}

/* Raises the stop flag once `after` months have been simulated. */
typedef struct stopper {
    volatile sig_atomic_t flag;
    int after;
} stopper;

static void stop_after(const lm_progress *p, void *user)
{
    stopper *s = user;
    if (p->months_done >= s->after)
        s->flag = 1;
}

Test(replicate, interrupted_keeps_complete_runs_and_resume_finishes, .init = setup,
     .fini = teardown)
{
    char out[128], ref[128], partial_db[200], db[160], rdb[160];
    path_of(out, sizeof out, "r");
    path_of(ref, sizeof ref, "ref");
    lm_experiment_config cfg;
    tiny_job(&cfg, out, 3, 1);
    stopper s = {0, 30}; /* replication 0 (24 months) completes, 1 does not */
    cfg.job.progress = stop_after;
    cfg.job.progress_user = &s;
    cfg.job.stop_flag = &s.flag;
    lm_experiment_result res;
    lm_error err;
    cr_assert_eq(lm_experiment_replicate(&cfg, &res, &err), LM_EINTR, "%s", err.message);
    cr_assert_not_null(strstr(err.message, "--resume"), "%s", err.message);
    cr_assert_neq(access(out, F_OK), 0, "an interrupted job must not create the folder");
    snprintf(partial_db, sizeof partial_db, "%s.partial/results.sqlite", out);
    char *runs = dump(partial_db, "SELECT run_id FROM run ORDER BY run_id");
    cr_assert_str_eq(runs, "1|\n", "expected replication 1 only, got %s", runs);
    free(runs);

    /* Without --resume: refused, the partial folder kept. */
    cfg.job.progress = NULL;
    cfg.job.stop_flag = NULL;
    cr_assert_eq(lm_experiment_replicate(&cfg, &res, &err), LM_EEXIST);
    cr_assert_eq(access(partial_db, F_OK), 0);
    /* --resume with another seed: refused. */
    cfg.resume = true;
    cfg.job.has_seed = true;
    cfg.job.seed = 7;
    cr_assert_eq(lm_experiment_replicate(&cfg, &res, &err), LM_EINVAL);
    cr_assert_eq(access(partial_db, F_OK), 0);
    /* --resume: the two missing replications only. */
    cfg.job.has_seed = false;
    cr_assert_eq(lm_experiment_replicate(&cfg, &res, &err), LM_OK, "%s", err.message);
    cr_assert_eq(res.runs_resumed, 1);
    lm_experiment_result_fini(&res);

    cr_assert_eq(replicate(ref, 3, 2, false, &res, &err), LM_OK, "%s", err.message);
    lm_experiment_result_fini(&res);
    snprintf(db, sizeof db, "%s/results.sqlite", out);
    snprintf(rdb, sizeof rdb, "%s/results.sqlite", ref);
    char *a = dump(db, all_firms), *b = dump(rdb, all_firms);
    cr_assert_str_eq(a, b, "a resumed job differs from an uninterrupted one");
    free(a);
    free(b);
    a = dump(db, all_rows);
    b = dump(rdb, all_rows);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

Test(store, append_adds_runs_and_refuses_a_duplicate, .init = setup, .fini = teardown)
{
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(TINY, &sc, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm_scenario_set_period(sc, 2015 * 12, 2015 * 12 + 5, &err), LM_OK);
    const lm_sim_config scfg = {.seed = 42, .run = 0, .threads = 1};
    lm_sim *sim = NULL;
    cr_assert_eq(lm_sim_create(sc, &scfg, &sim, &err), LM_OK, "%s", err.message);
    while (!lm_sim_done(sim))
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
    char db[128];
    path_of(db, sizeof db, "append.sqlite");
    lm_run_info info = {.scenario = "tiny", .scenario_path = TINY, .seed = 42, .run_id = 1};
    cr_assert_eq(lm_results_append(db, sc, sim, &info, &err), LM_OK, "%s", err.message);
    info.run_id = 2;
    info.arm = "counterfactual";
    cr_assert_eq(lm_results_append(db, sc, sim, &info, &err), LM_OK, "%s", err.message);
    /* The same run_id again: refused, and the database is as it was. */
    cr_assert_eq(lm_results_append(db, sc, sim, &info, &err), LM_EEXIST);
    char *runs = dump(db, "SELECT run_id, coalesce(arm, '-') FROM run ORDER BY run_id");
    cr_assert_str_eq(runs, "1|-|\n2|counterfactual|\n");
    free(runs);
    char *a = dump(db, "SELECT count(*) FROM firm WHERE run_id = 1");
    char *b = dump(db, "SELECT count(*) FROM firm WHERE run_id = 2");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    /* A database of another layout is not written to. */
    char other[128];
    path_of(other, sizeof other, "other.sqlite");
    sqlite3 *o = NULL;
    cr_assert_eq(sqlite3_open(other, &o), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(o, "CREATE TABLE t(x); PRAGMA user_version = 1;", NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(o);
    cr_assert_eq(lm_results_append(other, sc, sim, &info, &err), LM_EDB);
    lm_sim_destroy(sim);
    lm_scenario_free(sc);
}

/* --detail: replications past the first K are brief. They simulate the same (every summary
 * table is the one a job with every row writes), keep the firm rows of exactly the notable
 * firms (dragons, unicorns, platforms, exited firms, so every firm_id of the dragon and exit
 * tables has its row) and no deal rows, and say so in run.detail. */
static lm_status replicate_detail(const char *out, int detail, lm_error *err)
{
    lm_experiment_config cfg;
    tiny_job(&cfg, out, 3, 2);
    cfg.detail = detail;
    lm_experiment_result res;
    const lm_status st = lm_experiment_replicate(&cfg, &res, err);
    if (st == LM_OK)
        lm_experiment_result_fini(&res);
    return st;
}

Test(replicate, detail_keeps_every_row_of_the_first_runs_only, .init = setup, .fini = teardown)
{
    char full[128], brief[128], fdb[160], bdb[160];
    path_of(full, sizeof full, "full");
    path_of(brief, sizeof brief, "brief");
    lm_error err;
    cr_assert_eq(replicate_detail(full, LM_DETAIL_ALL, &err), LM_OK, "%s", err.message);
    cr_assert_eq(replicate_detail(brief, 1, &err), LM_OK, "%s", err.message);
    snprintf(fdb, sizeof fdb, "%s/results.sqlite", full);
    snprintf(bdb, sizeof bdb, "%s/results.sqlite", brief);

    const char *same[] = {
        all_rows,
        "SELECT * FROM finance_year ORDER BY run_id, region_id, year",
        "SELECT * FROM fund ORDER BY run_id, fund_id",
        "SELECT * FROM exit ORDER BY run_id, firm_id, month",
        "SELECT * FROM dragon ORDER BY run_id, firm_id",
        "SELECT * FROM investment_year ORDER BY run_id, region_id, year, investor_kind, stage",
        "SELECT * FROM firm WHERE run_id = 1 ORDER BY firm_id",
        "SELECT * FROM deal WHERE run_id = 1 ORDER BY deal_id",
        /* the notable firms of the brief runs */
        "SELECT * FROM firm WHERE run_id > 1 AND (dragon_month IS NOT NULL OR tiers LIKE "
        "'%unicorn%' OR tiers LIKE '%dragon%' OR status IN ('ipo', 'acquired') OR platform = 1)"
        " ORDER BY run_id, firm_id",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; ++i) {
        char *a = dump(fdb, same[i]), *b = dump(bdb, same[i]);
        cr_assert_str_eq(a, b, "%s", same[i]);
        free(a);
        free(b);
    }
    /* The full job has more firms and deals in runs 2-3 (else this test could not fail). */
    char *n_full = dump(fdb, "SELECT count(*) > 100 FROM firm WHERE run_id = 2");
    char *d_full = dump(fdb, "SELECT count(*) > 0 FROM deal WHERE run_id > 1");
    cr_assert_str_eq(n_full, "1|\n");
    cr_assert_str_eq(d_full, "1|\n");
    free(n_full);
    free(d_full);
    char *flags = dump(bdb, "SELECT run_id, detail FROM run ORDER BY run_id");
    cr_assert_str_eq(flags, "1|1|\n2|0|\n3|0|\n");
    free(flags);
    char *kept = dump(bdb, "SELECT (SELECT count(*) FROM firm WHERE run_id > 1) = (SELECT "
                           "count(*) FROM firm WHERE run_id > 1 AND (dragon_month IS NOT NULL OR "
                           "tiers LIKE '%unicorn%' OR tiers LIKE '%dragon%' OR status IN ('ipo', "
                           "'acquired') OR platform = 1)), (SELECT count(*) FROM deal WHERE "
                           "run_id > 1)");
    cr_assert_str_eq(kept, "1|0|\n", "brief runs keep notable firms only and no deals");
    free(kept);
    char *orphans = dump(bdb, "SELECT (SELECT count(*) FROM dragon d LEFT JOIN firm f USING "
                              "(run_id, firm_id) WHERE f.firm_id IS NULL) + (SELECT count(*) FROM "
                              "exit x LEFT JOIN firm f USING (run_id, firm_id) WHERE f.firm_id IS "
                              "NULL)");
    cr_assert_str_eq(orphans, "0|\n");
    free(orphans);
    char *full_flags = dump(fdb, "SELECT group_concat(detail) FROM run");
    cr_assert_str_eq(full_flags, "1,1,1|\n");
    free(full_flags);
}

Test(replicate, detail_out_of_range_is_refused, .init = setup, .fini = teardown)
{
    char out[128];
    path_of(out, sizeof out, "bad");
    lm_error err;
    cr_assert_eq(replicate_detail(out, -1, &err), LM_EINVAL);
    cr_assert_not_null(strstr(err.message, "--detail"), "%s", err.message);
    cr_assert_eq(access(out, F_OK), -1, "nothing written");
}
