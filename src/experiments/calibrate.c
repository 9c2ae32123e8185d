/* src/experiments/calibrate.c -- `longmen calibrate` (issue 6; include/longmen/calibrate.h,
 * docs/calibration.md): the method of simulated moments with NLopt.
 *
 * The search runs in the unit cube: parameter j is lo + u (hi - lo), or on a log scale
 * exp(ln lo + u (ln hi - ln lo)), rounded to 10 significant digits, the text the scenario
 * loader reads (so the value stored, printed and written into calibrated.yaml is exactly the
 * value simulated). An evaluation loads the scenario with the edits NAME=VALUE (edits.c),
 * simulates R replications in memory (evaluate.c: seed and run indices fixed, so common
 * random numbers across evaluations) and reduces each to the target moments (moments.c). The
 * objective (lm__cal_objective) is deterministic in the parameters. NLopt runs a global
 * derivative-free method (CRS2 with local mutation by default, seeded with nlopt_srand(seed))
 * on a share of the budget, then a local polish (BOBYQA) from the best point for the rest.
 *
 * Kill safety and --resume: every evaluation is committed to <DIR>.partial/results.sqlite
 * in its own durable transaction (rollback journal, synchronous=FULL) as it finishes. NLopt
 * is deterministic for a seed, so a resumed calibration asks for the same points in the same
 * order; each is looked up by its exact parameter values and replayed from the database
 * without simulating, and the search carries on past them. The outputs are computed from
 * the evaluations alone, so a resumed calibration ends with exactly the files of an
 * uninterrupted one. <DIR>.partial is renamed to <DIR> when everything is written. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <gsl/gsl_statistics_double.h>
#include <nlopt.h>
#include <sqlite3.h>

#include "experiments/calibrate_int.h"
#include "experiments/msm.h"
#include "experiments/evaluate.h"
#include "experiments/experiments_int.h"
#include "experiments/lifecycle.h"
#include "experiments/parallel.h"
#include "io/store.h"
#include "io/table.h"
#include "longmen/job.h"
#include "scenario/scenario_int.h"

#define PATH_BUF 4096
#define UNDEFINED_D 10.0 /* the distance of a moment undefined in every replication */

void lm_calibrate_config_init(lm_calibrate_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    lm_experiment_config_init(&cfg->x);
    cfg->x.runs = 4;
    cfg->budget = 100;
}

void lm_calibrate_result_fini(lm_calibrate_result *res)
{
    if (!res)
        return;
    free(res->summary);
    memset(res, 0, sizeof *res);
}

/* ---- the objective ---- */

double lm__cal_mean(const double *rows, int runs, int n, int j, int *used)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < runs; ++i) {
        const double v = rows[(size_t)i * (size_t)n + (size_t)j];
        if (!isnan(v)) {
            s += v;
            ++k;
        }
    }
    if (used)
        *used = k;
    return k ? s / k : NAN;
}

double lm__cal_scale(const lm__cal_target *g)
{
    return g->has_sd ? g->sd : g->value != 0 ? fabs(g->value) : 1.0;
}

/* Target g's standardised distance at mean m. */
static double distance(const lm__cal_target *g, double m)
{
    if (isnan(m))
        return UNDEFINED_D;
    double d = (m - g->value) / lm__cal_scale(g);
    if (g->bound == LM_BOUND_LOWER && d > 0)
        d = 0;
    if (g->bound == LM_BOUND_UPPER && d < 0)
        d = 0;
    return d;
}

double lm__cal_objective(const lm_targets *t, const double *rows, int runs, double *mean)
{
    double f = 0;
    for (int j = 0; j < t->n_targets; ++j) {
        const double m = lm__cal_mean(rows, runs, t->n_targets, j, NULL);
        if (mean)
            mean[j] = m;
        if (t->targets[j].check)
            continue; /* a check target is reported, never fitted */
        const double d = distance(&t->targets[j], m);
        f += t->targets[j].weight * d * d;
    }
    return f;
}

bool lm__cal_within(const lm__cal_target *g, double mean)
{
    if (isnan(mean))
        return false;
    const double tol = g->tol_absolute ? g->tolerance : g->tolerance * fabs(g->value);
    if (g->bound == LM_BOUND_LOWER && mean >= g->value)
        return true;
    if (g->bound == LM_BOUND_UPPER && mean <= g->value)
        return true;
    return fabs(mean - g->value) <= tol;
}

/* ---- parameters ---- */

static double round10(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.10g", v);
    return strtod(buf, NULL);
}

static double to_value(const lm__cal_param *p, double u)
{
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double x = p->log ? exp(log(p->lo) + u * (log(p->hi) - log(p->lo)))
                      : p->lo + u * (p->hi - p->lo);
    x = round10(x);
    return x < p->lo ? p->lo : x > p->hi ? p->hi : x;
}

static double to_unit(const lm__cal_param *p, double x)
{
    const double u = p->log ? (log(x) - log(p->lo)) / (log(p->hi) - log(p->lo))
                            : (x - p->lo) / (p->hi - p->lo);
    return u < 0 ? 0 : u > 1 ? 1 : u;
}

/* The exact values as a key: C99 hexadecimal floats. */
static void key_of(const double *x, int n, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int j = 0; j < n && k + 40 < size; ++j)
        k += (size_t)snprintf(buf + k, size - k, "%s%a", j ? "," : "", x[j]);
}

/* ---- state ---- */

typedef struct eval_rec {
    double *x;    /* n_params */
    double *rows; /* runs x n_targets */
    double objective;
    int stage; /* 0 global, 1 local, 2 jacobian (after the search) */
    char *key;
} eval_rec;

typedef struct cal {
    const lm_calibrate_config *cfg;
    lm_targets *t;
    lm_scenario *sc; /* the base scenario, period narrowed */
    const char *scenario_path;
    int32_t start, end;
    uint64_t seed;
    int runs, budget, threads, n_global;
    int np, nt;
    sqlite3 *db;
    char db_path[LM_XP_PATH + 32];
    char partial[LM_XP_PATH + 16];
    /* evaluations: the first n_cached came from the database (--resume) */
    eval_rec *ev;
    int n_ev, n_cached, cap;
    int calls; /* objective calls so far */
    int stage;
    int jac_base; /* evaluations before the Jacobian's (-1: none measured) */
    int simulated;
    double best;
    double t0, t_first_sim;
    nlopt_opt opt;
    lm_status st; /* the first failure inside the objective */
    lm_error err;
} cal;

static lm_status db_fail(cal *C, lm_error *err)
{
    return lm_error_set_at(err, LM_EDB, C->db_path, 0, 0, NULL, "%s: %s", C->db_path,
                           C->db ? sqlite3_errmsg(C->db) : "cannot open");
}

static lm_status exec(cal *C, const char *sql, lm_error *err)
{
    return sqlite3_exec(C->db, sql, NULL, NULL, NULL) == SQLITE_OK ? LM_OK : db_fail(C, err);
}

static const char *stage_name(int stage)
{
    return stage == 2 ? "jacobian" : stage ? "local" : "global";
}

static const char *alg_name(int alg)
{
    switch (alg) {
    case NLOPT_GN_CRS2_LM:
        return "crs2";
    case NLOPT_GN_DIRECT_L:
        return "direct";
    case NLOPT_LN_BOBYQA:
        return "bobyqa";
    case NLOPT_LN_NELDERMEAD:
        return "neldermead";
    case NLOPT_LN_SBPLX:
        return "sbplx";
    default:
        return "none";
    }
}

/* ---- the database ---- */

static const char *const ddl =
    "CREATE TABLE IF NOT EXISTS calibration (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " scenario TEXT, scenario_path TEXT, scenario_yaml TEXT, targets_path TEXT,"
    " targets_yaml TEXT, seed INTEGER, runs INTEGER, budget INTEGER, global_budget INTEGER,"
    " global_method TEXT, local_method TEXT, start_month TEXT, end_month TEXT,"
    " longmen_version TEXT, schema_version INTEGER);"
    "CREATE TABLE IF NOT EXISTS calibration_parameter (param INTEGER PRIMARY KEY, name TEXT,"
    " lo REAL, hi REAL, start REAL, scale TEXT, best REAL);"
    "CREATE TABLE IF NOT EXISTS calibration_target (target INTEGER PRIMARY KEY, name TEXT,"
    " moment TEXT, region TEXT, value REAL, sd REAL, weight REAL, tolerance REAL,"
    " tolerance_kind TEXT, bound TEXT, source TEXT, year INTEGER);"
    "CREATE TABLE IF NOT EXISTS calibration_evaluation (evaluation INTEGER PRIMARY KEY,"
    " stage TEXT, objective REAL);"
    "CREATE TABLE IF NOT EXISTS calibration_value (evaluation INTEGER, param INTEGER,"
    " value REAL, PRIMARY KEY (evaluation, param));"
    "CREATE TABLE IF NOT EXISTS calibration_moment (evaluation INTEGER, target INTEGER,"
    " replication INTEGER, value REAL, PRIMARY KEY (evaluation, target, replication));"
    "CREATE TABLE IF NOT EXISTS calibration_summary (target INTEGER PRIMARY KEY, name TEXT,"
    " value REAL, mean REAL, p05 REAL, p95 REAL, replications INTEGER, distance REAL,"
    " within INTEGER);";

static void bind_num(sqlite3_stmt *q, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_double(q, i, v);
}

static double col_num(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

static lm_status write_header(cal *C, lm_error *err)
{
    const lm_targets *t = C->t;
    char from[16], to[16];
    lm_month_format(C->start, from);
    lm_month_format(C->end, to);
    sqlite3_stmt *q = NULL;
    lm_status st = exec(C, "BEGIN IMMEDIATE", err);
    if (st != LM_OK)
        return st;
    if (sqlite3_prepare_v2(C->db,
                           "INSERT INTO calibration VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                           " ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(q, 1, lm_scenario_name(C->sc), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, C->scenario_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, lm_scenario_text(C->sc), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, t->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, t->text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)C->seed);
    sqlite3_bind_int(q, 7, C->runs);
    sqlite3_bind_int(q, 8, C->budget);
    sqlite3_bind_int(q, 9, C->n_global);
    sqlite3_bind_text(q, 10, alg_name(t->global_alg), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 11, alg_name(t->local_alg), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 12, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 13, to, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 14, lm_version(), -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 15, LM_SCHEMA_VERSION);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(C->db,
                           "INSERT INTO calibration_parameter VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                           " NULL)",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    for (int j = 0; j < t->n_params; ++j) {
        const lm__cal_param *p = &t->params[j];
        sqlite3_reset(q);
        sqlite3_bind_int(q, 1, j);
        sqlite3_bind_text(q, 2, p->name, -1, SQLITE_STATIC);
        sqlite3_bind_double(q, 3, p->lo);
        sqlite3_bind_double(q, 4, p->hi);
        sqlite3_bind_double(q, 5, round10(p->start));
        sqlite3_bind_text(q, 6, p->log ? "log" : "linear", -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(C->db,
                           "INSERT INTO calibration_target VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                           " ?8, ?9, ?10, ?11, ?12)",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    for (int j = 0; j < t->n_targets; ++j) {
        const lm__cal_target *g = &t->targets[j];
        char spec[2048];
        lm__cal_describe(g, spec, sizeof spec);
        sqlite3_reset(q);
        sqlite3_bind_int(q, 1, j);
        sqlite3_bind_text(q, 2, g->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, spec, -1, SQLITE_TRANSIENT);
        if (g->region >= 0)
            sqlite3_bind_text(q, 4, lm_scenario_region_name(C->sc, g->region), -1,
                              SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 4);
        sqlite3_bind_double(q, 5, g->value);
        bind_num(q, 6, g->has_sd ? g->sd : NAN);
        sqlite3_bind_double(q, 7, g->weight);
        sqlite3_bind_double(q, 8, g->tolerance);
        sqlite3_bind_text(q, 9, g->tol_absolute ? "absolute" : "relative", -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 10,
                          g->bound == LM_BOUND_LOWER   ? "lower"
                          : g->bound == LM_BOUND_UPPER ? "upper"
                                                       : "two_sided",
                          -1, SQLITE_STATIC);
        if (g->source[0])
            sqlite3_bind_text(q, 11, g->source, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 11);
        if (g->source_year)
            sqlite3_bind_int(q, 12, g->source_year);
        else
            sqlite3_bind_null(q, 12);
        if (sqlite3_step(q) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(q);
    return exec(C, "COMMIT", err);
fail:
    st = db_fail(C, err);
    sqlite3_finalize(q);
    sqlite3_exec(C->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

/* Appends an evaluation record (copies x and rows). */
static lm_status push_eval(cal *C, const double *x, const double *rows, double objective,
                           int stage, lm_error *err)
{
    if (C->n_ev == C->cap) {
        const int cap = C->cap ? 2 * C->cap : 64;
        eval_rec *ev = realloc(C->ev, (size_t)cap * sizeof *ev);
        if (!ev)
            LM_FAIL(err, LM_ENOMEM, "calibration evaluations");
        C->ev = ev;
        C->cap = cap;
    }
    eval_rec *e = &C->ev[C->n_ev];
    memset(e, 0, sizeof *e);
    const size_t nr = (size_t)C->runs * (size_t)C->nt;
    e->x = malloc((size_t)C->np * sizeof *e->x);
    e->rows = malloc((nr ? nr : 1) * sizeof *e->rows);
    e->key = malloc((size_t)C->np * 40 + 8);
    if (!e->x || !e->rows || !e->key) {
        free(e->x);
        free(e->rows);
        free(e->key);
        LM_FAIL(err, LM_ENOMEM, "calibration evaluations");
    }
    memcpy(e->x, x, (size_t)C->np * sizeof *x);
    memcpy(e->rows, rows, nr * sizeof *rows);
    key_of(x, C->np, e->key, (size_t)C->np * 40 + 8);
    e->objective = objective;
    e->stage = stage;
    C->n_ev++;
    return LM_OK;
}

/* Reads the evaluations of an interrupted calibration, after checking that it is this one. */
static lm_status read_cached(cal *C, lm_error *err)
{
    sqlite3_stmt *q = NULL;
    lm_status st = LM_OK;
    char from[16], to[16];
    lm_month_format(C->start, from);
    lm_month_format(C->end, to);
    if (sqlite3_prepare_v2(C->db,
                           "SELECT scenario_yaml, targets_yaml, seed, runs, budget, start_month,"
                           " end_month FROM calibration WHERE id = 1",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(C, err);
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) { /* killed before the header committed */
        sqlite3_finalize(q);
        return write_header(C, err);
    }
    if (rc != SQLITE_ROW) {
        st = db_fail(C, err);
        sqlite3_finalize(q);
        return st;
    }
    const char *yaml = (const char *)sqlite3_column_text(q, 0);
    const char *tyaml = (const char *)sqlite3_column_text(q, 1);
    const char *s = (const char *)sqlite3_column_text(q, 5);
    const char *e = (const char *)sqlite3_column_text(q, 6);
    const bool same = yaml && strcmp(yaml, lm_scenario_text(C->sc)) == 0 && tyaml &&
                      strcmp(tyaml, C->t->text) == 0 &&
                      (uint64_t)sqlite3_column_int64(q, 2) == C->seed &&
                      sqlite3_column_int(q, 3) == C->runs &&
                      sqlite3_column_int(q, 4) == C->budget && s && strcmp(s, from) == 0 && e &&
                      strcmp(e, to) == 0;
    sqlite3_finalize(q);
    if (!same)
        return lm_error_set_at(err, LM_EINVAL, C->partial, 0, 0, NULL,
                               "--resume: %s holds a calibration of another scenario, targets "
                               "file, seed, period, --runs or --budget; use --force to start "
                               "over",
                               C->partial);
    /* evaluations in order, their values and moments */
    sqlite3_stmt *qe = NULL, *qv = NULL, *qm = NULL;
    if (sqlite3_prepare_v2(C->db,
                           "SELECT evaluation, stage, objective FROM calibration_evaluation"
                           " ORDER BY evaluation",
                           -1, &qe, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(C->db,
                           "SELECT param, value FROM calibration_value WHERE evaluation = ?1"
                           " ORDER BY param",
                           -1, &qv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(C->db,
                           "SELECT target, replication, value FROM calibration_moment"
                           " WHERE evaluation = ?1",
                           -1, &qm, NULL) != SQLITE_OK) {
        st = db_fail(C, err);
        goto done;
    }
    const size_t nr = (size_t)C->runs * (size_t)C->nt;
    double *x = malloc((size_t)C->np * sizeof *x);
    double *rows = malloc((nr ? nr : 1) * sizeof *rows);
    if (!x || !rows)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "cached evaluations");
    int step;
    while (st == LM_OK && (step = sqlite3_step(qe)) == SQLITE_ROW) {
        const int k = sqlite3_column_int(qe, 0);
        const char *sname = (const char *)sqlite3_column_text(qe, 1);
        const int stage = !sname                           ? 0
                          : strcmp(sname, "jacobian") == 0 ? 2
                                                           : strcmp(sname, "local") == 0;
        if (k != C->n_ev + 1) {
            st = lm_error_set_at(err, LM_EINVAL, C->db_path, 0, 0, NULL,
                                 "--resume: evaluation %d is missing in %s; use --force",
                                 C->n_ev + 1, C->db_path);
            break;
        }
        for (int j = 0; j < C->np; ++j)
            x[j] = NAN;
        for (size_t i = 0; i < nr; ++i)
            rows[i] = NAN;
        sqlite3_reset(qv);
        sqlite3_bind_int(qv, 1, k);
        while (sqlite3_step(qv) == SQLITE_ROW) {
            const int j = sqlite3_column_int(qv, 0);
            if (j >= 0 && j < C->np)
                x[j] = col_num(qv, 1);
        }
        sqlite3_reset(qm);
        sqlite3_bind_int(qm, 1, k);
        while (sqlite3_step(qm) == SQLITE_ROW) {
            const int j = sqlite3_column_int(qm, 0), i = sqlite3_column_int(qm, 1);
            if (j >= 0 && j < C->nt && i >= 0 && i < C->runs)
                rows[(size_t)i * (size_t)C->nt + (size_t)j] = col_num(qm, 2);
        }
        const double f = lm__cal_objective(C->t, rows, C->runs, NULL);
        st = push_eval(C, x, rows, f, stage, err);
    }
    if (st == LM_OK && step != SQLITE_DONE)
        st = db_fail(C, err);
    C->n_cached = C->n_ev;
    free(x);
    free(rows);
done:
    sqlite3_finalize(qe);
    sqlite3_finalize(qv);
    sqlite3_finalize(qm);
    return st;
}

/* One evaluation, durably, in its own transaction. */
static lm_status store_eval(cal *C, int k, const eval_rec *e, lm_error *err)
{
    sqlite3_stmt *q = NULL;
    lm_status st = exec(C, "BEGIN IMMEDIATE", err);
    if (st != LM_OK)
        return st;
    if (sqlite3_prepare_v2(C->db, "INSERT INTO calibration_evaluation VALUES (?1, ?2, ?3)", -1,
                           &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int(q, 1, k);
    sqlite3_bind_text(q, 2, stage_name(e->stage), -1, SQLITE_STATIC);
    bind_num(q, 3, e->objective);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(C->db, "INSERT INTO calibration_value VALUES (?1, ?2, ?3)", -1, &q,
                           NULL) != SQLITE_OK)
        goto fail;
    for (int j = 0; j < C->np; ++j) {
        sqlite3_reset(q);
        sqlite3_bind_int(q, 1, k);
        sqlite3_bind_int(q, 2, j);
        sqlite3_bind_double(q, 3, e->x[j]);
        if (sqlite3_step(q) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(C->db, "INSERT INTO calibration_moment VALUES (?1, ?2, ?3, ?4)", -1,
                           &q, NULL) != SQLITE_OK)
        goto fail;
    for (int i = 0; i < C->runs; ++i)
        for (int j = 0; j < C->nt; ++j) {
            sqlite3_reset(q);
            sqlite3_bind_int(q, 1, k);
            sqlite3_bind_int(q, 2, j);
            sqlite3_bind_int(q, 3, i);
            bind_num(q, 4, e->rows[(size_t)i * (size_t)C->nt + (size_t)j]);
            if (sqlite3_step(q) != SQLITE_DONE)
                goto fail;
        }
    sqlite3_finalize(q);
    return exec(C, "COMMIT", err);
fail:
    st = db_fail(C, err);
    sqlite3_finalize(q);
    sqlite3_exec(C->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

/* ---- evaluating a point ---- */

static lm_status moments_cb(const lm_scenario *sc, const lm_sim *sim, double *out, void *user,
                            lm_error *err)
{
    return lm__cal_moments(user, sc, sim, out, err);
}

/* The scenario with the parameters at x (new; release: lm_scenario_free). */
static lm_status scenario_at(const cal *C, const double *x, lm_scenario **out, lm_error *err)
{
    char text[LM_CAL_MAX_PARAMS][LM_CAL_EDIT_MAX + 48];
    const char *set[LM_CAL_MAX_PARAMS];
    for (int j = 0; j < C->np; ++j) {
        snprintf(text[j], sizeof text[j], "%s=%.10g", C->t->params[j].name, x[j]);
        set[j] = text[j];
    }
    const lm_scenario_edits ed = {.set = set, .n_set = C->np};
    /* a signal stops the loading of each evaluation's scenario too, not only the first */
    const volatile sig_atomic_t *watched = lm__scenario_watch_stop(C->cfg->x.job.stop_flag);
    lm_status st = lm_scenario_load_edited(C->scenario_path, &ed, out, err);
    lm__scenario_watch_stop(watched);
    if (st == LM_OK && (C->start != 0 || C->end != 0)) {
        st = lm_scenario_set_period(*out, C->start, C->end, err);
        if (st != LM_OK) {
            lm_scenario_free(*out);
            *out = NULL;
        }
    }
    return st;
}

static void report(cal *C, double last)
{
    const lm_calibrate_config *cfg = C->cfg;
    if (!cfg->progress || cfg->x.job.quiet)
        return;
    const double el = lm__now_s() - C->t0;
    double eta = NAN;
    if (C->simulated > 0) {
        const double per = (lm__now_s() - C->t_first_sim) / C->simulated;
        eta = per * (C->budget - C->calls);
    }
    const lm_calibrate_progress p = {.evaluations = C->calls,
                                     .budget = C->budget +
                                               (C->cfg->no_standard_errors ? 0 : 2 * C->np),
                                     .cached = C->n_cached < C->calls ? C->n_cached : C->calls,
                                     .stage = stage_name(C->stage),
                                     .last = last,
                                     .best = C->best,
                                     .elapsed_s = el,
                                     .eta_s = eta};
    cfg->progress(&p, cfg->progress_user);
}

static double objective(unsigned n, const double *u, double *grad, void *data)
{
    (void)grad;
    cal *C = data;
    if (C->st != LM_OK)
        return HUGE_VAL;
    double x[LM_CAL_MAX_PARAMS];
    for (unsigned j = 0; j < n; ++j)
        x[j] = to_value(&C->t->params[j], u[j]);
    const int k = C->calls + 1; /* this evaluation's number */
    char key[LM_CAL_MAX_PARAMS * 40 + 8];
    key_of(x, C->np, key, sizeof key);
    /* a replayed evaluation (--resume): evaluation k must be the same point */
    lm_status st = LM_OK;
    double f;
    const eval_rec *hit = NULL;
    if (k <= C->n_cached) {
        f = C->ev[k - 1].objective;
        if (strcmp(C->ev[k - 1].key, key) != 0)
            st = lm_error_set_at(&C->err, LM_EINVAL, C->db_path, 0, 0, NULL,
                                 "--resume: evaluation %d in %s is not the point this "
                                 "calibration asks for (another NLopt version?); use --force",
                                 k, C->db_path);
    } else {
        for (int i = 0; i < C->n_ev; ++i) /* a point asked for before: its moments again */
            if (strcmp(C->ev[i].key, key) == 0) {
                hit = &C->ev[i];
                break;
            }
        const size_t nr = (size_t)C->runs * (size_t)C->nt;
        double *rows = malloc((nr ? nr : 1) * sizeof *rows);
        if (!rows) {
            st = lm_error_set(&C->err, LM_ENOMEM, __FILE__, __LINE__, "moments");
        } else if (hit) {
            memcpy(rows, hit->rows, nr * sizeof *rows);
        } else {
            lm_scenario *sc = NULL;
            st = scenario_at(C, x, &sc, &C->err);
            if (st == LM_OK) {
                if (C->simulated == 0)
                    C->t_first_sim = lm__now_s();
                const lm__eval_config ec = {.seed = C->seed,
                                            .runs = C->runs,
                                            .run0 = 0,
                                            .threads = C->threads,
                                            .n_moments = C->nt,
                                            .moments = moments_cb,
                                            .user = C->t,
                                            .stop_flag = C->cfg->x.job.stop_flag};
                st = lm__evaluate(sc, &ec, rows, &C->err);
                C->simulated++;
            }
            lm_scenario_free(sc);
        }
        f = st == LM_OK ? lm__cal_objective(C->t, rows, C->runs, NULL) : HUGE_VAL;
        if (st == LM_OK)
            st = push_eval(C, x, rows, f, C->stage, &C->err);
        if (st == LM_OK && lm__par_rank() == 0)
            st = store_eval(C, k, &C->ev[C->n_ev - 1], &C->err);
        if (st == LM_OK)
            lm__pause_point("evaluation", k, C->cfg->x.job.stop_flag);
        if (lm__par_size() > 1) /* the ranks stop together when rank 0 cannot store */
            st = lm__par_agree(st, &C->err);
        free(rows);
    }
    if (st != LM_OK) {
        C->st = st;
        nlopt_force_stop(C->opt);
        return HUGE_VAL;
    }
    C->calls = k;
    if (!(f >= C->best)) /* NaN-safe: the first one sets it */
        C->best = f;
    report(C, f);
    return f;
}

/* Runs one NLopt stage from u (updated to its best point) for at most maxeval evaluations. */
static lm_status run_stage(cal *C, int alg, int maxeval, double *u, lm_error *err)
{
    if (alg < 0 || maxeval <= 0)
        return LM_OK;
    if (alg == NLOPT_LN_BOBYQA && C->np < 2)
        alg = NLOPT_LN_NELDERMEAD; /* BOBYQA needs two dimensions */
    nlopt_srand(C->seed);
    C->opt = nlopt_create((nlopt_algorithm)alg, (unsigned)C->np);
    if (!C->opt)
        LM_FAIL(err, LM_ENOMEM, "NLopt");
    double lb[LM_CAL_MAX_PARAMS], ub[LM_CAL_MAX_PARAMS], step[LM_CAL_MAX_PARAMS];
    for (int j = 0; j < C->np; ++j) {
        lb[j] = 0;
        ub[j] = 1;
        step[j] = 0.1;
    }
    nlopt_set_lower_bounds(C->opt, lb);
    nlopt_set_upper_bounds(C->opt, ub);
    nlopt_set_min_objective(C->opt, objective, C);
    nlopt_set_maxeval(C->opt, maxeval);
    if (alg == NLOPT_GN_CRS2_LM) {
        /* NLopt's default population, 10 (n + 1), leaves a small budget no evolution at
         * all: at most half the stage's budget, at least n + 2 */
        int pop = 10 * (C->np + 1);
        if (pop > maxeval / 2)
            pop = maxeval / 2;
        if (pop < C->np + 2)
            pop = C->np + 2;
        nlopt_set_population(C->opt, (unsigned)pop);
    }
    if (C->stage == 1) {
        nlopt_set_initial_step(C->opt, step);
        nlopt_set_xtol_abs1(C->opt, 1e-7);
    }
    double f = HUGE_VAL;
    const nlopt_result r = nlopt_optimize(C->opt, u, &f);
    nlopt_destroy(C->opt);
    C->opt = NULL;
    if (C->st != LM_OK) {
        *err = C->err;
        return C->st;
    }
    if (r < 0 && r != NLOPT_FORCED_STOP && r != NLOPT_ROUNDOFF_LIMITED)
        LM_FAIL(err, LM_EINVAL, "NLopt (%s) failed: %s", alg_name(alg), nlopt_result_to_string(r));
    return LM_OK;
}

/* The best evaluation of the search (the Jacobian's points are not candidates): lowest
 * objective, the earliest of equals. */
static int best_of_search(const cal *C)
{
    int b = 0;
    for (int i = 1; i < C->n_ev; ++i)
        if (C->ev[i].stage != 2 && C->ev[i].objective < C->ev[b].objective)
            b = i;
    return b;
}

/* Two evaluations per parameter at the best point of the search, one step up and one down in
 * the unit scale (one-sided at a bound: the point itself stands for the other side). */
static lm_status jacobian_stage(cal *C, lm_error *err)
{
    const eval_rec *B = &C->ev[best_of_search(C)];
    double u0[LM_CAL_MAX_PARAMS], u[LM_CAL_MAX_PARAMS];
    for (int j = 0; j < C->np; ++j)
        u0[j] = to_unit(&C->t->params[j], B->x[j]);
    C->stage = 2;
    C->jac_base = C->calls;
    for (int j = 0; j < C->np; ++j)
        for (int side = 0; side < 2; ++side) {
            memcpy(u, u0, sizeof u);
            const double v = u0[j] + (side ? -LM_CAL_JACOBIAN_STEP : LM_CAL_JACOBIAN_STEP);
            u[j] = v < 0 ? 0 : v > 1 ? 1 : v;
            objective((unsigned)C->np, u, NULL, C);
            if (C->st != LM_OK) {
                *err = C->err;
                return C->st;
            }
        }
    return LM_OK;
}

/* ---- outputs ---- */

typedef struct summary_row {
    double mean, p05, p95, d;
    int used;
    bool within;
} summary_row;

static void summarise(const cal *C, const eval_rec *b, summary_row *s)
{
    double *v = malloc((size_t)(C->runs > 0 ? C->runs : 1) * sizeof *v);
    for (int j = 0; j < C->nt; ++j) {
        s[j].mean = lm__cal_mean(b->rows, C->runs, C->nt, j, &s[j].used);
        size_t k = 0;
        for (int i = 0; v && i < C->runs; ++i) {
            const double x = b->rows[(size_t)i * (size_t)C->nt + (size_t)j];
            if (!isnan(x))
                v[k++] = x;
        }
        s[j].p05 = v ? lm__stat_quantile(v, k, 0.05) : NAN; /* sorts v */
        s[j].p95 = v && k ? gsl_stats_quantile_from_sorted_data(v, 1, k, 0.95) : NAN;
        s[j].d = distance(&C->t->targets[j], s[j].mean);
        s[j].within = lm__cal_within(&C->t->targets[j], s[j].mean);
    }
    free(v);
}

static void fmt_num(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (fabs(v) >= 1e6 || (fabs(v) < 1e-3 && v != 0))
        snprintf(buf, size, "%.4g", v);
    else if (fabs(v) >= 100)
        lm__format_count((int64_t)llround(v), buf, size);
    else
        snprintf(buf, size, "%.3g", v);
}

/* The path of target relative to the folder dir (both made absolute); the absolute path
 * when either cannot be resolved. */
static void relative_path(const char *dir, const char *target, char *out, size_t size)
{
    char *rt = realpath(target, NULL);
    char *rd = realpath(dir, NULL);
    if (!rt || !rd) {
        snprintf(out, size, "%s", rt ? rt : target);
        free(rt);
        free(rd);
        return;
    }
    /* the longest common prefix that ends at a folder boundary */
    size_t common = 0;
    for (size_t i = 0;; ++i) {
        const char a = rt[i], b = rd[i];
        if ((a == '/' || a == '\0') && (b == '/' || b == '\0'))
            common = i;
        if (a != b || a == '\0')
            break;
    }
    if (common == 0) { /* nothing in common but the root: the absolute path reads better */
        snprintf(out, size, "%s", rt);
        free(rt);
        free(rd);
        return;
    }
    size_t k = 0;
    out[0] = '\0';
    for (const char *p = rd + common; *p; ++p)
        if (*p == '/' && k + 4 < size)
            k += (size_t)snprintf(out + k, size - k, "../");
    snprintf(out + k, size - k, "%s", rt[common] == '/' ? rt + common + 1 : rt + common);
    free(rt);
    free(rd);
}

static lm_status write_outputs(cal *C, lm_calibrate_result *res, lm_error *err)
{
    const lm_targets *t = C->t;
    const int b = best_of_search(C);
    const eval_rec *B = &C->ev[b];
    lm__cal_se se = {0};
    if (C->jac_base >= 0 && C->jac_base + 2 * C->np <= C->n_ev) {
        const double *xs[2 * LM_CAL_MAX_PARAMS], *rs[2 * LM_CAL_MAX_PARAMS];
        for (int k = 0; k < 2 * C->np; ++k) {
            xs[k] = C->ev[C->jac_base + k].x;
            rs[k] = C->ev[C->jac_base + k].rows;
        }
        const lm_status sst = lm__cal_standard_errors(t, C->runs, B->rows, xs, rs, &se, err);
        if (sst != LM_OK)
            return sst;
    }
    summary_row *s = calloc((size_t)C->nt, sizeof *s);
    if (!s) {
        lm__cal_se_free(&se);
        LM_FAIL(err, LM_ENOMEM, "calibration summary");
    }
    summarise(C, B, s);
    res->evaluations = C->n_ev;
    res->best_evaluation = b + 1;
    res->first_objective = C->ev[0].objective;
    res->best_objective = B->objective;
    res->n_params = C->np;
    for (int j = 0; j < C->np; ++j)
        res->best[j] = B->x[j];

    lm_status st = LM_OK;
    /* database: best values and the summary, rewritten whole */
    if (lm__par_rank() == 0) {
        sqlite3_stmt *q = NULL;
        st = exec(C, "BEGIN IMMEDIATE; DELETE FROM calibration_summary;", err);
        if (st == LM_OK &&
            sqlite3_prepare_v2(C->db, "UPDATE calibration_parameter SET best = ?2 WHERE param = ?1",
                               -1, &q, NULL) == SQLITE_OK) {
            for (int j = 0; j < C->np && st == LM_OK; ++j) {
                sqlite3_reset(q);
                sqlite3_bind_int(q, 1, j);
                sqlite3_bind_double(q, 2, B->x[j]);
                if (sqlite3_step(q) != SQLITE_DONE)
                    st = db_fail(C, err);
            }
            sqlite3_finalize(q);
            q = NULL;
        } else if (st == LM_OK) {
            st = db_fail(C, err);
        }
        if (st == LM_OK &&
            sqlite3_prepare_v2(C->db,
                               "INSERT INTO calibration_summary VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                               " ?7, ?8, ?9)",
                               -1, &q, NULL) == SQLITE_OK) {
            for (int j = 0; j < C->nt && st == LM_OK; ++j) {
                sqlite3_reset(q);
                sqlite3_bind_int(q, 1, j);
                sqlite3_bind_text(q, 2, t->targets[j].name, -1, SQLITE_STATIC);
                sqlite3_bind_double(q, 3, t->targets[j].value);
                bind_num(q, 4, s[j].mean);
                bind_num(q, 5, s[j].p05);
                bind_num(q, 6, s[j].p95);
                sqlite3_bind_int(q, 7, s[j].used);
                bind_num(q, 8, s[j].d);
                sqlite3_bind_int(q, 9, s[j].within);
                if (sqlite3_step(q) != SQLITE_DONE)
                    st = db_fail(C, err);
            }
            sqlite3_finalize(q);
        } else if (st == LM_OK) {
            st = db_fail(C, err);
        }
        if (st == LM_OK)
            st = exec(C, "COMMIT", err);
        else
            sqlite3_exec(C->db, "ROLLBACK", NULL, NULL, NULL);
    }

    /* trace.csv */
    char *text = NULL;
    size_t len = 0;
    FILE *f = st == LM_OK ? open_memstream(&text, &len) : NULL;
    if (st == LM_OK && !f)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "trace");
    if (f) {
        fprintf(f, "evaluation,stage,objective,best_so_far");
        for (int j = 0; j < C->np; ++j)
            fprintf(f, ",%s", t->params[j].name);
        fprintf(f, "\n");
        double best = HUGE_VAL;
        for (int i = 0; i < C->n_ev; ++i) {
            if (C->ev[i].objective < best)
                best = C->ev[i].objective;
            fprintf(f, "%d,%s,%.17g,%.17g", i + 1, stage_name(C->ev[i].stage), C->ev[i].objective,
                    best);
            for (int j = 0; j < C->np; ++j)
                fprintf(f, ",%.10g", C->ev[i].x[j]);
            fprintf(f, "\n");
        }
        fclose(f);
        if (lm__par_rank() == 0)
            st = lm__write_text(C->partial, "trace.csv", text, len, err);
        free(text);
        text = NULL;
    }
    /* moments.csv */
    f = st == LM_OK ? open_memstream(&text, &len) : NULL;
    if (st == LM_OK && !f)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "moments");
    if (f) {
        fprintf(f, "target,name,moment,value,sd,weight,mean,p05,p95,replications,distance,"
                   "within_tolerance,source,year\n");
        for (int j = 0; j < C->nt; ++j) {
            const lm__cal_target *g = &t->targets[j];
            char spec[2048];
            lm__cal_describe(g, spec, sizeof spec);
            for (char *p = spec; *p; ++p)
                if (*p == '"' || *p == '\n')
                    *p = *p == '"' ? '\'' : ' ';
            char src[600];
            snprintf(src, sizeof src, "%s", g->source);
            for (char *p = src; *p; ++p)
                if (*p == '"' || *p == '\n')
                    *p = *p == '"' ? '\'' : ' ';
            fprintf(f, "%d,%s,\"%s\",%.17g,", j, g->name, spec, g->value);
            if (g->has_sd)
                fprintf(f, "%.17g", g->sd);
            fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%d,%.17g,%s,\"%s\",", g->weight, s[j].mean,
                    s[j].p05, s[j].p95, s[j].used, s[j].d, s[j].within ? "yes" : "no", src);
            if (g->source_year)
                fprintf(f, "%d", g->source_year);
            fprintf(f, "\n");
        }
        fclose(f);
        if (lm__par_rank() == 0)
            st = lm__write_text(C->partial, "moments.csv", text, len, err);
        free(text);
        text = NULL;
    }
    /* parameters.csv and jacobian.csv: the fitted values, their standard errors and what
       identifies them */
    if (st == LM_OK && se.jac) {
        f = open_memstream(&text, &len);
        if (!f)
            st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "parameters");
        if (f) {
            fprintf(f, "parameter,value,standard_error,lo,hi,scale,identified,moved_by\n");
            for (int j = 0; j < C->np; ++j) {
                const lm__cal_param *p = &t->params[j];
                fprintf(f, "%s,%.10g,", p->name, B->x[j]);
                if (!isnan(se.se[j]))
                    fprintf(f, "%.6g", se.se[j]);
                fprintf(f, ",%.10g,%.10g,%s,%s,%s\n", p->lo, p->hi, p->log ? "log" : "linear",
                        se.identified[j] ? "yes" : "no", se.moved_by[j]);
            }
            fclose(f);
            if (lm__par_rank() == 0)
                st = lm__write_text(C->partial, "parameters.csv", text, len, err);
            free(text);
            text = NULL;
        }
        f = st == LM_OK ? open_memstream(&text, &len) : NULL;
        if (st == LM_OK && !f)
            st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "jacobian");
        if (f) {
            fprintf(f, "target,use,parameter,derivative,shift_sd\n");
            for (int i = 0; i < C->nt; ++i)
                for (int j = 0; j < C->np; ++j)
                    fprintf(f, "%s,%s,%s,%.6g,%.6g\n", t->targets[i].name,
                            t->targets[i].check ? "check" : "fit", t->params[j].name,
                            se.jac[(size_t)i * (size_t)C->np + (size_t)j],
                            se.shift[(size_t)i * (size_t)C->np + (size_t)j]);
            fclose(f);
            if (lm__par_rank() == 0)
                st = lm__write_text(C->partial, "jacobian.csv", text, len, err);
            free(text);
            text = NULL;
        }
    }
    /* the table: summary.txt and the terminal */
    f = st == LM_OK ? open_memstream(&res->summary, &len) : NULL;
    if (st == LM_OK && !f)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "summary");
    if (f) {
        char from[16], to[16];
        lm_month_format(C->start, from);
        lm_month_format(C->end, to);
        fprintf(f,
                "calibration of %s  seed %llu  %d runs per evaluation  %s to %s\n"
                "%d evaluations (global %s: up to %d, then local %s%s); best: evaluation %d, "
                "objective %.4g (first %.4g)\n\n",
                lm_scenario_name(C->sc), (unsigned long long)C->seed, C->runs, from, to, C->n_ev,
                alg_name(t->global_alg), C->n_global, alg_name(t->local_alg),
                se.jac ? ", then the Jacobian" : "", b + 1, B->objective, C->ev[0].objective);
        enum { CELL = 272 };
        const bool has_se = se.jac != NULL;
        const int pr = C->np + 1, pc = has_se ? 7 : 5;
        const int tr = C->nt + 1, tc = 6;
        char *buf = calloc((size_t)(pr * pc + tr * tc), CELL);
        const char **cells = calloc((size_t)(pr * pc + tr * tc), sizeof *cells);
        if (!buf || !cells) {
            free(buf);
            free(cells);
            fclose(f);
            free(s);
            lm__cal_se_free(&se);
            LM_FAIL(err, LM_ENOMEM, "summary table");
        }
        for (int k = 0; k < pr * pc + tr * tc; ++k)
            cells[k] = buf + (size_t)k * CELL;
#define CELLP(r, c) (buf + ((size_t)(r) * pc + (c)) * CELL)
        snprintf(CELLP(0, 0), CELL, "parameter");
        snprintf(CELLP(0, 1), CELL, "lo");
        snprintf(CELLP(0, 2), CELL, "hi");
        snprintf(CELLP(0, 3), CELL, "start");
        snprintf(CELLP(0, 4), CELL, "fitted");
        if (has_se) {
            snprintf(CELLP(0, 5), CELL, "s.e.");
            snprintf(CELLP(0, 6), CELL, "moved by");
        }
        for (int j = 0; j < C->np; ++j) {
            const lm__cal_param *p = &t->params[j];
            snprintf(CELLP(j + 1, 0), CELL, "%s%s", p->name, p->log ? " (log)" : "");
            snprintf(CELLP(j + 1, 1), CELL, "%.6g", p->lo);
            snprintf(CELLP(j + 1, 2), CELL, "%.6g", p->hi);
            snprintf(CELLP(j + 1, 3), CELL, "%.6g", round10(p->start));
            snprintf(CELLP(j + 1, 4), CELL, "%.10g", B->x[j]);
            if (has_se) {
                if (isnan(se.se[j]))
                    snprintf(CELLP(j + 1, 5), CELL, "n/a");
                else
                    snprintf(CELLP(j + 1, 5), CELL, "%.3g", se.se[j]);
                snprintf(CELLP(j + 1, 6), CELL, "%.*s", CELL - 1,
                         se.identified[j] ? se.moved_by[j] : "no target: fix it");
            }
        }
        lm__table_write(f, cells, pr, pc, has_se ? "lrrrrrl" : "lrrrr", false);
        if (has_se)
            fprintf(f,
                    "s.e.: standard error of the method of simulated moments over the %d fitted "
                    "targets (their sd and the simulation's spread over %d replications; "
                    "Jacobian by central differences at the fitted point, %d evaluations, "
                    "jacobian.csv); n/a: not identified (no fitted target moves by %.2g sd over "
                    "a step of %.0f%% of its range) or not apart from another parameter "
                    "(condition number of G'WG %.3g); moved by: the fitted targets a step "
                    "moves most (parameters.csv).\n",
                    se.n_fit, C->runs, 2 * C->np, LM_MSM_MIN_SHIFT,
                    100.0 * LM_CAL_JACOBIAN_STEP, se.condition);
        fprintf(f, "\n");
        char *tb = buf + (size_t)(pr * pc) * CELL;
#define CELLT(r, c) (tb + ((size_t)(r) * tc + (c)) * CELL)
        snprintf(CELLT(0, 0), CELL, "target");
        snprintf(CELLT(0, 1), CELL, "value");
        snprintf(CELLT(0, 2), CELL, "simulated");
        snprintf(CELLT(0, 3), CELL, "90%% interval");
        snprintf(CELLT(0, 4), CELL, "distance");
        snprintf(CELLT(0, 5), CELL, "within");
        int n_check = 0;
        for (int j = 0; j < C->nt; ++j)
            n_check += t->targets[j].check;
        for (int use = 0; use < 2; ++use) {
            int row = 0;
            for (int j = 0; j < C->nt; ++j) {
                const lm__cal_target *g = &t->targets[j];
                if (g->check != (use == 1))
                    continue;
                row++;
                char a[48], lo[48], hi[48];
                snprintf(CELLT(row, 0), CELL, "%s", g->name);
                fmt_num(g->value, a, sizeof a);
                snprintf(CELLT(row, 1), CELL, "%s%s", g->bound == LM_BOUND_LOWER   ? ">= "
                                                      : g->bound == LM_BOUND_UPPER ? "<= "
                                                                                   : "",
                         a);
                fmt_num(s[j].mean, a, sizeof a);
                snprintf(CELLT(row, 2), CELL, "%s", a);
                fmt_num(s[j].p05, lo, sizeof lo);
                fmt_num(s[j].p95, hi, sizeof hi);
                snprintf(CELLT(row, 3), CELL, "[%s, %s]", lo, hi);
                snprintf(CELLT(row, 4), CELL, "%+.2f", s[j].d);
                snprintf(CELLT(row, 5), CELL, "%s", s[j].within ? "yes" : "no");
            }
            if (row == 0)
                continue;
            int n_within = 0;
            for (int j = 0; j < C->nt; ++j)
                n_within += t->targets[j].check == (use == 1) && s[j].within;
            if (use == 1)
                fprintf(f, "\ncheck targets (use: check; reported, never in the objective):\n");
            else if (n_check > 0)
                fprintf(f, "fitted targets (use: fit):\n");
            lm__table_write(f, cells + pr * pc, row + 1, tc, "lrrrrl", false);
            fprintf(f, "%d of %d %s within tolerance.\n", n_within, row,
                    use ? "check targets" : n_check ? "fitted targets" : "targets");
        }
#undef CELLP
#undef CELLT
        fprintf(f,
                "\nsimulated: mean over %d replications of the best evaluation; 90%% "
                "interval: 5th to 95th percentile over the replications; distance: (mean - "
                "value) / sd (or / |value|).\n",
                C->runs);
        fprintf(f, "results: %s (calibrated.yaml: the fitted scenario)\n", res->out_dir);
        free(buf);
        free(cells);
        if (fclose(f) != 0 && st == LM_OK)
            st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "summary");
        if (st == LM_OK && lm__par_rank() == 0)
            st = lm__write_text(C->partial, "summary.txt", res->summary, strlen(res->summary),
                                err);
    }
    /* calibrated.yaml */
    f = st == LM_OK ? open_memstream(&text, &len) : NULL;
    if (st == LM_OK && !f)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "overlay");
    if (f) {
        char rel[PATH_BUF + 64];
        relative_path(C->partial, C->scenario_path, rel, sizeof rel);
        fprintf(f,
                "# %s/calibrated.yaml -- written by `longmen calibrate`: the scenario %s with\n"
                "# the fitted values of the targets file %s (seed %llu, %d runs per "
                "evaluation,\n# evaluation %d of %d, objective %.6g). Load it like any "
                "scenario; every\n# edit uses the names of `longmen compare --policy` "
                "(docs/calibration.md).\n",
                res->out_dir, C->scenario_path, t->path, (unsigned long long)C->seed, C->runs,
                b + 1, C->n_ev, B->objective);
        if (C->cfg->x.job.has_from || C->cfg->x.job.has_to) {
            char from[16], to[16];
            lm_month_format(C->start, from);
            lm_month_format(C->end, to);
            fprintf(f, "# calibrated on the period %s to %s (--from/--to), not set here.\n",
                    from, to);
        }
        fprintf(f, "extends: \"");
        for (const char *p = rel; *p; ++p)
            fprintf(f, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
        fprintf(f, "\"\nset:\n");
        for (int j = 0; j < C->np; ++j)
            fprintf(f, "  - \"%s=%.10g\"  # in [%g, %g], started at %.10g\n", t->params[j].name,
                    B->x[j], t->params[j].lo, t->params[j].hi, round10(t->params[j].start));
        fclose(f);
        if (lm__par_rank() == 0)
            st = lm__write_text(C->partial, "calibrated.yaml", text, len, err);
        free(text);
    }
    free(s);
    lm__cal_se_free(&se);
    return st;
}

/* ---- the folder ---- */

/* A parameter name that the scenario cannot take: the loader's message, at the parameter. */
static lm_status check_params(cal *C, lm_error *err)
{
    for (int j = 0; j < C->np; ++j) {
        const lm__cal_param *p = &C->t->params[j];
        const double vals[2] = {p->lo, p->hi};
        for (int v = 0; v < 2; ++v) {
            char text[LM_CAL_EDIT_MAX + 48];
            snprintf(text, sizeof text, "%s=%.10g", p->name, round10(vals[v]));
            const char *set[1] = {text};
            const lm_scenario_edits ed = {.set = set, .n_set = 1};
            lm_scenario *sc = NULL;
            lm_error e;
            const lm_status st = lm_scenario_load_edited(C->scenario_path, &ed, &sc, &e);
            lm_scenario_free(sc);
            if (st != LM_OK) {
                char field[64], where[1200];
                snprintf(field, sizeof field, "parameters[%d]", j);
                lm_error_format(&e, where, sizeof where);
                return lm_error_set_at(err, LM_EINVAL, C->t->path, p->pos.line, p->pos.column,
                                       field, "%s=%.10g does not apply to the scenario: %s",
                                       p->name, round10(vals[v]), where);
            }
        }
    }
    return LM_OK;
}

lm_status lm_calibrate(const lm_calibrate_config *cfg, lm_calibrate_result *res, lm_error *err)
{
    memset(res, 0, sizeof *res);
    lm_error_clear(err);
    const lm_job_config *job = &cfg->x.job;
    if (cfg->x.runs < 1 || cfg->x.runs > LM_MAX_RUNS)
        LM_FAIL(err, LM_EINVAL, "--runs %d: expected 1 to %d", cfg->x.runs, LM_MAX_RUNS);
    if (cfg->budget < 1 || cfg->budget > LM_CAL_MAX_BUDGET)
        LM_FAIL(err, LM_EINVAL, "--budget %d: expected 1 to %d", cfg->budget,
                LM_CAL_MAX_BUDGET);
    if (!cfg->targets_path)
        LM_FAIL(err, LM_EINVAL, "calibrate: no targets file (--targets FILE)");
    cal C;
    memset(&C, 0, sizeof C);
    C.cfg = cfg;
    C.t0 = lm__now_s();
    C.best = NAN;
    C.jac_base = -1;
    C.runs = cfg->x.runs;
    C.budget = cfg->budget;
    C.scenario_path = job->scenario_path ? job->scenario_path : lm_default_scenario_path();
    lm_status st = lm_targets_load(cfg->targets_path, &C.t, err);
    if (st == LM_OK) {
        const volatile sig_atomic_t *watched = lm__scenario_watch_stop(job->stop_flag);
        st = lm_scenario_load(C.scenario_path, &C.sc, err);
        lm__scenario_watch_stop(watched);
    }
    int lock = -1;
    bool created = false;
    if (st == LM_OK) {
        C.np = C.t->n_params;
        C.nt = C.t->n_targets;
        lm_scenario_period(C.sc, &C.start, &C.end);
        if (job->has_from || job->has_to)
            st = lm_scenario_set_period(C.sc, job->has_from ? job->from : C.start,
                                        job->has_to ? job->to : C.end, err);
        lm_scenario_period(C.sc, &C.start, &C.end);
    }
    if (st == LM_OK)
        st = lm__cal_bind(C.t, C.sc, err);
    if (st == LM_OK)
        st = check_params(&C, err);
    if (st == LM_OK)
        st = lm__cal_check_sql(C.t, C.sc, err);
    if (st == LM_OK)
        st = lm__xp_threads(C.sc, job, &C.threads, NULL, err);
    if (st != LM_OK)
        goto out;
    C.seed = job->has_seed ? job->seed : lm_scenario_seed(C.sc);
    {
        const lm_targets *t = C.t;
        const int n_global = t->global_alg < 0   ? 0
                             : t->local_alg < 0 ? C.budget
                                                : (int)floor(C.budget * t->global_share);
        C.n_global = n_global < 1 && t->global_alg >= 0 ? (t->local_alg < 0 ? C.budget : 1)
                                                         : n_global;
        if (C.n_global > C.budget)
            C.n_global = C.budget;
    }

    /* the folder */
    char final[LM_XP_PATH];
    if ((st = lm__xp_folder(job, C.sc, "scenario", C.seed, "-calibrate", final, C.partial,
                            C.db_path, err)) != LM_OK)
        goto out;
    snprintf(res->out_dir, sizeof res->out_dir, "%s", final);
    if (lm__par_rank() == 0)
        st = lm__outdir_open_partial(final, C.partial, cfg->x.resume, job->force, "calibration", &lock, &created,
                                         err);
    st = lm__par_agree(st, err);
    if (st != LM_OK)
        goto out;
    /* rank 0 opens (creating) the database and reads the cache; then the other ranks read
     * it too (only rank 0 writes) */
    for (int pass = 0; pass < 2; ++pass) {
        const bool writer = lm__par_rank() == 0;
        if (writer == (pass == 0)) {
            if (sqlite3_open_v2(C.db_path, &C.db,
                                writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                       : SQLITE_OPEN_READONLY,
                                NULL) != SQLITE_OK)
                st = db_fail(&C, err);
            if (st == LM_OK)
                sqlite3_busy_timeout(C.db, 10000);
            if (st == LM_OK && writer)
                st = exec(&C, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;", err);
            if (st == LM_OK && writer) { /* the tables all at once, or none */
                char pragma[256];
                snprintf(pragma, sizeof pragma,
                         "PRAGMA user_version=%d; CREATE TABLE IF NOT EXISTS schema (version"
                         " INTEGER); INSERT INTO schema SELECT %d WHERE NOT EXISTS (SELECT 1"
                         " FROM schema);",
                         LM_SCHEMA_VERSION, LM_SCHEMA_VERSION);
                st = exec(&C, "BEGIN IMMEDIATE", err);
                if (st == LM_OK)
                    st = exec(&C, pragma, err);
                if (st == LM_OK)
                    st = exec(&C, ddl, err);
                if (st == LM_OK)
                    st = exec(&C, "COMMIT", err);
            }
            if (st == LM_OK)
                st = read_cached(&C, err);
        }
        st = lm__par_agree(st, err);
        if (st != LM_OK)
            goto out;
    }
    res->resumed = C.n_cached;

    /* the search */
    double u[LM_CAL_MAX_PARAMS];
    for (int j = 0; j < C.np; ++j)
        u[j] = to_unit(&C.t->params[j], round10(C.t->params[j].start));
    report(&C, NAN);
    C.stage = 0;
    st = run_stage(&C, C.t->global_alg, C.n_global, u, err);
    if (st == LM_OK && C.calls < C.budget) {
        /* polish from the best point so far (of the calls made: a resumed calibration holds
         * later evaluations too), or from the start without a global stage */
        int b = 0;
        for (int i = 1; i < C.calls; ++i)
            if (C.ev[i].objective < C.ev[b].objective)
                b = i;
        for (int j = 0; C.calls > 0 && j < C.np; ++j)
            u[j] = to_unit(&C.t->params[j], C.ev[b].x[j]);
        C.stage = 1;
        st = run_stage(&C, C.t->local_alg, C.budget - C.calls, u, err);
    }
    if (st == LM_OK && C.calls > 0 && !cfg->no_standard_errors)
        st = jacobian_stage(&C, err);
    if (st == LM_EINTR) {
        lm_error_set_at(err, LM_EINTR, C.partial, 0, 0, NULL,
                        "interrupted: %d evaluations are kept in %s; the same command with "
                        "--resume carries on",
                        C.calls, C.partial);
        goto out;
    }
    if (st == LM_OK && C.calls < C.n_ev)
        st = lm_error_set_at(err, LM_EINVAL, C.db_path, 0, 0, NULL,
                             "--resume: %s holds %d evaluations, but this calibration ended "
                             "after %d; use --force to start over",
                             C.db_path, C.n_ev, C.calls);
    if (st == LM_OK && C.n_ev == 0)
        st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__, "calibrate: no evaluation ran");
    /* the calls are fewer than the evaluations kept only if NLopt asked for other points */
    if (st == LM_OK)
        st = write_outputs(&C, res, err);
    if (st == LM_OK) {
        sqlite3_close(C.db);
        C.db = NULL;
        if (lm__par_rank() == 0)
            st = lm__outdir_commit(C.partial, final, job->force, err);
        st = lm__par_agree(st, err);
    }
out:
    if (C.db)
        sqlite3_close(C.db);
    if (lock >= 0)
        close(lock);
    if (st != LM_OK && st != LM_EINTR && created && C.n_ev == 0 && lm__par_rank() == 0)
        lm__outdir_abort(C.partial); /* made by this call and empty: leave no trace */
    for (int i = 0; i < C.n_ev; ++i) {
        free(C.ev[i].x);
        free(C.ev[i].rows);
        free(C.ev[i].key);
    }
    free(C.ev);
    lm_scenario_free(C.sc);
    lm_targets_free(C.t);
    if (st != LM_OK) {
        const lm_error keep = *err;
        lm_calibrate_result_fini(res);
        *err = keep;
        return st;
    }
    res->elapsed_s = lm__now_s() - C.t0;
    return LM_OK;
}
