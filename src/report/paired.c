/* src/report/paired.c -- the answer of a compare, for its report (docs/report.md): per
 * headline metric, region and year, the mean paired difference counterfactual - baseline
 * with its 90% t-interval over the replications, replication i of one arm paired with
 * replication i of the other (common random numbers). An analyst asks "what would the region
 * gain, and when?", which overlaid arms with their own bands do not answer: the noise they
 * share cancels in the pair. The regions the edits name come first (read from the edits
 * comment the counterfactual's scenario text ends with, src/scenario/edits.c); the paths
 * agree with the paths.csv of `longmen compare` (src/experiments/compare_paths.c). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "longmen/experiments.h"
#include "report/report_int.h"

/* The metrics, with their definition said once (the figure captions repeat it). Dragons are
 * those first certified up to the year, the definition of compare's table and of run's
 * summary, not the dragons alive in the year. */
static const struct {
    const char *id, *column, *title;
    bool cumulative;
} metrics[] = {
    {"dragons", "dragons_new", "little dragons (firms first certified a little dragon up to the year)",
     true},
    {"high_tech", "high_tech", "high-tech enterprises (certified, at the year's end)", false},
    {"jobs", "headcount", "jobs (employees of alive firms at the year's end)", false},
    {"alive", "alive", "firms alive (at the year's end)", false},
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])

typedef struct pairs {
    int n;                /* pairs */
    int64_t *base, *cf;   /* run_id of pair k in each arm */
} pairs;

static bool column_exists(sqlite3 *db, const char *table, const char *col)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = ?1",
             table);
    sqlite3_stmt *q = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, col, -1, SQLITE_STATIC);
        yes = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
    }
    sqlite3_finalize(q);
    return yes;
}

/* Pairs replication i of baseline with replication i of counterfactual (run.run). */
static bool read_pairs(sqlite3 *db, pairs *p)
{
    if (!column_exists(db, "run", "arm") || !column_exists(db, "run", "run"))
        return false;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT b.run_id, c.run_id FROM run b JOIN run c ON c.run = b.run "
                           "WHERE b.arm = 'baseline' AND c.arm = 'counterfactual' ORDER BY b.run",
                           -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return false;
    }
    int cap = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (p->n == cap) {
            cap = cap ? 2 * cap : 16;
            int64_t *b = realloc(p->base, (size_t)cap * sizeof *b);
            if (b)
                p->base = b;
            int64_t *c = realloc(p->cf, (size_t)cap * sizeof *c);
            if (c)
                p->cf = c;
            if (!b || !c)
                break;
        }
        p->base[p->n] = sqlite3_column_int64(q, 0);
        p->cf[p->n] = sqlite3_column_int64(q, 1);
        ++p->n;
    }
    sqlite3_finalize(q);
    return p->n > 0;
}

/* Whether the edits comment of text names region (name or name_en): "--adopt X:Y.K" and
 * "--add X:Y.K" touch X, "--policy R.x=v" touches R. */
static bool edits_touch(const char *text, const char *name, const char *name_en)
{
    const char *p = text ? strstr(text, "# longmen compare, counterfactual edits:") : NULL;
    while (p && (p = strstr(p, "\n#   --")) != NULL) {
        p += 7;
        const char *arg = strchr(p, ' ');
        if (!arg)
            break;
        ++arg;
        const bool policy = strncmp(p, "policy", 6) == 0;
        const size_t len = strcspn(arg, policy ? ".=\n" : ":\n");
        for (int k = 0; k < 2; ++k) {
            const char *n = k ? name_en : name;
            if (n && *n && strlen(n) == len && strncasecmp(arg, n, len) == 0)
                return true;
        }
    }
    return false;
}

static cJSON *num_or_null(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

lm_status lm__report_paired(sqlite3 *db, cJSON *root, lm_error *err)
{
    pairs p = {0};
    if (!read_pairs(db, &p)) {
        free(p.base);
        free(p.cf);
        return LM_OK; /* not a compare: no answer section */
    }
    lm_status st = LM_OK;
    int y0 = 0, y1 = -1, nr = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT min(year), max(year), max(region_id) + 1 FROM region_year",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        y0 = sqlite3_column_int(q, 0);
        y1 = sqlite3_column_int(q, 1);
        nr = sqlite3_column_int(q, 2);
    }
    sqlite3_finalize(q);
    const int ny = y1 - y0 + 1;
    bool have[N_METRICS];
    for (size_t k = 0; k < N_METRICS; ++k)
        have[k] = column_exists(db, "region_year", metrics[k].column);
    /* v[arm][pair][region + total][year][metric] */
    const size_t cells = (size_t)2 * (size_t)p.n * (size_t)(nr + 1) * (size_t)(ny > 0 ? ny : 0) *
                         N_METRICS;
    double *v = ny > 0 && nr > 0 ? calloc(cells, sizeof *v) : NULL;
    double *d = calloc((size_t)p.n, sizeof *d);
#define V(a, i, r, t, k)                                                                           \
    v[((((size_t)(a) * (size_t)p.n + (size_t)(i)) * (size_t)(nr + 1) + (size_t)(r)) *            \
           (size_t)ny +                                                                            \
       (size_t)(t)) * N_METRICS +                                                                  \
      (size_t)(k)]
    if (!v || !d)
        goto done; /* nothing to pair (or out of memory: the report goes on without it) */
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT run_id, region_id, year, %s, %s, %s, %s FROM region_year",
             have[0] ? metrics[0].column : "NULL", have[1] ? metrics[1].column : "NULL",
             have[2] ? metrics[2].column : "NULL", have[3] ? metrics[3].column : "NULL");
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        st = lm_error_set(err, LM_EDB, __FILE__, __LINE__, "report: %s", sqlite3_errmsg(db));
        goto done;
    }
    while (sqlite3_step(q) == SQLITE_ROW) {
        const int64_t id = sqlite3_column_int64(q, 0);
        const int r = sqlite3_column_int(q, 1), t = sqlite3_column_int(q, 2) - y0;
        if (r < 0 || r >= nr || t < 0 || t >= ny)
            continue;
        for (int i = 0; i < p.n; ++i)
            for (int a = 0; a < 2; ++a)
                if ((a ? p.cf : p.base)[i] == id)
                    for (size_t k = 0; k < N_METRICS; ++k)
                        V(a, i, r, t, k) = sqlite3_column_double(q, 3 + (int)k);
    }
    sqlite3_finalize(q);
    for (int a = 0; a < 2; ++a)
        for (int i = 0; i < p.n; ++i) {
            for (int r = 0; r < nr; ++r)
                for (size_t k = 0; k < N_METRICS; ++k)
                    for (int t = 1; metrics[k].cumulative && t < ny; ++t)
                        V(a, i, r, t, k) += V(a, i, r, t - 1, k);
            for (int r = 0; r < nr; ++r)
                for (int t = 0; t < ny; ++t)
                    for (size_t k = 0; k < N_METRICS; ++k)
                        V(a, i, nr, t, k) += V(a, i, r, t, k);
        }

    cJSON *out = cJSON_AddObjectToObject(root, "paired");
    cJSON *ids = out ? cJSON_AddArrayToObject(out, "baseline_run_ids") : NULL;
    cJSON *cids = out ? cJSON_AddArrayToObject(out, "counterfactual_run_ids") : NULL;
    for (int i = 0; ids && cids && i < p.n; ++i) {
        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)p.base[i]));
        cJSON_AddItemToArray(cids, cJSON_CreateNumber((double)p.cf[i]));
    }
    if (out)
        cJSON_AddNumberToObject(out, "pairs", p.n);
    cJSON *years = out ? cJSON_AddArrayToObject(out, "years") : NULL;
    for (int t = 0; years && t < ny; ++t)
        cJSON_AddItemToArray(years, cJSON_CreateNumber(y0 + t));
    /* the regions the edits name, from the counterfactual's scenario text */
    char *cf_text = NULL;
    if (sqlite3_prepare_v2(db, "SELECT scenario_yaml FROM run WHERE run_id = ?1", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(q, 1, p.cf[0]);
        if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
            cf_text = strdup((const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    cJSON *touched = out ? cJSON_AddArrayToObject(out, "touched") : NULL;
    if (touched && sqlite3_prepare_v2(db,
                                      "SELECT region_id, name, name_en FROM region WHERE run_id "
                                      "= ?1 ORDER BY region_id",
                                      -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, p.cf[0]);
        while (sqlite3_step(q) == SQLITE_ROW)
            if (edits_touch(cf_text, (const char *)sqlite3_column_text(q, 1),
                            column_exists(db, "region", "name_en")
                                ? (const char *)sqlite3_column_text(q, 2)
                                : NULL))
                cJSON_AddItemToArray(touched, cJSON_CreateNumber(sqlite3_column_int(q, 0)));
    }
    sqlite3_finalize(q);
    free(cf_text);
    cJSON *ms = out ? cJSON_AddArrayToObject(out, "metrics") : NULL;
    for (size_t k = 0; ms && k < N_METRICS; ++k) {
        if (!have[k])
            continue;
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(ms, m);
        cJSON_AddStringToObject(m, "id", metrics[k].id);
        cJSON_AddStringToObject(m, "title", metrics[k].title);
        cJSON *mean = cJSON_AddArrayToObject(m, "mean"), *lo = cJSON_AddArrayToObject(m, "lo"),
              *hi = cJSON_AddArrayToObject(m, "hi");
        for (int r = 0; mean && lo && hi && r <= nr; ++r) {
            cJSON *a = cJSON_CreateArray(), *b = cJSON_CreateArray(), *c = cJSON_CreateArray();
            cJSON_AddItemToArray(mean, a);
            cJSON_AddItemToArray(lo, b);
            cJSON_AddItemToArray(hi, c);
            for (int t = 0; t < ny; ++t) {
                for (int i = 0; i < p.n; ++i)
                    d[i] = V(1, i, r, t, k) - V(0, i, r, t, k);
                double l, h;
                const double md = lm_stats_mean_ci90(d, (size_t)p.n, &l, &h, NULL);
                cJSON_AddItemToArray(a, num_or_null(md));
                cJSON_AddItemToArray(b, num_or_null(l));
                cJSON_AddItemToArray(c, num_or_null(h));
            }
        }
    }
done:
#undef V
    free(v);
    free(d);
    free(p.base);
    free(p.cf);
    return st;
}

/* Funds per arm and kind, pooled over the arm's replications: the fund table of a replicated
 * or compared run is too large to carry row by row, and its multiples were then "not in this
 * run's database"; pooling (sum of value over sum of paid-in) is the definition compare's
 * TVPI uses. The arms stay apart, so a counterfactual's funds are not mixed with the
 * baseline's. */
lm_status lm__report_fund_arms(struct sqlite3 *db, cJSON *root, lm_error *err)
{
    (void)err;
    if (!column_exists(db, "fund", "paid_in") || !column_exists(db, "fund", "kind") ||
        !column_exists(db, "fund", "distributed") || !column_exists(db, "fund", "nav"))
        return LM_OK;
    const bool arm = column_exists(db, "run", "arm");
    const bool loss = column_exists(db, "fund", "loss_ratio") &&
                      column_exists(db, "fund", "loss_tolerance");
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(%s, r.scenario) AS arm_, f.kind, count(*), count(DISTINCT f.run_id),"
             " total(f.paid_in), total(f.distributed) + total(f.nav), total(f.distributed), %s, %s"
             " FROM fund f JOIN run r ON r.run_id = f.run_id GROUP BY arm_, f.kind"
             " ORDER BY min(r.run_id), f.kind",
             arm ? "r.arm" : "NULL", loss ? "avg(f.loss_ratio)" : "NULL",
             loss ? "avg(f.loss_tolerance)" : "NULL");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return LM_OK; /* an older fund table: the page says what it needs */
    }
    cJSON *out = cJSON_AddArrayToObject(root, "fund_by_arm");
    while (out && sqlite3_step(q) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(out, o);
        const unsigned char *a = sqlite3_column_text(q, 0), *k = sqlite3_column_text(q, 1);
        cJSON_AddStringToObject(o, "arm", a ? (const char *)a : "");
        cJSON_AddStringToObject(o, "kind", k ? (const char *)k : "");
        cJSON_AddNumberToObject(o, "funds", sqlite3_column_int(q, 2));
        cJSON_AddNumberToObject(o, "runs", sqlite3_column_int(q, 3));
        const double paid = sqlite3_column_double(q, 4);
        cJSON_AddNumberToObject(o, "paid_in", paid);
        cJSON_AddItemToObject(o, "tvpi", num_or_null(paid > 0 ? sqlite3_column_double(q, 5) / paid : NAN));
        cJSON_AddItemToObject(o, "dpi", num_or_null(paid > 0 ? sqlite3_column_double(q, 6) / paid : NAN));
        cJSON_AddItemToObject(o, "loss_ratio", num_or_null(sqlite3_column_type(q, 7) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 7)));
        cJSON_AddItemToObject(o, "loss_tolerance", num_or_null(sqlite3_column_type(q, 8) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 8)));
    }
    sqlite3_finalize(q);
    return LM_OK;
}
