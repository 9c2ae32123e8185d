/* src/experiments/replicate.c -- replications (include/longmen/experiments.h): the engine
 * that runs R replications of one or more arms into one resumable database, the statistics
 * of the headline table, and `longmen run --runs R`. docs/experiments.md.
 *
 * Parallelism: OpenMP over replications, each simulation single-threaded (lm_sim_config
 * threads = 1). A replication's result does not depend on the thread count anyway (the
 * simulation is bit-identical for any --threads); running whole replications side by side
 * uses the cores without a parallel region per phase, which pays at the small sizes
 * experiments use. Replications are written as they finish, one at a time (a critical
 * section around the store), each in its own durable transaction, so the database holds
 * complete replications only whatever stops the job.
 *
 * Crash safety and --resume: the job writes into DIR.partial (a fixed name, not a per-process
 * one, so a later process can find it), locked with flock while a job works in it. When every
 * replication is in, the tables and the report are written and DIR.partial is renamed to DIR
 * (src/io/outdir.c's commit, which also does --force's replace). After Ctrl-C or a crash
 * DIR.partial stays; `--resume` checks that its runs are of the same scenario text, seed,
 * period and arms, and runs only the missing ones; `--force` starts over. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <sqlite3.h>

#include "experiments/compare_stats.h"
#include "experiments/experiments_int.h"
#include "experiments/lifecycle.h"
#include "experiments/merge.h"
#include "experiments/parallel.h"
#include "io/store.h"
#include "io/store_rows.h"
#include "io/table.h"
#include "longmen/report.h"

#define PATH_BUF 4096

void lm_experiment_config_init(lm_experiment_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    lm_job_config_init(&cfg->job);
    cfg->runs = 1;
    cfg->detail = LM_DETAIL_DEFAULT;
}

void lm_experiment_result_fini(lm_experiment_result *res)
{
    if (!res)
        return;
    free(res->summary);
    memset(res, 0, sizeof *res);
}

/* ---- statistics ---- */

double lm_stats_mean_ci90(const double *x, size_t n, double *lo, double *hi, size_t *used)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; v && i < n; ++i)
        if (!isnan(x[i]))
            v[k++] = x[i];
    if (used)
        *used = k;
    double mean = NAN, l = NAN, h = NAN;
    if (k > 0) {
        mean = gsl_stats_mean(v, 1, k);
        l = h = mean;
    }
    if (k > 1) {
        const double sd = gsl_stats_sd_m(v, 1, k, mean);
        const double half = gsl_cdf_tdist_Pinv(0.95, (double)(k - 1)) * sd / sqrt((double)k);
        l = mean - half;
        h = mean + half;
    }
    free(v);
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
    return mean;
}

/* A number for a table cell: thousands separators and no decimals from 100 up, else one
 * decimal (a mean of counts is rarely whole). */
static void format_value(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (fabs(v) >= 100)
        lm__format_count((int64_t)llround(v), buf, size);
    else if (fabs(v) >= 1)
        snprintf(buf, size, "%.1f", v);
    else if (fabs(v) < 5e-4)
        snprintf(buf, size, "0"); /* no "-0.0" from a rounding error */
    else
        snprintf(buf, size, "%.2g", v); /* small amounts keep two digits */
}

void lm__cell_mean_ci(char *buf, size_t size, const double *x, size_t n, double scale)
{
    double lo, hi;
    size_t used;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        snprintf(buf, size, "?");
        return;
    }
    for (size_t i = 0; i < n; ++i)
        v[i] = x[i] / scale;
    const double mean = lm_stats_mean_ci90(v, n, &lo, &hi, &used);
    free(v);
    char a[48], b[48], c[48];
    format_value(mean, a, sizeof a);
    if (used < 2) {
        snprintf(buf, size, "%s", a);
        return;
    }
    format_value(lo, b, sizeof b);
    format_value(hi, c, sizeof c);
    snprintf(buf, size, "%s [%s, %s]", a, b, c);
}

/* ---- resume: which runs the database already holds ---- */

/* Opens a job's database read-write (a hot journal left by a killed job is rolled back on
 * open) if it holds runs; *db stays NULL when there is none to read: no file yet, or a first
 * run that never committed (no tables). */
static lm_status open_with_runs(const char *db_path, sqlite3 **db, lm_error *err)
{
    *db = NULL;
    if (access(db_path, F_OK) != 0)
        return LM_OK;
    sqlite3 *h = NULL;
    lm_status rc = lm__db_open(db_path, SQLITE_OPEN_READWRITE, false, &h, err);
    bool ok = false;
    const bool has_run =
        rc == LM_OK &&
        lm__rows_scalar(h, "SELECT count(*) FROM sqlite_master WHERE name = 'run'", 0, &ok) > 0;
    if (rc == LM_OK && !ok)
        rc = lm__db_fail(h, db_path, err);
    if (rc == LM_OK && has_run)
        *db = h;
    else
        sqlite3_close(h);
    return rc;
}

static lm_status read_done(const char *db_path, const lm__arm *arms, int n_arms, int runs,
                           uint64_t seed, int32_t start, int32_t end, unsigned char *done,
                           int *n_done, lm_error *err)
{
    *n_done = 0;
    sqlite3 *db = NULL;
    lm_status rc = open_with_runs(db_path, &db, err);
    if (rc != LM_OK || !db)
        return rc;
    lm_run_row *run = NULL;
    size_t n = 0;
    rc = lm__rows_read(db, db_path, &lm__rows_run, 0, NULL, (void **)&run, &n, err);
    sqlite3_close(db);
    for (size_t k = 0; rc == LM_OK && k < n; ++k) {
        const int64_t id = run[k].run_id;
        const int a = id >= 1 ? (int)((id - 1) / runs) : -1;
        const int i = id >= 1 ? (int)((id - 1) % runs) : -1;
        const bool same = a >= 0 && a < n_arms && (uint64_t)run[k].seed == seed &&
                          run[k].run == i && run[k].start_month == start &&
                          run[k].end_month == end &&
                          strcmp(run[k].arm ? run[k].arm : "", arms[a].name ? arms[a].name : "") ==
                              0 &&
                          run[k].scenario_yaml &&
                          strcmp(run[k].scenario_yaml, lm_scenario_text(arms[a].sc)) == 0;
        if (!same)
            rc = lm_error_set_at(err, LM_EINVAL, db_path, 0, 0, NULL,
                                 "--resume: %s holds run %lld, which is not replication %d of "
                                 "this job (another scenario, seed, period, arm or --runs); "
                                 "use --force to start over",
                                 db_path, (long long)id, i + 1);
        else {
            done[id - 1] = 1;
            ++*n_done;
        }
    }
    lm__rows_free(&lm__rows_run, run, n);
    return rc;
}

/* ---- metrics, read back from the database for every run (resumed ones included) ---- */

static lm_status read_metrics(const char *db_path, lm__experiment *x, lm_error *err)
{
    const int64_t n_runs = (int64_t)x->n_arms * x->runs;
    const size_t per_run = (size_t)(x->n_regions + 1) * LM_METRIC_COUNT;
    sqlite3 *db = NULL;
    lm_status rc = lm__db_open(db_path, SQLITE_OPEN_READONLY, false, &db, err);
    for (int64_t id = 1; rc == LM_OK && id <= n_runs; ++id)
        rc = lm__metrics_read(db, db_path, id, x->n_regions, x->m + (size_t)(id - 1) * per_run,
                              err);
    sqlite3_close(db);
    return rc;
}

/* ---- running ---- */

/* Shared state of the parallel loop. */
typedef struct loop {
    const lm_experiment_config *cfg;
    const lm__arm *arms;
    const char *db;
    uint64_t seed;
    int runs, threads;
    uint64_t memory_each; /* --max-memory shared by the replications that run at once */
    const char *started_at;
    int months_per_run, months_total;
    int months_done; /* over all replications of this process */
    int finished;    /* replications committed by this process */
    int failed;      /* a replication failed: the others stop (atomic) */
    int first_set;   /* first is the first failure (under a critical section) */
    int interrupted;
    int peer_stopped; /* another rank failed or was interrupted */
    int n_mine, n_pending; /* this rank's items of all (progress is scaled) */
    lm_error first;
    lm_status first_st;
    double t0;
} loop;

static void note_failure(loop *L, lm_status st, const lm_error *e)
{
#pragma omp critical(lm_experiment_error)
    {
        if (!L->first_set) {
            L->first_set = 1;
            L->first_st = st;
            L->first = *e;
        }
    }
#pragma omp atomic write
    L->failed = 1; /* the other replications stop after their month */
    lm__par_tell_stop(); /* and the other ranks' */
}

static void run_one(loop *L, int arm, int rep)
{
    lm_error e;
    lm_error_clear(&e);
    const lm__arm *A = &L->arms[arm];
    const lm_sim_config sc = {
        .seed = L->seed, .run = (uint32_t)rep, .threads = 1, .stop_flag = L->cfg->job.stop_flag};
    lm_sim *sim = NULL;
    lm_status st = lm_sim_create(A->sc, &sc, &sim, &e);
    while (st == LM_OK && !lm_sim_done(sim)) {
        int stop;
#pragma omp atomic read
        stop = L->failed;
        if (stop || lm__stop_requested(&L->cfg->job)) {
            st = LM_EINTR;
            break;
        }
        if (lm__par_stopped()) { /* another rank failed or was interrupted */
#pragma omp atomic write
            L->peer_stopped = 1;
            st = LM_EINTR;
            break;
        }
        const int32_t month = lm_sim_month(sim);
        st = lm_sim_step(sim, &e);
        if (st == LM_OK)
            st = lm__job_check_memory_now(A->sc, sim, L->memory_each, &e);
        if (st != LM_OK)
            break;
        int done;
#pragma omp atomic capture
        done = ++L->months_done;
        if (L->cfg->job.progress && !L->cfg->job.quiet && lm__par_rank() == 0) {
            /* Rank 0 shows its share as the whole job's fraction. */
            if (L->n_mine > 0 && L->n_mine < L->n_pending)
                done = (int)((long long)done * L->n_pending / L->n_mine);
            if (done > L->months_total)
                done = L->months_total;
            const lm_progress p = {.months_done = done,
                                   .months_total = L->months_total,
                                   .month = month,
                                   .firms_alive = lm_sim_firms_alive(sim),
                                   .elapsed_s = lm__now_s() - L->t0};
#pragma omp critical(lm_experiment_progress)
            L->cfg->job.progress(&p, L->cfg->job.progress_user);
        }
    }
    if (st == LM_OK) {
        const lm_run_info info = {.scenario = lm_scenario_name(A->sc),
                                  .scenario_path = lm_scenario_path(A->sc),
                                  .seed = L->seed,
                                  .run = (uint32_t)rep,
                                  .threads = L->threads,
                                  .started_at = L->started_at,
                                  .run_id = (int64_t)arm * L->runs + rep + 1,
                                  .arm = A->name,
                                  .brief = rep >= L->cfg->detail};
#pragma omp critical(lm_experiment_store)
        {
            st = lm_results_append(L->db, A->sc, sim, &info, &e);
            if (st == LM_OK)
                lm__pause_point("run", ++L->finished, L->cfg->job.stop_flag);
        }
    }
    lm_sim_destroy(sim);
    if (st == LM_EINTR) {
#pragma omp atomic write
        L->interrupted = 1;
        if (lm__stop_requested(&L->cfg->job))
            lm__par_tell_stop(); /* Ctrl-C on one rank stops them all */
    } else if (st != LM_OK) {
        note_failure(L, st, &e);
    }
}

void lm__csv_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; ++s) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void lm__csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.17g", v);
}

lm_status lm__write_text(const char *dir, const char *name, const char *text, size_t len,
                         lm_error *err)
{
    char path[PATH_BUF + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        LM_FAIL(err, LM_EIO, "%s: cannot create: %s", path, strerror(errno));
    const size_t wrote = fwrite(text, 1, len, f);
    const int flushed = fflush(f);
    const int synced = flushed == 0 ? fsync(fileno(f)) : -1;
    if (fclose(f) != 0 || wrote != len || synced != 0)
        LM_FAIL(err, LM_EIO, "%s: cannot write: %s", path, strerror(errno));
    return LM_OK;
}

lm_status lm__out_open(lm__out *o, const char *dir, const char *name, lm_error *err)
{
    *o = (lm__out){.dir = dir, .name = name};
    o->f = open_memstream(&o->text, &o->len);
    if (!o->f)
        LM_FAIL(err, LM_ENOMEM, "%s: no memory for its text", name);
    return LM_OK;
}

lm_status lm__out_close(lm__out *o, lm_status st, char **keep, lm_error *err)
{
    if (fclose(o->f) != 0 && st == LM_OK)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "%s: no memory for its text",
                          o->name);
    if (st == LM_OK && lm__par_rank() == 0)
        st = lm__write_text(o->dir, o->name, o->text, o->len, err);
    if (keep)
        *keep = o->text;
    else
        free(o->text);
    *o = (lm__out){.f = NULL};
    return st;
}

static lm_status finish(lm__experiment *x, const char *partial, const char *db,
                        lm__table_fn table, lm_experiment_result *res, lm_error *err)
{
    const size_t cells = (size_t)x->n_arms * (size_t)x->runs * (size_t)(x->n_regions + 1) *
                         LM_METRIC_COUNT;
    x->m = calloc(cells ? cells : 1, sizeof *x->m);
    if (!x->m)
        LM_FAIL(err, LM_ENOMEM, "experiment metrics");
    lm_status st = read_metrics(db, x, err);
    lm__out o;
    if (st == LM_OK && (st = lm__out_open(&o, partial, "summary.txt", err)) == LM_OK)
        st = lm__out_close(&o, table(o.f, x, partial, err), &res->summary, err);
    if (st == LM_OK)
        st = lm_report_write_dir(partial, err);
    return st;
}

/* ---- batches of a job with a stopping rule (compare --precision) ---- */

/* The highest replication index + 1 that DIR.partial holds (0 when none). */
static lm_status max_replication(const char *db_path, int *out, lm_error *err)
{
    *out = 0;
    sqlite3 *db = NULL;
    lm_run_row *run = NULL;
    size_t n = 0;
    lm_status rc = open_with_runs(db_path, &db, err);
    if (rc == LM_OK && db)
        rc = lm__rows_read(db, db_path, &lm__rows_run, 0, NULL, (void **)&run, &n, err);
    for (size_t k = 0; k < n; ++k)
        *out = run[k].run + 1 > *out ? (int)run[k].run + 1 : *out;
    lm__rows_free(&lm__rows_run, run, n);
    sqlite3_close(db);
    return rc;
}

/* The runs to renumber, old run_id to new: a table only inside renumber_runs' transaction. */
#define RENUMBER_COLUMNS(X, V)                                                                 \
    X(int64_t, old, INTEGER, ID, "the run_id now")                                             \
    X(int64_t, new, INTEGER, VALUE, "the run_id of the job's new size")
#define LM_ROW_T renumber_row
LM_ROW_DECLARE(static const, renumber_table, "lm_renumber", RENUMBER_COLUMNS, .no_run_id = true,
               .scratch = true);
#undef LM_ROW_T

/* Gives every run of DIR.partial the run_id a job of `runs` replications per arm gives it
 * (arm a, replication i: a * runs + i + 1), in every table that has a run_id column, so that
 * a job grown batch by batch ends with the database a job of its final size writes. Runs of
 * an unknown arm or of a replication beyond `runs` are left for read_done to refuse. Two
 * steps (to minus the new id, then back) so that no id ever meets one not yet moved. */
static lm_status renumber_runs(const char *db_path, const lm__arm *arms, int n_arms, int runs,
                               lm_error *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    lm_run_row *run = NULL;
    renumber_row *moves = NULL;
    size_t n = 0, moved = 0;
    lm_status rc = open_with_runs(db_path, &db, err);
    if (rc != LM_OK || !db)
        return rc;
    rc = lm__db_exec(db, db_path, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE;", err);
    if (rc == LM_OK)
        rc = lm__rows_create(db, db_path, &renumber_table, false, err);
    if (rc == LM_OK)
        rc = lm__rows_read(db, db_path, &lm__rows_run, 0, NULL, (void **)&run, &n, err);
    if (rc == LM_OK && !(moves = calloc(n ? n : 1, sizeof *moves)))
        rc = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "renumbering runs");
    for (size_t k = 0; rc == LM_OK && k < n; ++k) {
        const int64_t id = run[k].run_id, i = run[k].run;
        int a = -1;
        for (int j = 0; j < n_arms && a < 0; ++j)
            if (strcmp(run[k].arm ? run[k].arm : "", arms[j].name ? arms[j].name : "") == 0)
                a = j;
        if (a >= 0 && i >= 0 && i < runs && id != (int64_t)a * runs + i + 1)
            moves[moved++] = (renumber_row){.old = id, .new = (int64_t)a * runs + i + 1};
    }
    if (rc == LM_OK)
        rc = lm__rows_insert(db, db_path, &renumber_table, 0, NULL, moves, moved, err);
    if (rc == LM_OK && moved > 0 &&
        sqlite3_prepare_v2(db,
                           "SELECT m.name FROM sqlite_master AS m, pragma_table_info(m.name)"
                           " AS c WHERE m.type = 'table' AND c.name = 'run_id'",
                           -1, &st, NULL) != SQLITE_OK)
        rc = lm__db_fail(db, db_path, err);
    while (rc == LM_OK && st && sqlite3_step(st) == SQLITE_ROW) {
        char sql[512];
        const char *t = (const char *)sqlite3_column_text(st, 0);
        snprintf(sql, sizeof sql,
                 "UPDATE \"%s\" SET run_id = -(SELECT new FROM lm_renumber WHERE old = run_id)"
                 " WHERE run_id IN (SELECT old FROM lm_renumber);"
                 " UPDATE \"%s\" SET run_id = -run_id WHERE run_id < 0;",
                 t, t);
        rc = lm__db_exec(db, db_path, sql, err);
    }
    if (st && sqlite3_finalize(st) != SQLITE_OK && rc == LM_OK)
        rc = lm__db_fail(db, db_path, err);
    if (rc == LM_OK)
        rc = lm__db_exec(db, db_path, "DROP TABLE lm_renumber", err);
    rc = lm__db_end(db, db_path, rc, err);
    lm__rows_free(&lm__rows_run, run, n);
    free(moves);
    sqlite3_close(db);
    return rc;
}

/* Whether the rule is met by the first `runs` replications of each arm. */
static lm_status batch_met(const lm_experiment_config *cfg, const lm__arm *arms, int n_arms,
                           int runs, uint64_t seed, int32_t start, int32_t end, const char *final,
                           const void *user, const char *db, lm__until_fn until, bool *met,
                           lm_error *err)
{
    lm__experiment x = {.cfg = cfg,
                        .arms = arms,
                        .n_arms = n_arms,
                        .runs = runs,
                        .n_regions = lm_scenario_region_count(arms[0].sc),
                        .seed = seed,
                        .start = start,
                        .end = end,
                        .out_dir = final,
                        .user = user};
    const size_t cells =
        (size_t)n_arms * (size_t)runs * (size_t)(x.n_regions + 1) * LM_METRIC_COUNT;
    x.m = calloc(cells ? cells : 1, sizeof *x.m);
    if (!x.m)
        LM_FAIL(err, LM_ENOMEM, "experiment metrics");
    lm_status st = read_metrics(db, &x, err);
    *met = st == LM_OK && until(&x);
    free(x.m);
    return st;
}

lm_status lm__experiment_execute_until(const lm_experiment_config *cfg, const lm__arm *arms,
                                       int n_arms, const char *suffix, lm__table_fn table,
                                       lm__until_fn until, const void *user,
                                       lm_experiment_result *res, lm_error *err)
{
    const double t0 = lm__now_s();
    const lm_job_config *job = &cfg->job;
    if (cfg->runs < 1 || cfg->runs > LM_MAX_RUNS)
        LM_FAIL(err, LM_EINVAL, "--runs %d: expected 1 to %d", cfg->runs, LM_MAX_RUNS);
    const int max_runs = until ? cfg->max_runs : cfg->runs;
    if (until && (max_runs < cfg->runs || max_runs > LM_MAX_RUNS))
        LM_FAIL(err, LM_EINVAL, "--max-runs %d: expected --runs (%d) to %d", max_runs, cfg->runs,
                LM_MAX_RUNS);
    if (cfg->detail < 0 || cfg->detail > LM_DETAIL_ALL)
        LM_FAIL(err, LM_EINVAL, "--detail %d: expected 0 to %d", cfg->detail, LM_DETAIL_ALL);
    lm_scenario *sc = arms[0].sc;
    const uint64_t seed = job->has_seed ? job->seed : lm_scenario_seed(sc);
    res->runs = cfg->runs;
    res->n_arms = n_arms;
    res->seed = seed;
    snprintf(res->scenario, sizeof res->scenario, "%s", lm_scenario_name(sc));

    /* Threads within the memory limit, and the folder: DIR, and DIR.partial while the job
     * works (lifecycle.c). */
    int threads;
    uint64_t memory_each;
    lm_status st = lm__xp_threads(sc, job, &threads, &memory_each, err);
    if (st != LM_OK)
        return st;
    if (until && lm__par_size() > 1)
        LM_FAIL(err, LM_EINVAL, "--precision runs in one process (no MPI)");
    lm__xp_dir dir;
    st = lm__xp_dir_open(&dir, job, sc, "run", seed, suffix, cfg->resume, "job", err);
    const char *final = dir.final, *partial = dir.partial, *db = dir.db;
    snprintf(res->out_dir, sizeof res->out_dir, "%s", final);

    int32_t start, end;
    lm_scenario_period(sc, &start, &end);
    /* Under MPI (docs/scaling.md): rank 0 owns the folder (its lock, the runs other ranks
     * left in it, what is done) and tells the others; every rank then simulates its share
     * of the pending runs, pending[j] for j % size == rank, into its own rank-K.sqlite, and
     * rank 0 merges them into results.sqlite in run_id order. One rank: as before. */
    const int rank = lm__par_rank(), size = lm__par_size();
    int n_done = 0;
    if (st == LM_OK && rank == 0)
        st = lm__merge_rank_files(partial, db, job->stop_flag, err);
    st = lm__par_agree(st, err); /* before any other collective: rank 0 may have failed */
    /* A job with a stopping rule grows runs batch by batch; resumed, it starts at the batch
       its database reached (the decisions before it were "go on", and are again). */
    int runs = cfg->runs;
    if (st == LM_OK && until && cfg->resume) {
        int reached = 0;
        st = max_replication(db, &reached, err);
        while (runs < reached && runs < max_runs)
            runs = lm__precision_next_runs(runs, cfg->runs, max_runs);
    }
    long long finished_all = 0;
    bool first_batch = true;
    char started_at[32];
    lm__utc_now(started_at, sizeof started_at);
    if (st == LM_OK)
        st = lm__par_bcast(started_at, sizeof started_at, err); /* one start for the job */
    for (;;) {
        if (st == LM_OK && until && rank == 0)
            st = renumber_runs(db, arms, n_arms, runs, err);
        const int n_runs = n_arms * runs;
        unsigned char *done = calloc((size_t)n_runs, 1);
        int *pending = calloc((size_t)n_runs, sizeof *pending);
        if (!done || !pending) {
            free(done);
            free(pending);
            return lm__xp_dir_close(&dir, lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__,
                                                       "replication list"),
                                    true, job, err);
        }
        n_done = 0;
        if (st == LM_OK && rank == 0)
            st = read_done(db, arms, n_arms, runs, seed, start, end, done, &n_done, err);
        st = lm__par_agree(st, err);
        if (st == LM_OK && size > 1) {
            st = lm__par_bcast(done, (size_t)n_runs, err);
            n_done = 0;
            for (int k = 0; k < n_runs; ++k)
                n_done += done[k] != 0;
        }
        int n_pending = 0;
        for (int k = 0; k < n_runs; ++k)
            if (!done[k])
                pending[n_pending++] = k;
        int n_mine = 0;
        for (int j = 0; j < n_pending; ++j)
            if (lm__par_mine(j))
                pending[n_mine++] = pending[j];
        if (first_batch)
            res->runs_resumed = n_done; /* found in DIR.partial, not run by this call */
        first_batch = false;
        char my_db[PATH_BUF + 32];
        if (size > 1)
            lm__rank_db_path(my_db, sizeof my_db, partial, rank);
        else
            snprintf(my_db, sizeof my_db, "%s", db);

        loop L = {.cfg = cfg,
                  .arms = arms,
                  .db = my_db,
                  .seed = seed,
                  .runs = runs,
                  .threads = lm__xp_threads_of(job->threads),
                  .memory_each = memory_each,
                  .started_at = started_at,
                  .months_per_run = (int)(end - start + 1),
                  .n_mine = n_mine,
                  .n_pending = n_pending,
                  .t0 = t0};
        L.months_total = L.months_per_run * n_pending;
        if (st == LM_OK && n_pending > 0) {
            if (job->progress && !job->quiet && rank == 0) {
                const lm_progress p = {.months_total = L.months_total, .month = start};
                job->progress(&p, job->progress_user);
            }
            const int nt = threads < n_mine ? threads : (n_mine > 0 ? n_mine : 1);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
            for (int k = 0; k < n_mine; ++k)
                run_one(&L, pending[k] / runs, pending[k] % runs);
            if (L.failed) {
                *err = L.first;
                st = L.first_st;
            } else if ((L.interrupted && !L.peer_stopped) || lm__stop_requested(job)) {
                st = lm_error_set_at(err, LM_EINTR, partial, 0, 0, NULL, "interrupted");
            } /* stopped by another rank only: its status is the job's */
            const long long finished = lm__par_sum(L.finished);
            finished_all += finished;
            st = lm__par_agree(st, err);
            if (st == LM_EINTR)
                st = lm_error_set_at(err, LM_EINTR, partial, 0, 0, NULL,
                                     "interrupted: %lld of %d runs are complete in %s; the same "
                                     "command with --resume runs the others",
                                     n_done + finished, n_runs, partial);
        }
        free(done);
        free(pending);
        if (st != LM_OK || !until || runs >= max_runs)
            break;
        bool met = false;
        st = batch_met(cfg, arms, n_arms, runs, seed, start, end, final, user, db, until, &met,
                       err);
        if (st != LM_OK || met)
            break;
        runs = lm__precision_next_runs(runs, cfg->runs, max_runs);
    }
    res->runs = runs;

    lm__experiment x = {.cfg = cfg,
                        .arms = arms,
                        .n_arms = n_arms,
                        .runs = runs,
                        .n_regions = lm_scenario_region_count(sc),
                        .seed = seed,
                        .start = start,
                        .end = end,
                        .out_dir = final,
                        .user = user};
    if (st == LM_OK && rank == 0 && size > 1)
        st = lm__merge_rank_files(partial, db, job->stop_flag, err);
    if (st == LM_OK && rank == 0)
        st = finish(&x, partial, db, table, res, err);
    free(x.m);
    st = lm__xp_dir_close(&dir, st, finished_all > 0, job, err);
    if (st == LM_OK)
        st = lm__par_bcast_text(&res->summary, err);
    if (st != LM_OK && st != LM_EINTR && n_done + finished_all > 0) {
        /* A full disk, say: the complete runs stay, and the user must learn how to use them. */
        const size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used,
                 "; %lld complete runs are kept in %s: once that is fixed, the same command "
                 "with --resume finishes the job",
                 n_done + finished_all, partial);
    }
    if (st != LM_OK) {
        free(res->summary);
        res->summary = NULL;
        return st;
    }
    res->elapsed_s = lm__now_s() - t0;
    return LM_OK;
}

/* ---- `longmen run --runs R` ---- */

static lm_status replicate_table(FILE *f, const lm__experiment *x, const char *dir,
                                 lm_error *err)
{
    (void)dir;
    enum { COLS = 6, CELL = 128 };
    const int n = x->n_regions;
    const int rows = n + 2;
    char *text;
    const char **cells = lm__table_cells((size_t)rows * COLS, CELL, &text);
    double *v = calloc((size_t)x->runs, sizeof *v);
    if (!cells || !v) {
        free(cells);
        free(v);
        LM_FAIL(err, LM_ENOMEM, "summary table");
    }
    const int last_year = x->end / 12;
    snprintf(text, CELL, "region");
    snprintf(text + 1 * CELL, CELL, "firms alive");
    snprintf(text + 2 * CELL, CELL, "births");
    snprintf(text + 3 * CELL, CELL, "dragons");
    snprintf(text + 4 * CELL, CELL, "high-tech");
    snprintf(text + 5 * CELL, CELL, "revenue %d, CNY bn", last_year);
    static const int metric[] = {LM_METRIC_ALIVE, LM_METRIC_BIRTHS, LM_METRIC_DRAGONS,
                                 LM_METRIC_HIGH_TECH, LM_METRIC_REVENUE};
    for (int r = 0; r <= n; ++r) {
        char *row = text + (size_t)(r + 1) * COLS * CELL;
        snprintf(row, CELL, "%s", r < n ? lm_scenario_region_name(x->arms[0].sc, r) : "total");
        for (int c = 0; c < 5; ++c) {
            for (int i = 0; i < x->runs; ++i)
                v[i] = lm__xm(x, 0, i, r, metric[c]);
            lm__cell_mean_ci(row + (size_t)(c + 1) * CELL, CELL, v, (size_t)x->runs,
                             metric[c] == LM_METRIC_REVENUE ? 1e9 : 1.0);
        }
    }
    char from[16], to[16];
    lm_month_format(x->start, from);
    lm_month_format(x->end, to);
    fprintf(f, "%s  seed %llu  %d runs  %s to %s (%d months)\n\n",
            lm_scenario_name(x->arms[0].sc), (unsigned long long)x->seed, x->runs, from, to,
            (int)(x->end - x->start + 1));
    lm__table_write(f, cells, rows, COLS, "lrrrrr", true);
    fprintf(f,
            "\nmean over %d replications [90%% t-interval of the mean]; firms alive and "
            "high-tech enterprises at %s; revenue in %d; births and dragons over %s to %s.\n",
            x->runs, to, last_year, from, to);
    if (x->out_dir)
        fprintf(f, "results: %s\n", x->out_dir);
    free(cells);
    free(v);
    if (ferror(f))
        LM_FAIL(err, LM_EIO, "could not write the summary table");
    return LM_OK;
}

lm_status lm_experiment_replicate(const lm_experiment_config *cfg, lm_experiment_result *res,
                                  lm_error *err)
{
    memset(res, 0, sizeof *res);
    lm_error_clear(err);
    const lm_job_config *job = &cfg->job;
    lm_scenario *sc = NULL;
    lm_status st = lm__xp_load(job, NULL, NULL, &sc, err);
    if (st != LM_OK)
        return st;
    char suffix[32];
    snprintf(suffix, sizeof suffix, "-runs%d", cfg->runs);
    const lm__arm arm = {.name = NULL, .sc = sc};
    if (st == LM_OK)
        st = lm__experiment_execute_until(cfg, &arm, 1, suffix, replicate_table, NULL, NULL, res,
                                          err);
    lm_scenario_free(sc);
    return lm__xp_end(res, st, err);
}
