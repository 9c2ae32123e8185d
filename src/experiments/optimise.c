/* src/experiments/optimise.c -- `longmen optimise` (include/longmen/optimise.h): the levers
 * file turned into scenario edits, each candidate mix simulated R times in memory with common
 * random numbers (evaluate.h), the search of optimise_core.c, a durable evaluation cache, and
 * the outputs. docs/experiments.md ("optimise").
 *
 * What a mix is worth: the mean over its R replications of the objective metric of the
 * region (longmen/metrics.h), computed from the simulation's rows by the same function that
 * computes it from a job's database (metrics.c); its cost: the region's public money
 * (LM_METRIC_PUBLIC) divided by the years of the policy era: from the first month any
 * policy of the scenario starts (not before the period) to the end, so that a spin-up
 * without policies (three-capitals' 2005-2014) does not dilute the annual cost.
 *
 * Durability and --resume: every evaluation is committed to DIR.partial/results.sqlite in
 * its own transaction as soon as it ends (optimise_evaluation, optimise_value,
 * optimise_replication). A resumed job loads them into a cache keyed by (draw, mix); the
 * search, being deterministic, asks for the same mixes in the same order, gets the cached
 * ones back without simulating, and carries on from the first missing one, so it ends exactly
 * as an uninterrupted job. The cache is valid while the scenario text, the levers file, the
 * region, the objective, the seed, R, the period and the --precision rule are the same
 * (optimise_config); the budget, --evals, --robustness and the number of runner-ups may
 * change on resume.
 *
 * --precision: a mix's replications come in batches of R, in run-index order, until the 90%
 * interval of its mean objective is narrow enough or --max-runs (lm__opt_replicate); the
 * batches are the run indices one evaluation of the final count would use, so the outcome is
 * that of --runs the final count. Each mix keeps its own count (optimise_evaluation.runs):
 * mixes share the replications of their common prefix of run indices. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "experiments/evaluate.h"
#include "experiments/experiments_int.h"
#include "experiments/lifecycle.h"
#include "experiments/optimise.h"
#include "experiments/parallel.h"
#include "scenario/scenario_int.h"
#include "io/rows.h"
#include "io/store.h"
#include "io/table.h"
#include "longmen/finance.h"
#include "longmen/optimise.h"
#include "report/report_int.h"
#include "scenario/levers.h"

#define PATH_BUF 4096
/* An edit as the scenario edits take it (edits.c reads at most 255 bytes; compare's limit) */
#define EDIT_LIMIT 251
#define RUN0_STRIDE 10000u /* draw d uses run indices d * 10000 + i (LM_MAX_RUNS = 10000) */

void lm_optimise_config_init(lm_optimise_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    lm_experiment_config_init(&cfg->x);
    cfg->x.runs = 10;
    cfg->objective = "dragons";
    cfg->evals = 40;
    cfg->robustness = 5;
    cfg->runner_ups = 3;
}

int lm_optimise_objective(const char *name, char *list, size_t size)
{
#define OBJECTIVE_(id, ...) LM_METRIC_##id,
    static const lm_metric outcomes[] = {LM_METRIC_OUTCOMES(OBJECTIVE_)};
#undef OBJECTIVE_
    lm_metric ids[sizeof outcomes / sizeof outcomes[0]];
    int n = 0;
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; ++i)
        if (outcomes[i] != LM_METRIC_PUBLIC)
            ids[n++] = outcomes[i];
    char none[1];
    const int k = lm__metric_pick(name ? name : "", ids, n, list ? list : none, list ? size : 1,
                                  " or ");
    return k < 0 ? -1 : (int)ids[k];
}

/* A lever's value: 1.2bn, 350m, 0.25. */
static void fmt_value(double v, char *buf, size_t size)
{
    if (fabs(v) >= 1e9)
        snprintf(buf, size, "%.4gbn", v / 1e9);
    else if (fabs(v) >= 1e6)
        snprintf(buf, size, "%.4gm", v / 1e6);
    else
        snprintf(buf, size, "%.4g", v);
}

/* ---- the job's state ---- */

typedef struct cache_entry {
    int draw;
    char *key; /* the mix, "%.17g" values joined by ',' */
    lm__opt_outcome out;
    int eval_id;
} cache_entry;

typedef struct job {
    const lm_optimise_config *cfg;
    const lm__levers *lv;
    const char *scenario_path;
    char region[LM_LEVER_NAME_LEN];
    int region_index;
    int objective;
    uint64_t seed;
    int runs;            /* the first batch (--runs) */
    lm__opt_rule rule;   /* --precision: how many more */
    int32_t start, end;
    double years;
    double budget; /* CNY a year: --budget, or its total over `years` */
    lm__opt_lever opt[LM_LEVERS_MAX];
    double option_cost[LM_LEVERS_MAX][LM_LEVER_OPTIONS_MAX];
    sqlite3 *db;    /* rank 0 only */
    lm__xp_dir dir; /* the out folder, its database dir.db */
    cache_entry *cache;
    int n_cache, cap_cache;
    int next_eval_id;
    int evals_done, resumed, planned;
    double best;
    double t0;
    int threads;         /* replications at once, within the memory limit */
    double *rows; /* rule.max_runs x LM_METRIC_COUNT, then the objective and cost of each run */
    const double *mix;   /* the mix being evaluated, and its draw */
    int draw;
} job;

static void mix_key(const job *J, const double *mix, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int j = 0; j < J->lv->n && k < size; ++j)
        k += (size_t)snprintf(buf + k, size - k, "%s%.17g", j ? "," : "", mix[j]);
}

/* The edits of mix, expanded for the region, into text[] (n_set and n_adopt of them). */
static lm_status mix_edits(const job *J, const double *mix, char (*set)[LM_LEVER_EDIT_LEN + 64],
                           int *n_set, char (*adopt)[LM_LEVER_EDIT_LEN + 64], int *n_adopt,
                           lm_error *err)
{
    *n_set = *n_adopt = 0;
    const lm__levers *lv = J->lv;
    for (int j = 0; j < lv->n; ++j) {
        const lm__lever *L = &lv->lever[j];
        char tmpl[LM_LEVER_EDIT_LEN + 64];
        if (L->kind != LM_LEVER_OPTIONS) {
            const double v = L->kind == LM_LEVER_VALUES ? L->value[(int)mix[j]] : mix[j];
            snprintf(tmpl, sizeof tmpl, "%s=%.15g", L->set, v);
            if (!lm__levers_expand(tmpl, J->region, set[*n_set], EDIT_LIMIT))
                LM_FAIL(err, LM_EINVAL, "lever %s: the edit is longer than %d characters",
                        L->name, EDIT_LIMIT - 1);
            ++*n_set;
            continue;
        }
        const lm__lever_option *O = &L->option[(int)mix[j]];
        for (int e = O->first_edit; e < O->first_edit + O->n_edits; ++e) {
            const bool is_adopt = lv->edit_is_adopt[e];
            char *dst = is_adopt ? adopt[*n_adopt] : set[*n_set];
            if (!lm__levers_expand(lv->edit[e], J->region, dst, EDIT_LIMIT))
                LM_FAIL(err, LM_EINVAL, "lever %s: an edit is longer than %d characters",
                        L->name, EDIT_LIMIT - 1);
            ++*(is_adopt ? n_adopt : n_set);
        }
    }
    return LM_OK;
}

/* The scenario of mix (new). */
static lm_status load_mix(const job *J, const double *mix, lm_scenario **out, lm_error *err)
{
    static _Thread_local char set[LM_LEVERS_EDITS_MAX + LM_LEVERS_MAX][LM_LEVER_EDIT_LEN + 64];
    static _Thread_local char adopt[LM_LEVERS_EDITS_MAX][LM_LEVER_EDIT_LEN + 64];
    const char *sp[LM_LEVERS_EDITS_MAX + LM_LEVERS_MAX], *ap[LM_LEVERS_EDITS_MAX];
    int ns, na;
    lm_status st = mix_edits(J, mix, set, &ns, adopt, &na, err);
    if (st != LM_OK)
        return st;
    for (int i = 0; i < ns; ++i)
        sp[i] = set[i];
    for (int i = 0; i < na; ++i)
        ap[i] = adopt[i];
    const lm_scenario_edits edits = {.set = sp, .n_set = ns, .adopt = ap, .n_adopt = na};
    /* a signal stops the loading of each mix's scenario too, not only the first */
    return lm__xp_load(&J->cfg->x.job, J->scenario_path, &edits, out, err);
}

/* ---- moments of one replication ---- */

static lm_status moments(const lm_scenario *sc, const lm_sim *sim, double *out, void *user,
                         lm_error *err)
{
    (void)sc, (void)err;
    lm__metrics_of_sim(sim, *(const int *)user, out);
    return LM_OK;
}

/* ---- the database ---- */

static lm_status exec(const job *J, const char *sql, lm_error *err)
{
    return lm__db_exec(J->db, J->dir.db, sql, err);
}

/* What the evaluations depend on (the cache's identity), and the budget of the search. */
#define OPTIMISE_CONFIG_COLUMNS(X, V)                                                           \
    X(const char *, key, TEXT, ID, "scenario_yaml, levers_yaml, ..., budget_years")            \
    X(const char *, value, TEXT, ATTR, "its value")
#define LM_ROW_T config_row
LM_ROW_DECLARE(const, lm__rows_optimise_config, "optimise_config", OPTIMISE_CONFIG_COLUMNS,
               .no_run_id = true, .replace = true);
#undef LM_ROW_T

/* An evaluation (a mix and a draw), its lever values and replications, written together. */
#define OPTIMISE_EVALUATION_COLUMNS(X, V)                                                       \
    X(int64_t, eval_id, INTEGER, ID, "the evaluation")                                          \
    X(int64_t, draw, INTEGER, UNIQUE, "0: the search; d: robustness draw d")                    \
    X(int64_t, run0, INTEGER, ATTR, "run index of replication 0")                               \
    X(int64_t, runs, INTEGER, ATTR, "replications")                                             \
    X(const char *, mix, TEXT, UNIQUE, "the mix, one number per lever")                         \
    X(double, objective, REAL, VALUE, "mean objective")                                         \
    X(double, objective_lo, REAL, VALUE, "its 90% interval")                                    \
    X(double, objective_hi, REAL, VALUE, "its 90% interval")                                    \
    X(double, public_cny_year, REAL, VALUE, "mean public money a year")                         \
    X(double, public_lo, REAL, VALUE, "its 90% interval")                                       \
    X(double, public_hi, REAL, VALUE, "its 90% interval")
#define LM_ROW_T evaluation_row
LM_ROW_DECLARE(const, lm__rows_optimise_evaluation, "optimise_evaluation",
               OPTIMISE_EVALUATION_COLUMNS, .no_run_id = true);
#undef LM_ROW_T
#define OPTIMISE_VALUE_COLUMNS(X, V)                                                            \
    X(int64_t, eval_id, INTEGER, KEY, "the evaluation")                                         \
    X(int64_t, lever_id, INTEGER, KEY, "the lever")                                             \
    X(double, value, REAL, ATTR, "its value, or an option's index")                             \
    X(const char *, label, TEXT, VALUE, "the option's label")
/* A replication: the outcomes of longmen/metrics.h, under their names and meanings. */
#define OPTIMISE_REPLICATION_COLUMNS(X, V)                                                      \
    X(int64_t, eval_id, INTEGER, KEY, "the evaluation")                                         \
    X(int64_t, replication, INTEGER, KEY, "0-based")                                            \
    X(int64_t, run, INTEGER, ATTR, "the run index")                                             \
    LM_METRIC_OUTCOME_COLUMNS(X)
#define LM_ROW_T value_row
LM_ROW_DECLARE(const, lm__rows_optimise_value, "optimise_value", OPTIMISE_VALUE_COLUMNS,
               .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T replication_row
LM_ROW_DECLARE(const, lm__rows_optimise_replication, "optimise_replication",
               OPTIMISE_REPLICATION_COLUMNS, .no_run_id = true);
#undef LM_ROW_T

/* The levers and the ranked mixes, written whole when the search ends. */
#define OPTIMISE_LEVER_COLUMNS(X, V)                                                            \
    X(int64_t, lever_id, INTEGER, ID, "0-based, file order")                                    \
    X(const char *, name, TEXT, ATTR, "the lever's name")                                       \
    X(const char *, kind, TEXT, ATTR, "continuous, values or options")                          \
    X(const char *, edit, TEXT, VALUE, "the edit's left side, region filled in")                \
    X(double, lo, REAL, VALUE, "least value (continuous)")                                      \
    X(double, hi, REAL, VALUE, "greatest value (continuous)")                                   \
    X(const char *, options, TEXT, VALUE, "values or labels, comma-separated")
#define OPTIMISE_MIX_COLUMNS(X, V)                                                              \
    X(int64_t, rank, INTEGER, ID, "1 = the best mix, then the runner-ups")                      \
    X(int64_t, eval_id, INTEGER, ATTR, "its search evaluation")                                 \
    X(double, objective, REAL, VALUE, "as in optimise_evaluation")                              \
    X(double, objective_lo, REAL, VALUE, "its 90% interval")                                    \
    X(double, objective_hi, REAL, VALUE, "its 90% interval")                                    \
    X(double, public_cny_year, REAL, VALUE, "public money a year")                              \
    X(double, public_lo, REAL, VALUE, "its 90% interval")                                       \
    X(double, public_hi, REAL, VALUE, "its 90% interval")                                       \
    X(double, apriori_cny_year, REAL, VALUE, "the a-priori cost the levers file declares")      \
    X(int64_t, draws, INTEGER, VALUE, "robustness draws made")                                  \
    X(int64_t, wins, INTEGER, VALUE, "draws this mix won")                                      \
    X(int64_t, feasible_draws, INTEGER, VALUE, "draws within the budget")                       \
    X(double, fresh_objective, REAL, VALUE, "mean over the fresh draws")                        \
    X(double, fresh_lo, REAL, VALUE, "its 90% interval")                                        \
    X(double, fresh_hi, REAL, VALUE, "its 90% interval")                                        \
    X(const char *, edits, TEXT, VALUE, "lever=value for every lever")
#define LM_ROW_T lever_row
LM_ROW_DECLARE(const, lm__rows_optimise_lever, "optimise_lever", OPTIMISE_LEVER_COLUMNS,
               .no_run_id = true);
#undef LM_ROW_T
#define LM_ROW_T mix_row
LM_ROW_DECLARE(const, lm__rows_optimise_mix, "optimise_mix", OPTIMISE_MIX_COLUMNS,
               .no_run_id = true);
#undef LM_ROW_T

/* The identity of the cache: what an evaluation's outcome depends on. */
typedef struct fingerprint {
    const char *key;
    char value[64];
    const char *text;   /* long values */
    const char *legacy; /* the value a database written before the key existed implies */
} fingerprint;

static int fingerprints(const job *J, const lm_scenario *base, fingerprint *f)
{
    char a[16], b[16];
    f[0] = (fingerprint){.key = "scenario_yaml", .text = lm_scenario_text(base)};
    f[1] = (fingerprint){.key = "levers_yaml", .text = J->lv->text};
    f[2] = (fingerprint){.key = "region", .text = J->region};
    f[3] = (fingerprint){.key = "objective", .text = lm_metric_name(J->objective)};
    f[4] = (fingerprint){.key = "seed"};
    snprintf(f[4].value, sizeof f[4].value, "%llu", (unsigned long long)J->seed);
    f[5] = (fingerprint){.key = "runs"};
    snprintf(f[5].value, sizeof f[5].value, "%d", J->runs);
    f[6] = (fingerprint){.key = "period"};
    snprintf(f[6].value, sizeof f[6].value, "%s..%s", lm_month_format(J->start, a),
             lm_month_format(J->end, b));
    /* an evaluation's runs, so its outcome, depend on the rule */
    f[7] = (fingerprint){.key = "precision", .legacy = "none", .value = "none"};
    if (J->rule.half > 0)
        snprintf(f[7].value, sizeof f[7].value, "%.17g max %d", J->rule.half, J->rule.max_runs);
    return 8;
}

static lm_status open_db(job *J, const lm_scenario *base, bool resume, lm_error *err)
{
    /* a reader (sqlite3 on the partial database while the search runs) only delays a commit */
    lm_status st =
        lm__db_open(J->dir.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, true, &J->db, err);
    if (st != LM_OK)
        return st;
    const lm_row_table *const declared[] = {
        &lm__rows_schema,         &lm__rows_optimise_config,      &lm__rows_optimise_evaluation,
        &lm__rows_optimise_value, &lm__rows_optimise_replication, &lm__rows_optimise_lever,
        &lm__rows_optimise_mix};
    for (size_t k = 0; st == LM_OK && k < sizeof declared / sizeof *declared; ++k)
        st = lm__rows_create(J->db, J->dir.db, declared[k], true, err);
    /* the layout version, as in every results database (docs/output.md) */
    if (st == LM_OK && (st = exec(J, "BEGIN", err)) == LM_OK)
        st = lm__db_end(J->db, J->dir.db, lm__rows_version(J->db, J->dir.db, &lm__rows_schema, err),
                        err);
    config_row *have = NULL, want[12];
    size_t n_have = 0;
    if (st == LM_OK)
        st = lm__rows_read(J->db, J->dir.db, &lm__rows_optimise_config, 0, NULL,
                           (void **)&have, &n_have, err);
    fingerprint f[12];
    const int nf = fingerprints(J, base, f);
    int found = 0, legacy = 0;
    for (int i = 0; i < nf && st == LM_OK; ++i) {
        want[i] = (config_row){f[i].key, f[i].text ? f[i].text : f[i].value};
        const char *v = NULL;
        for (size_t k = 0; k < n_have && !v; ++k)
            if (strcmp(have[k].key, f[i].key) == 0)
                v = have[k].value;
        if (v || (found > 0 && f[i].legacy)) {
            found += v != NULL;
            legacy += !v;
            if (strcmp(v ? v : f[i].legacy, want[i].value) != 0)
                st = lm_error_set_at(err, LM_EINVAL, J->dir.db, 0, 0, NULL,
                                     "--resume: %s holds a search with another %s; use --force "
                                     "to start over",
                                     J->dir.db, f[i].key);
        }
    }
    lm__rows_free(&lm__rows_optimise_config, have, n_have);
    (void)resume;
    if (st != LM_OK || found + legacy == nf)
        return st;
    /* a fresh database (or one whose first commit never happened) */
    if ((st = exec(J, "BEGIN", err)) != LM_OK)
        return st;
    return lm__db_end(J->db, J->dir.db,
                      lm__rows_insert(J->db, J->dir.db, &lm__rows_optimise_config, 0, NULL, want,
                                      (size_t)nf, err),
                      err);
}

static lm_status cache_add(job *J, int draw, const char *key, const lm__opt_outcome *o,
                           int eval_id, lm_error *err)
{
    if (J->n_cache == J->cap_cache) {
        const int cap = J->cap_cache ? 2 * J->cap_cache : 64;
        cache_entry *c = realloc(J->cache, (size_t)cap * sizeof *c);
        if (!c)
            LM_FAIL(err, LM_ENOMEM, "evaluation cache");
        J->cache = c;
        J->cap_cache = cap;
    }
    char *k = strdup(key);
    if (!k)
        LM_FAIL(err, LM_ENOMEM, "evaluation cache");
    J->cache[J->n_cache++] = (cache_entry){.draw = draw, .key = k, .out = *o, .eval_id = eval_id};
    if (eval_id >= J->next_eval_id)
        J->next_eval_id = eval_id + 1;
    return LM_OK;
}

static lm_status load_cache(job *J, lm_error *err)
{
    sqlite3 *db = NULL;
    if (access(J->dir.db, F_OK) != 0)
        return LM_OK;
    lm_status st = lm__db_open(J->dir.db, SQLITE_OPEN_READONLY, false, &db, err);
    if (st != LM_OK)
        return st;
    evaluation_row *ev = NULL;
    size_t n = 0;
    st = lm__rows_read(db, J->dir.db, &lm__rows_optimise_evaluation, 0, NULL,
                                 (void **)&ev, &n, err);
    for (size_t i = 0; st == LM_OK && i < n; ++i) {
        const lm__opt_outcome o = {.objective = ev[i].objective,
                                   .objective_lo = ev[i].objective_lo,
                                   .objective_hi = ev[i].objective_hi,
                                   .cost = ev[i].public_cny_year,
                                   .cost_lo = ev[i].public_lo,
                                   .cost_hi = ev[i].public_hi,
                                   .runs = (int)ev[i].runs};
        st = cache_add(J, (int)ev[i].draw, ev[i].mix ? ev[i].mix : "", &o, (int)ev[i].eval_id,
                       err);
    }
    lm__rows_free(&lm__rows_optimise_evaluation, ev, n);
    sqlite3_close(db);
    return st;
}

static lm_status store_eval(job *J, int eval_id, int draw, const char *key, const double *mix,
                            const lm__opt_outcome *o, lm_error *err)
{
    if (!J->db)
        return LM_OK;
    const evaluation_row ev = {eval_id,        draw,           (int64_t)draw * RUN0_STRIDE,
                               o->runs,        key,            o->objective,
                               o->objective_lo, o->objective_hi, o->cost,
                               o->cost_lo,     o->cost_hi};
    lm_status rc = exec(J, "BEGIN", err);
    value_row values[LM_LEVERS_MAX];
    const int n_levers = J->lv->n < LM_LEVERS_MAX ? J->lv->n : LM_LEVERS_MAX;
    for (int j = 0; j < n_levers; ++j) {
        const lm__lever *L = &J->lv->lever[j];
        values[j] = (value_row){
            eval_id, j, L->kind == LM_LEVER_VALUES ? L->value[(int)mix[j]] : mix[j],
            L->kind == LM_LEVER_OPTIONS ? L->option[(int)mix[j]].label : NULL};
    }
    replication_row *reps = calloc(o->runs > 0 ? (size_t)o->runs : 1, sizeof *reps);
    for (int i = 0; reps && i < o->runs; ++i) {
        const double *m = &J->rows[(size_t)i * LM_METRIC_COUNT];
#define OPTIMISE_METRIC_FIELD_(id, name, ...) .name = m[LM_METRIC_##id],
        reps[i] = (replication_row){.eval_id = eval_id, .replication = i,
                                    .run = (int64_t)draw * RUN0_STRIDE + i,
                                    LM_METRIC_OUTCOMES(OPTIMISE_METRIC_FIELD_)};
    }
    if (rc == LM_OK && !reps)
        rc = lm_error_set_at(err, LM_ENOMEM, J->dir.db, 0, 0, NULL,
                             "%s: no memory for replication rows", J->dir.db);
    if (rc == LM_OK)
        rc = lm__rows_insert(J->db, J->dir.db, &lm__rows_optimise_evaluation, 0, NULL, &ev, 1,
                             err);
    if (rc == LM_OK)
        rc = lm__rows_insert(J->db, J->dir.db, &lm__rows_optimise_value, 0, NULL, values,
                             (size_t)n_levers, err);
    if (rc == LM_OK)
        rc = lm__rows_insert(J->db, J->dir.db, &lm__rows_optimise_replication, 0, NULL, reps,
                             (size_t)o->runs, err);
    free(reps);
    return lm__db_end(J->db, J->dir.db, rc, err);
}

/* ---- the objective of the search ---- */

static void report(job *J, bool robustness)
{
    const lm_optimise_config *cfg = J->cfg;
    if (!cfg->progress || cfg->x.job.quiet || lm__par_rank() != 0)
        return;
    const lm_optimise_progress p = {.evals_done = J->evals_done,
                                    .evals_planned = J->planned,
                                    .resumed = J->resumed,
                                    .robustness = robustness,
                                    .best = J->best,
                                    .elapsed_s = lm__now_s() - J->t0};
    cfg->progress(&p, cfg->progress_user);
}

/* Replications first .. first+n-1 of J->mix on J->draw: run indices draw * 10000 + i, the
 * ones a single evaluation of more runs would give them. */
static lm_status evaluate_batch(int first, int n, double *objective, void *user, lm_error *err)
{
    job *J = user;
    lm_scenario *sc = NULL;
    lm_status st = load_mix(J, J->mix, &sc, err);
    if (st != LM_OK)
        return st;
    const lm__eval_config ec = {.seed = J->seed,
                                .runs = n,
                                .run0 = (uint32_t)J->draw * RUN0_STRIDE + (uint32_t)first,
                                .threads = J->threads,
                                .n_moments = LM_METRIC_COUNT,
                                .moments = moments,
                                .user = &J->region_index,
                                .stop_flag = J->cfg->x.job.stop_flag};
    double *rows = J->rows + (size_t)first * LM_METRIC_COUNT;
    st = lm__evaluate(sc, &ec, rows, err);
    lm_scenario_free(sc);
    for (int i = 0; st == LM_OK && i < n; ++i)
        objective[first + i] = rows[(size_t)i * LM_METRIC_COUNT + (size_t)J->objective];
    return st;
}

static lm_status evaluate_mix(const double *mix, int draw, lm__opt_outcome *out, void *user,
                              lm_error *err)
{
    job *J = user;
    char key[LM_LEVERS_MAX * 32];
    mix_key(J, mix, key, sizeof key);
    for (int k = 0; k < J->n_cache; ++k)
        if (J->cache[k].draw == draw && strcmp(J->cache[k].key, key) == 0) {
            *out = J->cache[k].out;
            ++J->evals_done;
            ++J->resumed;
            if (draw == 0 && isfinite(out->objective) && out->cost <= J->budget &&
                (isnan(J->best) || out->objective > J->best))
                J->best = out->objective;
            report(J, draw > 0);
            return LM_OK;
        }
    if (J->cfg->x.job.stop_flag && *J->cfg->x.job.stop_flag)
        return lm_error_set(err, LM_EINTR, __FILE__, __LINE__, "interrupted");
    J->mix = mix;
    J->draw = draw;
    int runs = 0;
    double *obj = J->rows + (size_t)J->rule.max_runs * LM_METRIC_COUNT,
           *pub = obj + J->rule.max_runs;
    lm_status st = lm__opt_replicate(&J->rule, evaluate_batch, J, obj, &runs, err);
    if (st != LM_OK)
        return st;
    for (int i = 0; i < runs; ++i)
        pub[i] = J->rows[(size_t)i * LM_METRIC_COUNT + LM_METRIC_PUBLIC] / J->years;
    out->objective = lm_stats_mean_ci90(obj, (size_t)runs, &out->objective_lo,
                                        &out->objective_hi, NULL);
    out->cost = lm_stats_mean_ci90(pub, (size_t)runs, &out->cost_lo, &out->cost_hi, NULL);
    out->runs = runs;
    const int id = J->next_eval_id;
    st = store_eval(J, id, draw, key, mix, out, err);
    if (st == LM_OK)
        lm__pause_point("evaluation", id, J->cfg->x.job.stop_flag);
    if (st == LM_OK)
        st = cache_add(J, draw, key, out, id, err);
    if (st != LM_OK)
        return st;
    ++J->evals_done;
    if (draw == 0 && isfinite(out->objective) && out->cost <= J->budget &&
        (isnan(J->best) || out->objective > J->best))
        J->best = out->objective;
    report(J, draw > 0);
    return LM_OK;
}

/* ---- checks before the search ---- */

/* Each lever at each end of its range (every value, every option), the others at their
 * start: an edit that does not fit the scenario is reported at the lever. */
static lm_status check_levers(job *J, lm_error *err)
{
    const lm__levers *lv = J->lv;
    double mix[LM_LEVERS_MAX];
    for (int j = 0; j < lv->n; ++j)
        mix[j] = J->opt[j].n_options > 0 ? 0 : lm__opt_value(&J->opt[j], isnan(J->opt[j].start) ? 0.5 : (J->opt[j].start - J->opt[j].lo) / (J->opt[j].hi - J->opt[j].lo));
    for (int j = 0; j < lv->n; ++j) {
        const lm__lever *L = &lv->lever[j];
        const int n = L->kind == LM_LEVER_CONTINUOUS ? 2 : L->n_options;
        const double keep = mix[j];
        for (int k = 0; k < n; ++k) {
            mix[j] = L->kind == LM_LEVER_CONTINUOUS ? (k == 0 ? L->lo : L->hi) : k;
            lm_scenario *sc = NULL;
            lm_error inner;
            lm_error_clear(&inner);
            lm_status st = load_mix(J, mix, &sc, &inner);
            lm_scenario_free(sc);
            if (st != LM_OK) {
                char line[1024], field[64];
                snprintf(field, sizeof field, "levers[%d]", j);
                char what[96];
                if (L->kind == LM_LEVER_OPTIONS)
                    snprintf(what, sizeof what, "option \"%s\"", L->option[k].label);
                else
                    snprintf(what, sizeof what, "%g",
                             L->kind == LM_LEVER_VALUES ? L->value[k] : mix[j]);
                return lm_error_set_at(err, st == LM_ENOMEM ? LM_ENOMEM : LM_EINVAL, lv->file,
                                       L->line, L->column, field,
                                       "lever %s at %s does not fit the scenario: %s", L->name,
                                       what, lm_error_format(&inner, line, sizeof line));
            }
        }
        mix[j] = keep;
    }
    return LM_OK;
}

/* ---- outputs ---- */

/* "name=value" of every lever of a mix, e.g. "st_fund_budget=1.2e9 talent_rule=adopt". */
static void mix_text(const job *J, const double *mix, char *buf, size_t size, const char *sep)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int j = 0; j < J->lv->n && k < size; ++j) {
        const lm__lever *L = &J->lv->lever[j];
        if (L->kind == LM_LEVER_OPTIONS)
            k += (size_t)snprintf(buf + k, size - k, "%s%s=%s", j ? sep : "", L->name,
                                  L->option[(int)mix[j]].label);
        else {
            char v[64];
            fmt_value(L->kind == LM_LEVER_VALUES ? L->value[(int)mix[j]] : mix[j], v, sizeof v);
            k += (size_t)snprintf(buf + k, size - k, "%s%s=%s", j ? sep : "", L->name, v);
        }
    }
}

static int eval_id_of(const job *J, const lm__opt_eval *E)
{
    char key[LM_LEVERS_MAX * 32];
    mix_key(J, E->mix, key, sizeof key);
    for (int k = 0; k < J->n_cache; ++k)
        if (J->cache[k].draw == E->draw && strcmp(J->cache[k].key, key) == 0)
            return J->cache[k].eval_id;
    return 0;
}

/* Per ranked mix: wins and feasible draws on the fresh draws, and its fresh mean. */
typedef struct ranked_info {
    int wins, feasible;
    double fresh, fresh_lo, fresh_hi;
} ranked_info;

static void robustness_info(const lm__opt_result *r, ranked_info *info)
{
    double means[LM_OPTIMISE_MAX_REDRAWS];
    for (int j = 0; j < r->n_ranked; ++j) {
        info[j] = (ranked_info){.fresh = NAN, .fresh_lo = NAN, .fresh_hi = NAN};
        for (int d = 0; d < r->n_draws; ++d) {
            const lm__opt_eval *E = &r->evals[r->rob[d * r->n_ranked + j]];
            means[d] = E->out.objective;
            info[j].feasible += E->feasible;
            info[j].wins += lm__opt_wins_draw(r, d, j);
        }
        if (r->n_draws > 0)
            info[j].fresh = lm_stats_mean_ci90(means, (size_t)r->n_draws, &info[j].fresh_lo,
                                               &info[j].fresh_hi, NULL);
    }
}

/* A lever's row; its texts go into edit and opts, which must outlive it. */
static void lever_row_of(const job *J, int j, lever_row *row, char *edit, size_t edit_size,
                         char *opts, size_t opts_size)
{
    static const char *const kinds[] = {"continuous", "values", "options"};
    const lm__lever *L = &J->lv->lever[j];
    size_t k = 0;
    opts[0] = '\0';
    for (int o = 0; L->kind != LM_LEVER_CONTINUOUS && o < L->n_options && k < opts_size; ++o) {
        if (L->kind == LM_LEVER_VALUES)
            k += (size_t)snprintf(opts + k, opts_size - k, "%s%.15g", o ? "," : "",
                                  L->value[o]);
        else
            k += (size_t)snprintf(opts + k, opts_size - k, "%s%s", o ? "," : "",
                                  L->option[o].label);
    }
    const bool has_edit = L->kind != LM_LEVER_OPTIONS &&
                          lm__levers_expand(L->set, J->region, edit, edit_size);
    const bool continuous = L->kind == LM_LEVER_CONTINUOUS;
    *row = (lever_row){j,
                       L->name,
                       kinds[L->kind],
                       has_edit ? edit : NULL,
                       continuous ? L->lo : NAN,
                       continuous ? L->hi : NAN,
                       continuous ? NULL : opts};
}

static void mix_row_of(const job *J, const lm__opt_result *r, const ranked_info *info, int j,
                       mix_row *row, char *text, size_t text_size)
{
    const lm__opt_eval *E = &r->evals[r->ranked[j]];
    mix_text(J, E->mix, text, text_size, " ");
    *row = (mix_row){j + 1,           eval_id_of(J, E),      E->out.objective,
                     E->out.objective_lo, E->out.objective_hi, E->out.cost,
                     E->out.cost_lo,  E->out.cost_hi,        E->apriori,
                     r->n_draws,      info[j].wins,          info[j].feasible,
                     info[j].fresh,   info[j].fresh_lo,      info[j].fresh_hi,
                     text};
}

enum { OPT_TEXT = 2048, OPT_EDIT = LM_LEVER_EDIT_LEN + 64 };

static lm_status write_final_tables(job *J, const lm__opt_result *r, const ranked_info *info,
                                    lm_error *err)
{
    const size_t n_l = (size_t)J->lv->n, n_m = (size_t)r->n_ranked;
    lever_row *levers = calloc(n_l + 1, sizeof *levers);
    mix_row *mixes = calloc(n_m + 1, sizeof *mixes);
    char *texts = calloc((n_l + n_m + 1) * OPT_TEXT + (n_l + 1) * OPT_EDIT, 1);
    lm_status rc = LM_OK;
    if (!levers || !mixes || !texts)
        rc = lm_error_set_at(err, LM_ENOMEM, J->dir.db, 0, 0, NULL,
                             "%s: no memory for the optimise tables", J->dir.db);
    char *edits = texts ? texts + (n_l + n_m + 1) * OPT_TEXT : NULL;
    for (size_t j = 0; rc == LM_OK && j < n_l; ++j)
        lever_row_of(J, (int)j, &levers[j], edits + j * OPT_EDIT, OPT_EDIT, texts + j * OPT_TEXT,
                     OPT_TEXT);
    for (size_t j = 0; rc == LM_OK && j < n_m; ++j)
        mix_row_of(J, r, info, (int)j, &mixes[j], texts + (n_l + j) * OPT_TEXT, OPT_TEXT);
    if (rc == LM_OK)
        rc = exec(J, "BEGIN; DELETE FROM optimise_lever; DELETE FROM optimise_mix;", err);
    if (rc == LM_OK &&
        (rc = lm__rows_insert(J->db, J->dir.db, &lm__rows_optimise_lever, 0, NULL, levers, n_l,
                              err)) == LM_OK)
        rc = lm__rows_insert(J->db, J->dir.db, &lm__rows_optimise_mix, 0, NULL, mixes, n_m,
                             err);
    free(levers);
    free(mixes);
    free(texts);
    if (rc != LM_OK)
        return lm__db_end(J->db, J->dir.db, rc, err);
    /* The budget of this search (not of the cache: a resume may change it) for the report,
     * which `longmen report DIR` writes again from the database alone; budget_given: the
     * report says a total was asked for as a total. */
    char budget[32], years[32];
    snprintf(budget, sizeof budget, "%.17g", J->budget);
    snprintf(years, sizeof years, "%.17g", J->years);
    const config_row config[] = {{"budget_cny_year", budget},
                                 {"budget_given", J->cfg->budget_cny_total > 0 ? "total" : "year"},
                                 {"budget_years", years}};
    rc = lm__rows_insert(J->db, J->dir.db, &lm__rows_optimise_config, 0, NULL, config, 3, err);
    return lm__db_end(J->db, J->dir.db, rc, err);
}

/* optimise.csv: every search evaluation (draw 0), in the order made, with its rank. */
static lm_status write_csv(const job *J, const lm__opt_result *r, const char *dir, lm_error *err)
{
    lm__out o;
    if (lm__out_open(&o, dir, "optimise.csv", err) != LM_OK)
        return LM_ENOMEM;
    FILE *f = o.f;
    fprintf(f, "eval_id,rank");
    for (int j = 0; j < J->lv->n; ++j) {
        fputc(',', f);
        lm__csv_text(f, J->lv->lever[j].name);
    }
    fprintf(f, ",%s_mean,%s_lo90,%s_hi90,public_cny_year_mean,public_cny_year_lo90,"
               "public_cny_year_hi90,apriori_cny_year,feasible\n",
            lm_metric_name(J->objective), lm_metric_name(J->objective),
            lm_metric_name(J->objective));
    for (int k = 0; k < r->n_evals; ++k) {
        const lm__opt_eval *E = &r->evals[k];
        if (E->draw != 0)
            continue;
        int rank = 0;
        for (int j = 0; j < r->n_ranked; ++j)
            if (r->ranked[j] == k)
                rank = j + 1;
        fprintf(f, "%d,", eval_id_of(J, E));
        if (rank)
            fprintf(f, "%d", rank);
        for (int j = 0; j < J->lv->n; ++j) {
            const lm__lever *L = &J->lv->lever[j];
            fputc(',', f);
            if (L->kind == LM_LEVER_OPTIONS)
                lm__csv_text(f, L->option[(int)E->mix[j]].label);
            else
                fprintf(f, "%.15g",
                        L->kind == LM_LEVER_VALUES ? L->value[(int)E->mix[j]] : E->mix[j]);
        }
        fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%d\n", E->out.objective,
                E->out.objective_lo, E->out.objective_hi, E->out.cost, E->out.cost_lo,
                E->out.cost_hi, E->apriori, E->feasible ? 1 : 0);
    }
    return lm__out_close(&o, LM_OK, NULL, err);
}

static void fmt_num(double v, char *buf, size_t size, bool money)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else if (money)
        snprintf(buf, size, "%.3g bn", v / 1e9);
    else if (fabs(v) >= 1000)
        lm__format_count((int64_t)llround(v), buf, size);
    else
        snprintf(buf, size, "%.1f", v);
}

static void fmt_ci(double m, double lo, double hi, char *buf, size_t size, bool money)
{
    char a[48], b[48], c[48];
    fmt_num(m, a, sizeof a, money);
    fmt_num(lo, b, sizeof b, money);
    fmt_num(hi, c, sizeof c, money);
    if (money) /* "1.2 bn [1.1, 1.3]" */
        snprintf(buf, size, "%s [%.*s, %.*s]", a, (int)(strlen(b) > 3 ? strlen(b) - 3 : strlen(b)),
                 b, (int)(strlen(c) > 3 ? strlen(c) - 3 : strlen(c)), c);
    else
        snprintf(buf, size, "%s [%s, %s]", a, b, c);
}

static lm_status write_summary(FILE *f, const job *J, const lm_scenario *base,
                               const lm__opt_result *r, const ranked_info *info, lm_error *err)
{
    const lm_optimise_config *cfg = J->cfg;
    char from[16], to[16];
    lm_month_format(J->start, from);
    lm_month_format(J->end, to);
    const char *title = lm__metric_title(J->objective);
    fprintf(f, "%s  seed %llu  optimise %s of %s under %.4g bn CNY a year", lm_scenario_name(base),
            (unsigned long long)J->seed, title, J->region, J->budget / 1e9);
    if (cfg->budget_cny_total > 0)
        fprintf(f, " (--budget %.4g bn in total over the %.4g years of the policy era)",
                cfg->budget_cny_total / 1e9, J->years);
    else
        fprintf(f, " (%.4g bn in total over the %.4g years of the policy era)",
                J->budget * J->years / 1e9, J->years);
    fputc('\n', f);
    const bool until = J->rule.half > 0;
    char runs[96];
    if (until)
        snprintf(runs, sizeof runs, "%d to %d runs", J->runs, J->rule.max_runs);
    else
        snprintf(runs, sizeof runs, "%d run%s", J->runs, J->runs == 1 ? "" : "s");
    fprintf(f, "%d lever%s (%d discrete combination%s, %d pruned a priori, %d refined by COBYLA); "
               "%d search evaluation%s x %s, %s to %s (%d months)\n",
            J->lv->n, J->lv->n == 1 ? "" : "s", r->n_combos, r->n_combos == 1 ? "" : "s",
            r->n_pruned, r->n_local, r->n_search, r->n_search == 1 ? "" : "s", runs, from, to,
            (int)(J->end - J->start + 1));
    if (until) {
        int total = 0;
        for (int k = 0; k < r->n_evals; ++k)
            total += r->evals[k].out.runs;
        fprintf(f, "precision %s: batches of %d runs per mix until the 90%% half-width of its "
                   "mean is at most %.4g, or %d runs; %d runs over %d evaluations\n",
                lm_metric_name(J->objective), J->runs, J->rule.half, J->rule.max_runs, total,
                r->n_evals);
    }
    fputc('\n', f);
    if (r->n_ranked == 0) {
        double cheapest = INFINITY;
        for (int k = 0; k < r->n_evals; ++k)
            if (r->evals[k].draw == 0 && r->evals[k].out.cost < cheapest)
                cheapest = r->evals[k].out.cost;
        fprintf(f, "No evaluated mix keeps the budget: the cheapest cost %.4g bn CNY a year "
                   "(simulated mean public money of %s). Raise --budget or widen the levers.\n",
                cheapest / 1e9, J->region);
        return ferror(f) ? lm_error_set(err, LM_EIO, __FILE__, __LINE__, "summary") : LM_OK;
    }
    enum { CELL = 512 };
    const int n_lev = J->lv->n;
    const int cols = 1 + n_lev + 4 + (until ? 1 : 0);
    const int rows = 1 + r->n_ranked;
    char *text;
    const char **cells = lm__table_cells((size_t)rows * (size_t)cols, CELL, &text);
    char *align = calloc((size_t)cols + 1, 1);
    if (!cells || !align) {
        free(cells);
        free(align);
        LM_FAIL(err, LM_ENOMEM, "summary");
    }
    memset(align, 'r', (size_t)cols);
    align[0] = 'l';
    snprintf(text, CELL, "mix");
    for (int j = 0; j < n_lev; ++j)
        snprintf(text + (size_t)(1 + j) * CELL, CELL, "%s", J->lv->lever[j].name);
    snprintf(text + (size_t)(1 + n_lev) * CELL, CELL, "%s", lm_metric_name(J->objective));
    snprintf(text + (size_t)(2 + n_lev) * CELL, CELL, "public CNY/yr");
    snprintf(text + (size_t)(3 + n_lev) * CELL, CELL, "fresh %s", lm_metric_name(J->objective));
    snprintf(text + (size_t)(4 + n_lev) * CELL, CELL, "best on draws");
    if (until)
        snprintf(text + (size_t)(5 + n_lev) * CELL, CELL, "runs");
    for (int i = 0; i < r->n_ranked; ++i) {
        const lm__opt_eval *E = &r->evals[r->ranked[i]];
        char *row = text + (size_t)(i + 1) * (size_t)cols * CELL;
        snprintf(row, CELL, i == 0 ? "best" : "#%d", i + 1);
        for (int j = 0; j < n_lev; ++j) {
            const lm__lever *L = &J->lv->lever[j];
            char *c = row + (size_t)(1 + j) * CELL;
            if (L->kind == LM_LEVER_OPTIONS)
                snprintf(c, CELL, "%s", L->option[(int)E->mix[j]].label);
            else
                fmt_value(L->kind == LM_LEVER_VALUES ? L->value[(int)E->mix[j]] : E->mix[j], c,
                          CELL);
        }
        const bool money = J->objective == LM_METRIC_REVENUE;
        fmt_ci(E->out.objective, E->out.objective_lo, E->out.objective_hi,
               row + (size_t)(1 + n_lev) * CELL, CELL, money);
        fmt_ci(E->out.cost, E->out.cost_lo, E->out.cost_hi, row + (size_t)(2 + n_lev) * CELL,
               CELL, true);
        if (r->n_draws > 0) {
            fmt_ci(info[i].fresh, info[i].fresh_lo, info[i].fresh_hi,
                   row + (size_t)(3 + n_lev) * CELL, CELL, money);
            snprintf(row + (size_t)(4 + n_lev) * CELL, CELL, "%d/%d", info[i].wins, r->n_draws);
        } else {
            snprintf(row + (size_t)(3 + n_lev) * CELL, CELL, "-");
            snprintf(row + (size_t)(4 + n_lev) * CELL, CELL, "-");
        }
        if (until) { /* the search's, then the fewest and most of the fresh draws */
            int lo = INT32_MAX, hi = 0;
            for (int d = 0; d < r->n_draws; ++d) {
                const int n = r->evals[r->rob[d * r->n_ranked + i]].out.runs;
                lo = n < lo ? n : lo;
                hi = n > hi ? n : hi;
            }
            char *c = row + (size_t)(5 + n_lev) * CELL;
            if (r->n_draws == 0)
                snprintf(c, CELL, "%d", E->out.runs);
            else if (lo == hi)
                snprintf(c, CELL, "%d; fresh %d", E->out.runs, lo);
            else
                snprintf(c, CELL, "%d; fresh %d-%d", E->out.runs, lo, hi);
        }
    }
    lm__table_write(f, cells, rows, cols, align, false);
    free(cells);
    free(align);

    const lm__opt_eval *B = &r->evals[r->ranked[0]];
    char mix[2048];
    mix_text(J, B->mix, mix, sizeof mix, ", ");
    fprintf(f, "\nbest mix: %s\n", mix);
    fprintf(f, "expected %s of %s %s to %s: %.4g, 90%% interval [%.4g, %.4g] (%d runs, common "
               "random numbers)\n",
            title, J->region, from, to, B->out.objective, B->out.objective_lo,
            B->out.objective_hi, B->out.runs);
    fprintf(f, "public money of %s: %.4g bn CNY a year [%.4g, %.4g] (budget %.4g bn)\n",
            J->region, B->out.cost / 1e9, B->out.cost_lo / 1e9, B->out.cost_hi / 1e9,
            J->budget / 1e9);
    if (r->n_draws > 0) {
        fprintf(f, "on %d fresh draws of %s (run indices d x 10000 + i): %.4g, 90%% interval "
                   "[%.4g, %.4g]\n",
                r->n_draws, runs, r->fresh_mean, r->fresh_lo, r->fresh_hi);
        fprintf(f, "robustness: the best mix stays best in %d of %d fresh draws (%.0f%%) against "
                   "%d runner-up%s, and within the budget in %d of %d\n",
                r->best_stays, r->n_draws, 100.0 * r->best_stays / r->n_draws, r->n_ranked - 1,
                r->n_ranked - 1 == 1 ? "" : "s", r->best_feasible, r->n_draws);
    }
    if (J->runs < LM_OPTIMISE_RUNS_FOR_INTERVALS)
        fprintf(f, "\nwarning: %d replication%s per mix: too few for the 90%% intervals, which "
                   "rest on %d degree%s of freedom (far too wide, or of zero width when the "
                   "replications happen to agree); use --runs %d or more before acting on them.\n",
                J->runs, J->runs == 1 ? "" : "s", J->runs - 1, J->runs == 2 ? "" : "s",
                LM_OPTIMISE_RUNS_FOR_INTERVALS);
    fprintf(f, "\n%s: mean over the runs [90%% t-interval of the mean]; public CNY/yr: the "
               "region's public money, net (outlays and tax expenditures less returns; "
               "commitments are no cost), a year; fresh: mean of the draw means [90%% t-interval]%s.\n",
            lm_metric_name(J->objective),
            until ? "; runs: the replications of the mix in the search, and on the fresh draws"
                  : "");
    if (ferror(f))
        LM_FAIL(err, LM_EIO, "could not write the summary");
    return LM_OK;
}

/* The first month of the policy era: the earliest start of any policy of any region, not
 * before the period's start (the period's start when there are no policies). */
static int32_t policy_era_start(const lm_scenario *sc, int32_t start, int32_t end)
{
    const lm_params *p = lm__scenario_params(sc);
    int32_t first = INT32_MAX;
    for (int r = 0; r < p->n_regions; ++r)
        for (int k = 0; k < p->regions[r].n_policies; ++k)
            if (p->regions[r].policies[k].start < first)
                first = p->regions[r].policies[k].start;
    return first <= start || first > end ? start : first;
}

/* ---- the command ---- */

/* --precision names the objective of the region (METRIC or REGION.METRIC), or nothing: the
 * rule is on the mean the search maximises, the one number it compares mixes by. */
static lm_status precision_metric(const job *J, const lm_scenario *base, const char *metric,
                                  lm_error *err)
{
    if (!metric || !metric[0])
        return LM_OK;
    const char *dot = strrchr(metric, '.');
    const char *name = dot ? dot + 1 : metric;
    bool ok = lm_optimise_objective(name, NULL, 0) == J->objective;
    if (ok && dot) {
        char region[LM_LEVER_NAME_LEN];
        const size_t len = (size_t)(dot - metric);
        ok = len > 0 && len < sizeof region;
        if (ok) {
            memcpy(region, metric, len);
            region[len] = '\0';
            ok = lm__region_named(lm__scenario_params(base), region) == J->region_index;
        }
    }
    if (!ok)
        LM_FAIL(err, LM_EINVAL,
                "--precision %s: optimise's rule is on its objective: give H, %s=H or "
                "%s.%s=H",
                metric, lm_metric_name(J->objective), J->region, lm_metric_name(J->objective));
    return LM_OK;
}

lm_status lm_experiment_optimise(const lm_optimise_config *cfg, lm_experiment_result *res,
                                 lm_error *err)
{
    memset(res, 0, sizeof *res);
    lm_error_clear(err);
    const double t0 = lm__now_s();
    const lm_job_config *jc = &cfg->x.job;
    if (!cfg->levers_path)
        LM_FAIL(err, LM_EINVAL, "optimise: --levers FILE is required");
    if (cfg->budget_cny_total > 0 ? !isfinite(cfg->budget_cny_total)
                                  : !(cfg->budget_cny_year > 0) || !isfinite(cfg->budget_cny_year))
        LM_FAIL(err, LM_EINVAL, "optimise: --budget must be a positive amount of CNY a year "
                                "or in total");
    if (cfg->x.runs < 1 || cfg->x.runs > LM_MAX_RUNS)
        LM_FAIL(err, LM_EINVAL, "--runs %d: expected 1 to %d", cfg->x.runs, LM_MAX_RUNS);
    if (cfg->evals < 1 || cfg->evals > LM_OPTIMISE_MAX_EVALS)
        LM_FAIL(err, LM_EINVAL, "--evals %d: expected 1 to %d", cfg->evals,
                LM_OPTIMISE_MAX_EVALS);
    if (cfg->robustness < 0 || cfg->robustness > LM_OPTIMISE_MAX_REDRAWS)
        LM_FAIL(err, LM_EINVAL, "--robustness %d: expected 0 to %d", cfg->robustness,
                LM_OPTIMISE_MAX_REDRAWS);
    if (cfg->runner_ups < 0 || cfg->runner_ups > 31)
        LM_FAIL(err, LM_EINVAL, "runner-ups %d: expected 0 to 31", cfg->runner_ups);
    char objectives[256];
    const int objective = lm_optimise_objective(cfg->objective ? cfg->objective : "dragons",
                                                objectives, sizeof objectives);
    if (objective < 0)
        LM_FAIL(err, LM_EINVAL, "--objective %s: expected %s", cfg->objective, objectives);
    lm__opt_rule rule = {.half = 0, .first = cfg->x.runs, .max_runs = cfg->x.runs};
    if (cfg->x.n_precision > 1)
        LM_FAIL(err, LM_EINVAL, "optimise: one --precision (on the objective), not %d",
                cfg->x.n_precision);
    if (cfg->x.n_precision == 1) {
        rule.half = cfg->x.precision[0].halfwidth;
        rule.max_runs = cfg->x.max_runs > 0 ? cfg->x.max_runs
                                            : (cfg->x.runs > 200 ? cfg->x.runs : 200);
        if (!(rule.half > 0) || !isfinite(rule.half))
            LM_FAIL(err, LM_EINVAL, "--precision: expected a positive half-width");
        if (rule.max_runs < cfg->x.runs || rule.max_runs > LM_MAX_RUNS)
            LM_FAIL(err, LM_EINVAL, "--max-runs %d: expected --runs %d to %d", rule.max_runs,
                    cfg->x.runs, LM_MAX_RUNS);
    }

    lm__levers *lv = NULL;
    lm_status st = lm__levers_load(cfg->levers_path, &lv, err);
    if (st != LM_OK)
        return st;
    job J = {.cfg = cfg, .lv = lv, .objective = objective, .runs = cfg->x.runs, .rule = rule,
             .best = NAN, .t0 = t0, .next_eval_id = 1};
    J.scenario_path = jc->scenario_path ? jc->scenario_path : lm_default_scenario_path();
    J.dir.lock = -1;
    lm_scenario *base = NULL;
    const char *partial = J.dir.partial;
    lm__opt_result r = {0};
    st = lm__xp_load(jc, J.scenario_path, NULL, &base, err);
    const char *region = cfg->region ? cfg->region : lv->region;
    if (st == LM_OK && (!region || !region[0]))
        st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__,
                          "optimise: no region: give --region or `region:` in %s",
                          cfg->levers_path);
    if (st == LM_OK) {
        J.region_index = lm__region_named(lm__scenario_params(base), region);
        if (J.region_index < 0)
            st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__,
                              "--region %s: no region of that name or name_en in %s", region,
                              J.scenario_path);
        else if (strlen(region) >= sizeof J.region)
            st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__, "--region: name too long");
        else
            snprintf(J.region, sizeof J.region, "%s", region);
    }
    if (st == LM_OK && cfg->x.n_precision == 1)
        st = precision_metric(&J, base, cfg->x.precision[0].metric, err);
    if (st == LM_OK) {
        J.seed = jc->has_seed ? jc->seed : lm_scenario_seed(base);
        lm_scenario_period(base, &J.start, &J.end);
        J.years = (double)(J.end - policy_era_start(base, J.start, J.end) + 1) / 12.0;
        /* public money a year is a mean over the policy era; a total is spread over it */
        J.budget = cfg->budget_cny_total > 0 ? cfg->budget_cny_total / J.years
                                             : cfg->budget_cny_year;
        for (int j = 0; j < lv->n; ++j) {
            const lm__lever *L = &lv->lever[j];
            lm__opt_lever *O = &J.opt[j];
            if (L->kind == LM_LEVER_CONTINUOUS) {
                *O = (lm__opt_lever){.lo = L->lo, .hi = L->hi, .start = L->start, .step = L->step,
                                     .cost_per_unit = L->cost_per_unit};
            } else {
                for (int k = 0; k < L->n_options; ++k)
                    J.option_cost[j][k] = L->kind == LM_LEVER_VALUES
                                              ? L->cost_per_unit * L->value[k]
                                              : L->option[k].cost;
                *O = (lm__opt_lever){.n_options = L->n_options, .option_cost = J.option_cost[j]};
            }
        }
        st = check_levers(&J, err);
    }
    /* + objective, cost */
    J.rows = malloc((size_t)J.rule.max_runs * (LM_METRIC_COUNT + 2) * sizeof *J.rows);
    if (st == LM_OK && !J.rows)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "evaluation rows");
    if (st == LM_OK)
        st = lm__xp_threads(base, jc, &J.threads, NULL, err);

    /* the folder */
    if (st == LM_OK)
        st = lm__xp_dir_open(&J.dir, jc, base, "run", J.seed, "-optimise", cfg->x.resume,
                             "search", err);
    if (st == LM_OK) {
        snprintf(res->out_dir, sizeof res->out_dir, "%s", J.dir.final);
        snprintf(res->scenario, sizeof res->scenario, "%s", lm_scenario_name(base));
        res->seed = J.seed;
        res->runs = J.runs;
        res->n_arms = 1;
    }
    const bool root = lm__par_rank() == 0;
    if (st == LM_OK && root)
        st = open_db(&J, base, cfg->x.resume, err);
    st = lm__par_agree(st, err);
    if (st == LM_OK)
        st = load_cache(&J, err); /* every rank: the same replay */
    st = lm__par_agree(st, err);
    const int cached = J.n_cache;

    if (st == LM_OK) {
        long long combos = 1;
        int n_cont = 0;
        for (int j = 0; j < lv->n; ++j)
            if (J.opt[j].n_options)
                combos *= J.opt[j].n_options;
            else
                ++n_cont;
        J.planned = (int)(n_cont ? combos + cfg->evals : combos) +
                    cfg->robustness * (1 + cfg->runner_ups);
        const lm__opt_problem p = {.levers = J.opt,
                                   .n_levers = lv->n,
                                   .budget = J.budget,
                                   .evals = cfg->evals,
                                   .runner_ups = cfg->runner_ups,
                                   .redraws = cfg->robustness,
                                   .distinct = 0.05,
                                   .seed = J.seed,
                                   .eval = evaluate_mix,
                                   .user = &J};
        st = lm__opt_run(&p, &r, err);
        res->runs_resumed = J.resumed;
    }
    if (st == LM_EINTR || (st != LM_OK && jc->stop_flag && *jc->stop_flag)) {
        st = lm_error_set_at(err, LM_EINTR, partial, 0, 0, NULL,
                             "interrupted: %d evaluations are kept in %s; the same command with "
                             "--resume continues the search",
                             J.n_cache, partial);
    }

    /* outputs (rank 0) */
    if (st == LM_OK && root) {
        ranked_info info[32];
        robustness_info(&r, info);
        st = write_final_tables(&J, &r, info, err);
        lm__out o;
        if (st == LM_OK && (st = lm__out_open(&o, partial, "summary.txt", err)) == LM_OK) {
            st = write_summary(o.f, &J, base, &r, info, err);
            if (st == LM_OK)
                fprintf(o.f, "results: %s (optimise.csv: every evaluation; results.sqlite: "
                             "optimise_* tables)\n",
                        J.dir.final);
            st = lm__out_close(&o, st, &res->summary, err);
        }
        if (st == LM_OK)
            st = write_csv(&J, &r, partial, err);
        if (J.db) {
            sqlite3_close(J.db);
            J.db = NULL;
        }
        if (st == LM_OK)
            st = lm__optimise_report_write(partial, err);
    }
    if (J.db)
        sqlite3_close(J.db);
    (void)cached;
    /* the outputs are rank 0's: every rank ends with its status */
    st = lm__xp_dir_close(&J.dir, st, J.n_cache > 0, jc, err);
    lm__opt_result_fini(&r);
    for (int k = 0; k < J.n_cache; ++k)
        free(J.cache[k].key);
    free(J.cache);
    free(J.rows);
    lm_scenario_free(base);
    lm__levers_free(lv);
    if (st != LM_OK)
        return lm__xp_end(res, st, err);
    res->elapsed_s = lm__now_s() - t0;
    return LM_OK;
}
