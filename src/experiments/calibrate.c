/* src/experiments/calibrate.c -- `longmen calibrate` (include/longmen/calibrate.h,
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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "io/rows.h"
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
    lm__xp_dir dir; /* the out folder, its database dir.db */
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

static lm_status exec(cal *C, const char *sql, lm_error *err)
{
    return lm__db_exec(C->db, C->dir.db, sql, err);
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

/* The tables, declared once (io/rows.h). Their keys are ID columns: part of the primary key
 * without NOT NULL, as the tables were first created, so that a folder written before
 * resumes into the same layout. */
#define CALIBRATION_COLUMNS(X, V)                                                               \
    X(int64_t, id, INTEGER, ID, "1: the table holds one row")                                  \
    X(const char *, scenario, TEXT, VALUE, "the scenario's name")                               \
    X(const char *, scenario_path, TEXT, VALUE, "its path as given")                            \
    X(const char *, scenario_yaml, TEXT, VALUE, "its text as read")                             \
    X(const char *, targets_path, TEXT, VALUE, "the targets file's path")                       \
    X(const char *, targets_yaml, TEXT, VALUE, "its text")                                      \
    X(int64_t, seed, INTEGER, VALUE, "the base seed")                                           \
    X(int64_t, runs, INTEGER, VALUE, "replications per evaluation")                             \
    X(int64_t, budget, INTEGER, VALUE, "evaluations in all")                                    \
    X(int64_t, global_budget, INTEGER, VALUE, "evaluations of the global stage at most")        \
    X(const char *, global_method, TEXT, VALUE, "crs2, direct, none")                           \
    X(const char *, local_method, TEXT, VALUE, "bobyqa, neldermead, sbplx, none")               \
    X(const char *, start_month, TEXT, VALUE, "'YYYY-MM'")                                      \
    X(const char *, end_month, TEXT, VALUE, "'YYYY-MM'")                                        \
    X(const char *, longmen_version, TEXT, VALUE, "the version that started it")                \
    X(int64_t, schema_version, INTEGER, VALUE, "LM_SCHEMA_VERSION")
#define CALIBRATION_PARAMETER_COLUMNS(X, V)                                                     \
    X(int64_t, param, INTEGER, ID, "0-based, file order")                                       \
    X(const char *, name, TEXT, VALUE, "the edit's left side")                                  \
    X(double, lo, REAL, VALUE, "least value")                                                   \
    X(double, hi, REAL, VALUE, "greatest value")                                                \
    X(double, start, REAL, VALUE, "the value of evaluation 1")                                  \
    X(const char *, scale, TEXT, VALUE, "linear, log")                                          \
    X(double, best, REAL, VALUE, "the fitted value; NULL until the end")
#define CALIBRATION_TARGET_COLUMNS(X, V)                                                        \
    X(int64_t, target, INTEGER, ID, "0-based, file order")                                      \
    X(const char *, name, TEXT, VALUE, "the target's name")                                     \
    X(const char *, moment, TEXT, VALUE, "the statistic and its arguments")                     \
    X(const char *, region, TEXT, VALUE, "the bound region's name; NULL for all")              \
    X(double, value, REAL, VALUE, "the target value")                                           \
    X(double, sd, REAL, VALUE, "NULL when not given")                                           \
    X(double, weight, REAL, VALUE, "its weight")                                                \
    X(double, tolerance, REAL, VALUE, "its tolerance")                                          \
    X(const char *, tolerance_kind, TEXT, VALUE, "relative, absolute")                          \
    X(const char *, bound, TEXT, VALUE, "two_sided, lower, upper")                              \
    X(const char *, source, TEXT, VALUE, "NULL when none")                                      \
    X(int64_t, year, INTEGER, VALUE, "the source's year; NULL when none")
#define CALIBRATION_EVALUATION_COLUMNS(X, V)                                                    \
    X(int64_t, evaluation, INTEGER, ID, "1, 2, ... in the order asked")                         \
    X(const char *, stage, TEXT, VALUE, "global, local, jacobian")                              \
    X(double, objective, REAL, VALUE, "the objective")
#define CALIBRATION_VALUE_COLUMNS(X, V)                                                         \
    X(int64_t, evaluation, INTEGER, ID, "the evaluation")                                       \
    X(int64_t, param, INTEGER, ID, "the parameter")                                             \
    X(double, value, REAL, VALUE, "the value simulated")
#define CALIBRATION_MOMENT_COLUMNS(X, V)                                                        \
    X(int64_t, evaluation, INTEGER, ID, "the evaluation")                                       \
    X(int64_t, target, INTEGER, ID, "the target")                                               \
    X(int64_t, replication, INTEGER, ID, "0-based, its run index")                              \
    X(double, value, REAL, VALUE, "the target's moment; NULL when undefined")
#define CALIBRATION_SUMMARY_COLUMNS(X, V)                                                       \
    X(int64_t, target, INTEGER, ID, "the target")                                               \
    X(const char *, name, TEXT, VALUE, "its name")                                              \
    X(double, value, REAL, VALUE, "the target value")                                           \
    X(double, mean, REAL, VALUE, "over the replications where defined")                        \
    X(double, p05, REAL, VALUE, "5th percentile over the replications")                         \
    X(double, p95, REAL, VALUE, "95th percentile")                                              \
    X(int64_t, replications, INTEGER, VALUE, "where defined")                                   \
    X(double, distance, REAL, VALUE, "standardised")                                            \
    X(int64_t, within, INTEGER, VALUE, "1 within tolerance, else 0")
/* The layout version as calibration databases have always held it: version may be NULL. */
#define CALIBRATION_SCHEMA_COLUMNS(X, V)                                                        \
    X(int64_t, version, INTEGER, VALUE, "layout version, equal to `PRAGMA user_version`")
/* calibration holds one row: CHECK (id = 1) keeps a second header out. */
#define LM_ROW_T schema_row
LM_ROW_DECLARE(static const, schema_table, "schema", CALIBRATION_SCHEMA_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T calibration_row
LM_ROW_DECLARE(const, lm__rows_calibration, "calibration",
               CALIBRATION_COLUMNS, .no_run_id = true, .refs = "CHECK (id = 1)");
#undef LM_ROW_T
#define LM_ROW_T parameter_row
LM_ROW_DECLARE(const, lm__rows_calibration_parameter, "calibration_parameter",
               CALIBRATION_PARAMETER_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T target_row
LM_ROW_DECLARE(const, lm__rows_calibration_target, "calibration_target",
               CALIBRATION_TARGET_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T evaluation_row
LM_ROW_DECLARE(const, lm__rows_calibration_evaluation, "calibration_evaluation",
               CALIBRATION_EVALUATION_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T value_row
LM_ROW_DECLARE(const, lm__rows_calibration_value, "calibration_value",
               CALIBRATION_VALUE_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T moment_row
LM_ROW_DECLARE(const, lm__rows_calibration_moment, "calibration_moment",
               CALIBRATION_MOMENT_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T summary_db_row
LM_ROW_DECLARE(const, lm__rows_calibration_summary, "calibration_summary",
               CALIBRATION_SUMMARY_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
/* In the order they are created. */
static const lm_row_table *const cal_tables[] = {
    &schema_table,                &lm__rows_calibration,        &lm__rows_calibration_parameter,
    &lm__rows_calibration_target, &lm__rows_calibration_evaluation,
    &lm__rows_calibration_value,  &lm__rows_calibration_moment,
    &lm__rows_calibration_summary};

static lm_status create_tables(cal *C, lm_error *err)
{
    lm_status st = LM_OK;
    for (size_t k = 0; st == LM_OK && k < sizeof cal_tables / sizeof cal_tables[0]; ++k)
        st = lm__rows_create(C->db, C->dir.db, cal_tables[k], true, err);
    return st == LM_OK ? lm__rows_version(C->db, C->dir.db, &schema_table, err) : st;
}

static lm_status insert(cal *C, const lm_row_table *t, const void *rows, size_t n, lm_error *err)
{
    return lm__rows_insert(C->db, C->dir.db, t, 0, NULL, rows, n, err);
}

/* The parameters' rows, best NULL (NaN) until the end. */
static lm_status insert_parameters(cal *C, const double *best, lm_error *err)
{
    parameter_row *p = calloc((size_t)(C->np > 0 ? C->np : 1), sizeof *p);
    if (!p)
        LM_FAIL(err, LM_ENOMEM, "calibration parameters");
    for (int j = 0; j < C->np; ++j) {
        const lm__cal_param *q = &C->t->params[j];
        p[j] = (parameter_row){.param = j, .name = q->name, .lo = q->lo, .hi = q->hi,
                               .start = round10(q->start), .scale = q->log ? "log" : "linear",
                               .best = best ? best[j] : NAN};
    }
    const lm_status st = insert(C, &lm__rows_calibration_parameter, p, (size_t)C->np, err);
    free(p);
    return st;
}

static lm_status write_header(cal *C, lm_error *err)
{
    const lm_targets *t = C->t;
    char from[16], to[16];
    lm_month_format(C->start, from);
    lm_month_format(C->end, to);
    const calibration_row head = {.id = 1,
                                  .scenario = lm_scenario_name(C->sc),
                                  .scenario_path = C->scenario_path,
                                  .scenario_yaml = lm_scenario_text(C->sc),
                                  .targets_path = t->path,
                                  .targets_yaml = t->text,
                                  .seed = (int64_t)C->seed,
                                  .runs = C->runs,
                                  .budget = C->budget,
                                  .global_budget = C->n_global,
                                  .global_method = alg_name(t->global_alg),
                                  .local_method = alg_name(t->local_alg),
                                  .start_month = from,
                                  .end_month = to,
                                  .longmen_version = lm_version(),
                                  .schema_version = LM_SCHEMA_VERSION};
    target_row *g = calloc((size_t)(C->nt > 0 ? C->nt : 1), sizeof *g);
    char(*spec)[2048] = calloc((size_t)(C->nt > 0 ? C->nt : 1), sizeof *spec);
    if (!g || !spec) {
        free(g);
        free(spec);
        LM_FAIL(err, LM_ENOMEM, "calibration targets");
    }
    for (int j = 0; j < C->nt; ++j) {
        const lm__cal_target *x = &t->targets[j];
        lm__cal_describe(x, spec[j], sizeof spec[j]);
        g[j] = (target_row){
            .target = j,
            .name = x->name,
            .moment = spec[j],
            .region = x->region >= 0 ? lm_scenario_region_name(C->sc, x->region) : NULL,
            .value = x->value,
            .sd = x->has_sd ? x->sd : NAN,
            .weight = x->weight,
            .tolerance = x->tolerance,
            .tolerance_kind = x->tol_absolute ? "absolute" : "relative",
            .bound = x->bound == LM_BOUND_LOWER   ? "lower"
                     : x->bound == LM_BOUND_UPPER ? "upper"
                                                  : "two_sided",
            .source = x->source[0] ? x->source : NULL,
            .year = x->source_year ? x->source_year : LM_ROW_NULL_INT64};
    }
    lm_status st = exec(C, "BEGIN IMMEDIATE", err);
    if (st == LM_OK)
        st = insert(C, &lm__rows_calibration, &head, 1, err);
    if (st == LM_OK)
        st = insert_parameters(C, NULL, err);
    if (st == LM_OK)
        st = insert(C, &lm__rows_calibration_target, g, (size_t)C->nt, err);
    st = lm__db_end(C->db, C->dir.db, st, err);
    free(g);
    free(spec);
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
    char from[16], to[16];
    lm_month_format(C->start, from);
    lm_month_format(C->end, to);
    void *head_rows = NULL;
    size_t n_head = 0;
    lm_status st = lm__rows_read(C->db, C->dir.db, &lm__rows_calibration, 0, NULL, &head_rows,
                                 &n_head, err);
    if (st != LM_OK)
        return st;
    const calibration_row *h = head_rows;
    if (n_head == 0) { /* killed before the header committed */
        lm__rows_free(&lm__rows_calibration, head_rows, n_head);
        return write_header(C, err);
    }
    const bool same = h->scenario_yaml && strcmp(h->scenario_yaml, lm_scenario_text(C->sc)) == 0 &&
                      h->targets_yaml && strcmp(h->targets_yaml, C->t->text) == 0 &&
                      (uint64_t)h->seed == C->seed && h->runs == C->runs &&
                      h->budget == C->budget && h->start_month &&
                      strcmp(h->start_month, from) == 0 && h->end_month &&
                      strcmp(h->end_month, to) == 0;
    lm__rows_free(&lm__rows_calibration, head_rows, n_head);
    if (!same)
        return lm_error_set_at(err, LM_EINVAL, C->dir.partial, 0, 0, NULL,
                               "--resume: %s holds a calibration of another scenario, targets "
                               "file, seed, period, --runs or --budget; use --force to start "
                               "over",
                               C->dir.partial);
    /* evaluations in order (their key is the rowid), then their values and moments put in
     * place by key, NaN where a row is missing */
    void *evs = NULL, *vals = NULL, *moms = NULL;
    size_t n_e = 0, n_v = 0, n_m = 0;
    st = lm__rows_read(C->db, C->dir.db, &lm__rows_calibration_evaluation, 0, NULL, &evs, &n_e,
                       err);
    if (st == LM_OK)
        st = lm__rows_read(C->db, C->dir.db, &lm__rows_calibration_value, 0, NULL, &vals, &n_v,
                           err);
    if (st == LM_OK)
        st = lm__rows_read(C->db, C->dir.db, &lm__rows_calibration_moment, 0, NULL, &moms, &n_m,
                           err);
    const evaluation_row *e = evs;
    size_t n_ok = 0; /* evaluations 1..n_ok present */
    while (st == LM_OK && n_ok < n_e && e[n_ok].evaluation == (int64_t)n_ok + 1)
        ++n_ok;
    const size_t nr = (size_t)C->runs * (size_t)C->nt, np = (size_t)C->np;
    double *x = st == LM_OK ? malloc((n_ok ? n_ok : 1) * (np ? np : 1) * sizeof *x) : NULL;
    double *rows = st == LM_OK ? malloc((n_ok ? n_ok : 1) * (nr ? nr : 1) * sizeof *rows) : NULL;
    if (st == LM_OK && (!x || !rows))
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "cached evaluations");
    for (size_t i = 0; st == LM_OK && i < n_ok * np; ++i)
        x[i] = NAN;
    for (size_t i = 0; st == LM_OK && i < n_ok * nr; ++i)
        rows[i] = NAN;
    const value_row *v = vals;
    for (size_t i = 0; st == LM_OK && i < n_v; ++i)
        if (v[i].evaluation >= 1 && (size_t)v[i].evaluation <= n_ok && v[i].param >= 0 &&
            v[i].param < C->np)
            x[(size_t)(v[i].evaluation - 1) * np + (size_t)v[i].param] = v[i].value;
    const moment_row *m = moms;
    for (size_t i = 0; st == LM_OK && i < n_m; ++i)
        if (m[i].evaluation >= 1 && (size_t)m[i].evaluation <= n_ok && m[i].target >= 0 &&
            m[i].target < C->nt && m[i].replication >= 0 && m[i].replication < C->runs)
            rows[(size_t)(m[i].evaluation - 1) * nr + (size_t)m[i].replication * (size_t)C->nt +
                 (size_t)m[i].target] = m[i].value;
    for (size_t k = 0; st == LM_OK && k < n_ok; ++k) {
        const char *sname = e[k].stage;
        const int stage = !sname                           ? 0
                          : strcmp(sname, "jacobian") == 0 ? 2
                                                           : strcmp(sname, "local") == 0;
        const double f = lm__cal_objective(C->t, rows + k * nr, C->runs, NULL);
        st = push_eval(C, x + k * np, rows + k * nr, f, stage, err);
    }
    if (st == LM_OK && n_ok < n_e)
        st = lm_error_set_at(err, LM_EINVAL, C->dir.db, 0, 0, NULL,
                             "--resume: evaluation %d is missing in %s; use --force",
                             C->n_ev + 1, C->dir.db);
    C->n_cached = C->n_ev;
    free(x);
    free(rows);
    lm__rows_free(&lm__rows_calibration_evaluation, evs, n_e);
    lm__rows_free(&lm__rows_calibration_value, vals, n_v);
    lm__rows_free(&lm__rows_calibration_moment, moms, n_m);
    return st;
}

/* One evaluation, durably, in its own transaction. */
static lm_status store_eval(cal *C, int k, const eval_rec *e, lm_error *err)
{
    const size_t nr = (size_t)C->runs * (size_t)C->nt;
    value_row *v = calloc((size_t)(C->np > 0 ? C->np : 1), sizeof *v);
    moment_row *m = calloc(nr ? nr : 1, sizeof *m);
    if (!v || !m) {
        free(v);
        free(m);
        LM_FAIL(err, LM_ENOMEM, "calibration evaluation");
    }
    const evaluation_row ev = {.evaluation = k, .stage = stage_name(e->stage),
                               .objective = e->objective};
    for (int j = 0; j < C->np; ++j)
        v[j] = (value_row){.evaluation = k, .param = j, .value = e->x[j]};
    for (int i = 0; i < C->runs; ++i)
        for (int j = 0; j < C->nt; ++j) {
            const size_t r = (size_t)i * (size_t)C->nt + (size_t)j;
            m[r] = (moment_row){.evaluation = k, .target = j, .replication = i,
                                .value = e->rows[r]};
        }
    lm_status st = exec(C, "BEGIN IMMEDIATE", err);
    if (st == LM_OK)
        st = insert(C, &lm__rows_calibration_evaluation, &ev, 1, err);
    if (st == LM_OK)
        st = insert(C, &lm__rows_calibration_value, v, (size_t)C->np, err);
    if (st == LM_OK)
        st = insert(C, &lm__rows_calibration_moment, m, nr, err);
    st = lm__db_end(C->db, C->dir.db, st, err);
    free(v);
    free(m);
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
            st = lm_error_set_at(&C->err, LM_EINVAL, C->dir.db, 0, 0, NULL,
                                 "--resume: evaluation %d in %s is not the point this "
                                 "calibration asks for (another NLopt version?); use --force",
                                 k, C->dir.db);
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
        summary_db_row *r = calloc((size_t)(C->nt > 0 ? C->nt : 1), sizeof *r);
        if (!r)
            st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "calibration summary");
        for (int j = 0; r && j < C->nt; ++j)
            r[j] = (summary_db_row){.target = j, .name = t->targets[j].name,
                                    .value = t->targets[j].value, .mean = s[j].mean,
                                    .p05 = s[j].p05, .p95 = s[j].p95,
                                    .replications = s[j].used, .distance = s[j].d,
                                    .within = s[j].within};
        /* the parameters are rewritten with their best values, in the same transaction */
        if (st == LM_OK)
            st = exec(C, "BEGIN IMMEDIATE; DELETE FROM calibration_summary;"
                         " DELETE FROM calibration_parameter;", err);
        if (st == LM_OK)
            st = insert_parameters(C, B->x, err);
        if (st == LM_OK)
            st = insert(C, &lm__rows_calibration_summary, r, (size_t)C->nt, err);
        st = lm__db_end(C->db, C->dir.db, st, err);
        free(r);
    }

    lm__out o;
    const char *dir = C->dir.partial;
    if (st == LM_OK && (st = lm__out_open(&o, dir, "trace.csv", err)) == LM_OK) {
        FILE *f = o.f;
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
        st = lm__out_close(&o, st, NULL, err);
    }
    if (st == LM_OK && (st = lm__out_open(&o, dir, "moments.csv", err)) == LM_OK) {
        FILE *f = o.f;
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
        st = lm__out_close(&o, st, NULL, err);
    }
    /* parameters.csv and jacobian.csv: the fitted values, their standard errors and what
       identifies them */
    if (st == LM_OK && se.jac) {
        if ((st = lm__out_open(&o, dir, "parameters.csv", err)) == LM_OK) {
            FILE *f = o.f;
            fprintf(f, "parameter,value,standard_error,lo,hi,scale,identified,moved_by\n");
            for (int j = 0; j < C->np; ++j) {
                const lm__cal_param *p = &t->params[j];
                fprintf(f, "%s,%.10g,", p->name, B->x[j]);
                if (!isnan(se.se[j]))
                    fprintf(f, "%.6g", se.se[j]);
                fprintf(f, ",%.10g,%.10g,%s,%s,%s\n", p->lo, p->hi, p->log ? "log" : "linear",
                        se.identified[j] ? "yes" : "no", se.moved_by[j]);
            }
            st = lm__out_close(&o, st, NULL, err);
        }
        if (st == LM_OK && (st = lm__out_open(&o, dir, "jacobian.csv", err)) == LM_OK) {
            FILE *f = o.f;
            fprintf(f, "target,use,parameter,derivative,shift_sd\n");
            for (int i = 0; i < C->nt; ++i)
                for (int j = 0; j < C->np; ++j)
                    fprintf(f, "%s,%s,%s,%.6g,%.6g\n", t->targets[i].name,
                            t->targets[i].check ? "check" : "fit", t->params[j].name,
                            se.jac[(size_t)i * (size_t)C->np + (size_t)j],
                            se.shift[(size_t)i * (size_t)C->np + (size_t)j]);
            st = lm__out_close(&o, st, NULL, err);
        }
    }
    /* the table: summary.txt and the terminal */
    if (st == LM_OK && (st = lm__out_open(&o, dir, "summary.txt", err)) == LM_OK) {
        FILE *f = o.f;
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
        char *buf;
        const char **cells = lm__table_cells((size_t)(pr * pc + tr * tc), CELL, &buf);
        if (!cells) {
            lm__out_close(&o, LM_ENOMEM, NULL, err);
            free(s);
            lm__cal_se_free(&se);
            LM_FAIL(err, LM_ENOMEM, "summary table");
        }
#define CELLP(r, c) (buf + ((size_t)(r) * pc + (c)) * CELL)
        static const char *const p_head[] = {"parameter", "lo", "hi", "start", "fitted", "s.e.",
                                             "moved by"};
        for (int c = 0; c < pc; ++c)
            snprintf(CELLP(0, c), CELL, "%s", p_head[c]);
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
        static const char *const t_head[] = {"target",   "value",   "simulated", "90% interval",
                                             "distance", "within"};
        for (int c = 0; c < tc; ++c)
            snprintf(CELLT(0, c), CELL, "%s", t_head[c]);
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
        free(cells);
        st = lm__out_close(&o, st, &res->summary, err);
    }
    if (st == LM_OK && (st = lm__out_open(&o, dir, "calibrated.yaml", err)) == LM_OK) {
        FILE *f = o.f;
        char rel[PATH_BUF + 64];
        relative_path(dir, C->scenario_path, rel, sizeof rel);
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
        st = lm__out_close(&o, st, NULL, err);
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
    C.dir.lock = -1;
    C.cfg = cfg;
    C.t0 = lm__now_s();
    C.best = NAN;
    C.jac_base = -1;
    C.runs = cfg->x.runs;
    C.budget = cfg->budget;
    C.scenario_path = job->scenario_path ? job->scenario_path : lm_default_scenario_path();
    lm_status st = lm_targets_load(cfg->targets_path, &C.t, err);
    if (st == LM_OK)
        st = lm__xp_load(job, C.scenario_path, NULL, &C.sc, err);
    if (st == LM_OK) {
        C.np = C.t->n_params;
        C.nt = C.t->n_targets;
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
    st = lm__xp_dir_open(&C.dir, job, C.sc, "scenario", C.seed, "-calibrate", cfg->x.resume,
                         "calibration", err);
    snprintf(res->out_dir, sizeof res->out_dir, "%s", C.dir.final);
    st = lm__par_agree(st, err);
    if (st != LM_OK)
        goto out;
    /* rank 0 opens (creating) the database and reads the cache; then the other ranks read
     * it too (only rank 0 writes) */
    for (int pass = 0; pass < 2; ++pass) {
        const bool writer = lm__par_rank() == 0;
        if (writer == (pass == 0)) {
            st = lm__db_open(C.dir.db,
                             writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                    : SQLITE_OPEN_READONLY,
                             writer, &C.db, err);
            if (st == LM_OK && writer) { /* the tables all at once, or none */
                st = exec(&C, "BEGIN IMMEDIATE", err);
                if (st == LM_OK)
                    st = create_tables(&C, err);
                st = lm__db_end(C.db, C.dir.db, st, err);
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
        lm_error_set_at(err, LM_EINTR, C.dir.partial, 0, 0, NULL,
                        "interrupted: %d evaluations are kept in %s; the same command with "
                        "--resume carries on",
                        C.calls, C.dir.partial);
        goto out;
    }
    if (st == LM_OK && C.calls < C.n_ev)
        st = lm_error_set_at(err, LM_EINVAL, C.dir.db, 0, 0, NULL,
                             "--resume: %s holds %d evaluations, but this calibration ended "
                             "after %d; use --force to start over",
                             C.dir.db, C.n_ev, C.calls);
    if (st == LM_OK && C.n_ev == 0)
        st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__, "calibrate: no evaluation ran");
    /* the calls are fewer than the evaluations kept only if NLopt asked for other points */
    if (st == LM_OK)
        st = write_outputs(&C, res, err);
out:
    if (C.db)
        sqlite3_close(C.db);
    st = lm__xp_dir_close(&C.dir, st, C.n_ev > 0, job, err);
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
