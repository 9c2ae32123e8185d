/* src/report/optimise_html.c -- the report of `longmen optimise`: report.html and
 * headline.svg of an optimise folder, from its results.sqlite alone (optimise_* tables,
 * docs/experiments.md), so that `longmen report DIR` and the dashboard show it like any other
 * results folder. The question is "which mix should the region buy with its budget?", so the
 * page opens with the answer (the best mix, what it is expected to give and cost), then the
 * frontier of public outlay against the objective with 90% intervals, so the reader sees what
 * more money buys and how sure the ranking is, then the best mix and runners-up and the
 * robustness check on fresh draws. A plain page with an inline SVG: no script, no ECharts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "longmen/longmen.h"
#include "report/report_int.h"

#define MAX_EVALS 4096
#define MAX_LEVERS 16
#define MAX_MIXES 32

typedef struct point {
    int eval_id;
    double obj, obj_lo, obj_hi, pub, pub_lo, pub_hi;
    char values[MAX_LEVERS][64]; /* the lever values, as shown */
} point;

typedef struct mix {
    int rank, eval_id, draws, wins, feasible;
    double obj, obj_lo, obj_hi, pub, pub_lo, pub_hi, fresh, fresh_lo, fresh_hi;
} mix;

typedef struct opt {
    char region[128], objective[64], period[64], scenario[128];
    long long seed;
    int runs;
    double half;   /* --precision: the target half-width (0: none) */
    int max_runs;  /* and the most replications of a mix */
    double budget; /* CNY a year; NAN when the folder predates its record */
    double budget_years; /* the policy era public money a year is averaged over; NAN unknown */
    bool budget_total;   /* --budget was given as a total (AMOUNT/total) */
    int n_levers;
    char lever[MAX_LEVERS][64];
    int n_points;
    point *p;
    int n_mixes;
    mix m[MAX_MIXES];
} opt;

static double col(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

static void text_col(sqlite3_stmt *q, int i, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

bool lm__report_is_optimise(const char *db_path)
{
    sqlite3 *db = NULL;
    bool yes = false;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db,
                               "SELECT (SELECT count(*) FROM sqlite_master WHERE name = "
                               "'optimise_config'), (SELECT count(*) FROM sqlite_master WHERE "
                               "name = 'run')",
                               -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            yes = sqlite3_column_int(q, 0) == 1 && sqlite3_column_int(q, 1) == 0;
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return yes;
}

/* The scenario's `name:` from the YAML text kept with the search. */
static void scenario_name(const char *yaml, char *out, size_t size)
{
    out[0] = '\0';
    for (const char *p = yaml; p && *p;) {
        if (strncmp(p, "name:", 5) == 0) {
            p += 5;
            while (*p == ' ')
                ++p;
            const size_t n = strcspn(p, "\n#");
            snprintf(out, size, "%.*s", (int)n, p);
            for (size_t k = strlen(out); k > 0 && out[k - 1] == ' ';)
                out[--k] = '\0';
            return;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
}

/* A lever value as the summary writes it: 1.5bn, 500m, 0.275. */
static void amount(char *buf, size_t size, double v)
{
    if (fabs(v) >= 1e9)
        snprintf(buf, size, "%.3gbn", v / 1e9);
    else if (fabs(v) >= 1e6)
        snprintf(buf, size, "%.3gm", v / 1e6);
    else
        snprintf(buf, size, "%.4g", v);
}

static lm_status read_opt(const char *db_path, opt *o, lm_error *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return lm_error_set_at(err, LM_EDB, db_path, 0, 0, NULL, "%s: cannot open", db_path);
    }
    o->budget = NAN;
    o->budget_years = NAN;
    sqlite3_stmt *q = NULL;
    bool ok = sqlite3_prepare_v2(db, "SELECT key, value FROM optimise_config", -1, &q, NULL) ==
              SQLITE_OK;
    while (ok && sqlite3_step(q) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        const char *v = (const char *)sqlite3_column_text(q, 1);
        if (!k || !v)
            continue;
        if (strcmp(k, "region") == 0)
            snprintf(o->region, sizeof o->region, "%s", v);
        else if (strcmp(k, "objective") == 0)
            snprintf(o->objective, sizeof o->objective, "%s", v);
        else if (strcmp(k, "period") == 0)
            snprintf(o->period, sizeof o->period, "%s", v);
        else if (strcmp(k, "seed") == 0)
            o->seed = atoll(v);
        else if (strcmp(k, "runs") == 0)
            o->runs = atoi(v);
        else if (strcmp(k, "precision") == 0 && sscanf(v, "%lg max %d", &o->half, &o->max_runs) != 2)
            o->half = 0; /* "none" */
        else if (strcmp(k, "budget_cny_year") == 0)
            o->budget = strtod(v, NULL);
        else if (strcmp(k, "budget_years") == 0)
            o->budget_years = strtod(v, NULL);
        else if (strcmp(k, "budget_given") == 0)
            o->budget_total = strcmp(v, "total") == 0;
        else if (strcmp(k, "scenario_yaml") == 0)
            scenario_name(v, o->scenario, sizeof o->scenario);
    }
    sqlite3_finalize(q);
    ok = ok && sqlite3_prepare_v2(db, "SELECT name FROM optimise_lever ORDER BY lever_id", -1, &q,
                                  NULL) == SQLITE_OK;
    while (ok && o->n_levers < MAX_LEVERS && sqlite3_step(q) == SQLITE_ROW)
        text_col(q, 0, o->lever[o->n_levers++], sizeof o->lever[0]);
    sqlite3_finalize(q);
    o->p = calloc(MAX_EVALS, sizeof *o->p);
    ok = ok && o->p &&
         sqlite3_prepare_v2(db,
                            "SELECT eval_id, objective, objective_lo, objective_hi, "
                            "public_cny_year, public_lo, public_hi FROM optimise_evaluation "
                            "WHERE draw = 0 ORDER BY eval_id",
                            -1, &q, NULL) == SQLITE_OK;
    while (ok && o->n_points < MAX_EVALS && sqlite3_step(q) == SQLITE_ROW) {
        point *p = &o->p[o->n_points++];
        p->eval_id = sqlite3_column_int(q, 0);
        p->obj = col(q, 1), p->obj_lo = col(q, 2), p->obj_hi = col(q, 3);
        p->pub = col(q, 4), p->pub_lo = col(q, 5), p->pub_hi = col(q, 6);
    }
    sqlite3_finalize(q);
    /* lever values: an option's label, else the number */
    ok = ok && sqlite3_prepare_v2(db,
                                  "SELECT eval_id, lever_id, value, label FROM optimise_value",
                                  -1, &q, NULL) == SQLITE_OK;
    while (ok && sqlite3_step(q) == SQLITE_ROW) {
        const int e = sqlite3_column_int(q, 0), l = sqlite3_column_int(q, 1);
        for (int i = 0; i < o->n_points && l >= 0 && l < MAX_LEVERS; ++i)
            if (o->p[i].eval_id == e) {
                if (sqlite3_column_type(q, 3) == SQLITE_TEXT)
                    text_col(q, 3, o->p[i].values[l], sizeof o->p[i].values[l]);
                else
                    amount(o->p[i].values[l], sizeof o->p[i].values[l], col(q, 2));
                break;
            }
    }
    sqlite3_finalize(q);
    ok = ok && sqlite3_prepare_v2(db,
                                  "SELECT rank, eval_id, objective, objective_lo, objective_hi, "
                                  "public_cny_year, public_lo, public_hi, draws, wins, "
                                  "feasible_draws, fresh_objective, fresh_lo, fresh_hi "
                                  "FROM optimise_mix ORDER BY rank",
                                  -1, &q, NULL) == SQLITE_OK;
    while (ok && o->n_mixes < MAX_MIXES && sqlite3_step(q) == SQLITE_ROW) {
        mix *m = &o->m[o->n_mixes++];
        m->rank = sqlite3_column_int(q, 0);
        m->eval_id = sqlite3_column_int(q, 1);
        m->obj = col(q, 2), m->obj_lo = col(q, 3), m->obj_hi = col(q, 4);
        m->pub = col(q, 5), m->pub_lo = col(q, 6), m->pub_hi = col(q, 7);
        m->draws = sqlite3_column_int(q, 8);
        m->wins = sqlite3_column_int(q, 9);
        m->feasible = sqlite3_column_int(q, 10);
        m->fresh = col(q, 11), m->fresh_lo = col(q, 12), m->fresh_hi = col(q, 13);
    }
    sqlite3_finalize(q);
    lm_status st = LM_OK;
    if (!ok)
        st = lm_error_set_at(err, LM_EDB, db_path, 0, 0, NULL, "%s: %s", db_path,
                             o->p ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return st;
}

static const point *point_of(const opt *o, int eval_id)
{
    for (int i = 0; i < o->n_points; ++i)
        if (o->p[i].eval_id == eval_id)
            return &o->p[i];
    return NULL;
}

/* "dragons" -> "little dragons" as the summary says it. */
static const char *objective_title(const char *name)
{
    static const char *const t[][2] = {{"dragons", "little dragons"},
                                       {"high_tech", "high-tech enterprises"},
                                       {"jobs", "jobs"},
                                       {"firms_alive", "firms alive"},
                                       {"births", "births"},
                                       {"revenue_cny", "revenue (CNY)"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i)
        if (strcmp(name, t[i][0]) == 0)
            return t[i][1];
    return name;
}

/* ---- the frontier figure ---- */

/* A "nice" tick step for a span, about n ticks. */
static double tick_step(double span, int n)
{
    if (!(span > 0))
        return 1;
    const double raw = span / n, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

static void svg_frontier(FILE *f, const opt *o, bool standalone)
{
    enum { W = 760, H = 440, L = 70, R = 20, T = 30, B = 60 };
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int i = 0; i < o->n_points; ++i) {
        const point *p = &o->p[i];
        const double xs[] = {p->pub, p->pub_lo, p->pub_hi}, ys[] = {p->obj, p->obj_lo, p->obj_hi};
        for (int k = 0; k < 3; ++k) {
            if (isfinite(xs[k]))
                x0 = fmin(x0, xs[k] / 1e9), x1 = fmax(x1, xs[k] / 1e9);
            if (isfinite(ys[k]))
                y0 = fmin(y0, ys[k]), y1 = fmax(y1, ys[k]);
        }
    }
    if (isfinite(o->budget))
        x0 = fmin(x0, o->budget / 1e9), x1 = fmax(x1, o->budget / 1e9);
    if (!isfinite(x0))
        x0 = 0, x1 = 1;
    if (!isfinite(y0))
        y0 = 0, y1 = 1;
    if (x1 - x0 < 1e-9)
        x0 -= 0.5, x1 += 0.5;
    if (y1 - y0 < 1e-9)
        y0 -= 0.5, y1 += 0.5;
    const double xs = tick_step(x1 - x0, 6), ys = tick_step(y1 - y0, 5);
    x0 = floor(x0 / xs) * xs, x1 = ceil(x1 / xs) * xs;
    y0 = floor(y0 / ys) * ys, y1 = ceil(y1 / ys) * ys;
#define PX(v) (L + ((v) - x0) / (x1 - x0) * (W - L - R))
#define PY(v) (H - B - ((v) - y0) / (y1 - y0) * (H - T - B))
    fprintf(f, "<svg id=\"lm-optimise-frontier\" %sviewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
               "font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"public "
               "outlay against the objective\">\n",
            standalone ? "xmlns=\"http://www.w3.org/2000/svg\" " : "", W, H, W, H);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
    /* ticks as i * step, so that no rounding error prints as -5.55e-17 */
    for (double i = ceil(x0 / xs - 1e-9), v = i * xs; v <= x1 + xs / 2; ++i, v = i * xs)
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/><text "
                   "x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.4g</text>\n",
                PX(v), PX(v), T, H - B, PX(v), H - B + 16, v);
    for (double i = ceil(y0 / ys - 1e-9), v = i * ys; v <= y1 + ys / 2; ++i, v = i * ys)
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text "
                   "x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n",
                L, W - R, PY(v), PY(v), L - 6, PY(v) + 4, v);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">public money of ", (L + W - R) / 2,
            H - 18);
    lm__report_escaped(f, o->region);
    fputs(", CNY bn a year (mean and 90% interval)</text>\n", f);
    fprintf(f, "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">", (T + H - B) / 2);
    lm__report_escaped(f, objective_title(o->objective));
    fputs(" (mean and 90% interval)</text>\n", f);
    if (isfinite(o->budget))
        fprintf(f, "<line class=\"budget\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
                   "stroke=\"#c00\" stroke-dasharray=\"6 4\"/><text x=\"%.1f\" y=\"%d\" "
                   "fill=\"#c00\" text-anchor=\"end\">budget %.4g bn a year</text>\n",
                PX(o->budget / 1e9), PX(o->budget / 1e9), T, H - B, PX(o->budget / 1e9) - 4,
                T + 12, o->budget / 1e9);
    /* the frontier: the mixes no cheaper mix beats, by increasing outlay */
    int *order = malloc((size_t)(o->n_points ? o->n_points : 1) * sizeof *order);
    int n = 0;
    for (int i = 0; order && i < o->n_points; ++i)
        if (isfinite(o->p[i].pub) && isfinite(o->p[i].obj))
            order[n++] = i;
    for (int i = 1; i < n; ++i) /* insertion sort: a few hundred points at most */
        for (int j = i; j > 0 && o->p[order[j]].pub < o->p[order[j - 1]].pub; --j) {
            const int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    fputs("<polyline class=\"frontier\" fill=\"none\" stroke=\"#1f6f3f\" stroke-width=\"2\" "
          "points=\"",
          f);
    double best = -INFINITY;
    for (int i = 0; i < n; ++i) {
        const point *p = &o->p[order[i]];
        if (p->obj > best) {
            best = p->obj;
            fprintf(f, "%.1f,%.1f ", PX(p->pub / 1e9), PY(p->obj));
        }
    }
    fputs("\"/>\n", f);
    free(order);
    const int best_eval = o->n_mixes ? o->m[0].eval_id : -1;
    for (int i = 0; i < o->n_points; ++i) {
        const point *p = &o->p[i];
        if (!isfinite(p->pub) || !isfinite(p->obj))
            continue;
        const double cx = PX(p->pub / 1e9), cy = PY(p->obj);
        if (isfinite(p->obj_lo) && isfinite(p->obj_hi))
            fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8aa\"/>",
                    cx, cx, PY(p->obj_lo), PY(p->obj_hi));
        if (isfinite(p->pub_lo) && isfinite(p->pub_hi))
            fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8aa\"/>",
                    PX(p->pub_lo / 1e9), PX(p->pub_hi / 1e9), cy, cy);
        const bool is_best = p->eval_id == best_eval;
        fprintf(f, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"><title>",
                is_best ? "mix best" : "mix", cx, cy, is_best ? 6 : 4,
                is_best ? "#c60" : "#2a6f97");
        for (int l = 0; l < o->n_levers; ++l) {
            fputs(l ? ", " : "", f);
            lm__report_escaped(f, o->lever[l]);
            fputc('=', f);
            lm__report_escaped(f, p->values[l]);
        }
        fprintf(f, ": %.4g [%.4g, %.4g] at %.4g bn a year</title></circle>\n", p->obj,
                p->obj_lo, p->obj_hi, p->pub / 1e9);
        if (is_best)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#c60\">best</text>\n", cx + 8, cy - 8);
    }
    fputs("</svg>\n", f);
#undef PX
#undef PY
}

/* ---- the page ---- */

static void fmt_ci(FILE *f, double m, double lo, double hi, double scale)
{
    if (!isfinite(m)) {
        fputs("–", f);
        return;
    }
    fprintf(f, "%.3g", m / scale);
    if (isfinite(lo) && isfinite(hi))
        fprintf(f, " <span class=\"ci\">[%.3g, %.3g]</span>", lo / scale, hi / scale);
}

static void mix_text(FILE *f, const opt *o, const point *p)
{
    for (int l = 0; p && l < o->n_levers; ++l) {
        fputs(l ? ", " : "", f);
        lm__report_escaped(f, o->lever[l]);
        fputs(" = <b>", f);
        lm__report_escaped(f, p->values[l]);
        fputs("</b>", f);
    }
}

/* Months of "YYYY-MM..YYYY-MM"; 0 when unreadable. */
static int period_months(const char *period)
{
    char a[16], b[16];
    int32_t m0, m1;
    const char *dots = strstr(period, "..");
    if (!dots || dots - period >= (long)sizeof a)
        return 0;
    snprintf(a, sizeof a, "%.*s", (int)(dots - period), period);
    snprintf(b, sizeof b, "%s", dots + 2);
    return lm_month_parse(a, &m0) && lm_month_parse(b, &m1) && m1 >= m0 ? m1 - m0 + 1 : 0;
}

static void page(FILE *f, const opt *o)
{
    const char *title = objective_title(o->objective);
    fputs("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>longmen "
          "optimise: ",
          f);
    lm__report_escaped(f, o->region);
    fputs("</title>\n<style>\nbody{font-family:system-ui,sans-serif;max-width:60em;margin:1em "
          "auto;padding:0 1em;color:#222}\n.answer{font-size:1.15em;background:#f3f8f4;border-left:"
          "4px solid #1f6f3f;padding:.6em 1em}\n.warn{background:#fff4e5;border-left:4px solid "
          "#d80;padding:.6em 1em}\ntable{border-collapse:collapse}\ntd,th{padding:.25em "
          ".6em;border-bottom:1px solid #ddd;text-align:right}\ntd:first-child,th:first-child{"
          "text-align:left}\n.ci{color:#666}\n.note{color:#555;font-size:.9em}\nsvg{max-width:100%;"
          "height:auto}\n</style>\n</head>\n<body data-lm-report=\"optimise\">\n",
          f);
    fputs("<h1>Which mix for ", f);
    lm__report_escaped(f, o->region);
    fputs("?</h1>\n<p class=\"note\">", f);
    lm__report_escaped(f, o->scenario);
    fprintf(f, ", seed %lld, %s; the %s of ", o->seed, o->period, title);
    lm__report_escaped(f, o->region);
    if (o->half > 0)
        fprintf(f, " over the period; every mix simulated %d times with common random numbers "
                   "(run indices 0, 1, ...), then %d more at a time until the 90%% interval of its "
                   "mean %s has half-width at most %.4g, or %d times (--precision).</p>\n",
                o->runs, o->runs, title, o->half, o->max_runs);
    else
        fprintf(f, " over the period; every mix simulated %d time%s with common random numbers "
                   "(run indices 0..%d).</p>\n",
                o->runs, o->runs == 1 ? "" : "s", o->runs - 1);
    if (o->runs < LM_OPTIMISE_RUNS_FOR_INTERVALS)
        fprintf(f, "<p class=\"warn\" id=\"lm-optimise-few-runs\"><b>Too few replications for "
                   "the intervals.</b> Each mix was simulated %d time%s: the 90%% intervals rest "
                   "on %d degree%s of freedom, so they are far too wide, or of zero width when the "
                   "replications happen to agree. Run again with <code>--runs %d</code> or more "
                   "before acting on the ranking.</p>\n",
                o->runs, o->runs == 1 ? "" : "s", o->runs - 1, o->runs == 2 ? "" : "s",
                LM_OPTIMISE_RUNS_FOR_INTERVALS);
    const point *bp = o->n_mixes ? point_of(o, o->m[0].eval_id) : NULL;
    fputs("<p class=\"answer\" id=\"lm-optimise-answer\">", f);
    if (o->n_mixes && bp) {
        const mix *b = &o->m[0];
        fputs("Best mix: ", f);
        mix_text(f, o, bp);
        fprintf(f, ".<br>Expected %s: ", title);
        fmt_ci(f, b->obj, b->obj_lo, b->obj_hi, 1);
        fputs(" at public money of CNY ", f);
        fmt_ci(f, b->pub, b->pub_lo, b->pub_hi, 1e9);
        fputs(" bn <b>a year</b>", f);
        const int months = period_months(o->period);
        if (isfinite(o->budget) && isfinite(o->budget_years))
            fprintf(f, " (budget: CNY %.4g bn a year, %.4g bn in total over the %.4g years of "
                       "the policy era, from the first policy start to the end; given %s)",
                    o->budget / 1e9, o->budget / 1e9 * o->budget_years, o->budget_years,
                    o->budget_total ? "as a total (--budget AMOUNT/total)"
                                    : "per year (--budget AMOUNT/year)");
        else if (isfinite(o->budget) && months > 0)
            fprintf(f, " (budget: CNY %.4g bn a year, %.4g bn over the %d months of the period)",
                    o->budget / 1e9, o->budget / 1e9 * months / 12.0, months);
        else if (isfinite(o->budget))
            fprintf(f, " (budget: CNY %.4g bn a year)", o->budget / 1e9);
        fputs(".</p>\n", f);
    } else {
        fputs("No evaluated mix keeps the budget: raise --budget or widen the levers.</p>\n", f);
    }
    fputs("<h2>What more money buys</h2>\n", f);
    svg_frontier(f, o, false);
    fprintf(f, "<p class=\"note\">Each dot is a mix of the search, at its mean public money a "
               "year (outlays and tax expenditures less returns; commitments are no cost) "
               "and its mean %s over its replications, with 90%% t-intervals as bars; the "
               "line joins the mixes that no cheaper mix beats; orange: the best mix within the "
               "budget (dashed). Hover a dot for its levers.</p>\n",
            title);
    fputs("<h2>Best mix and runners-up</h2>\n<table id=\"lm-optimise-mixes\">\n<thead><tr>"
          "<th>mix</th>",
          f);
    for (int l = 0; l < o->n_levers; ++l) {
        fputs("<th>", f);
        lm__report_escaped(f, o->lever[l]);
        fputs("</th>", f);
    }
    fprintf(f, "<th>%s</th><th>public CNY bn a year</th><th>%s on fresh draws</th><th>best on "
               "draws</th></tr></thead>\n<tbody>\n",
            title, title);
    for (int i = 0; i < o->n_mixes; ++i) {
        const mix *m = &o->m[i];
        const point *p = point_of(o, m->eval_id);
        fprintf(f, "<tr><td>%s", i == 0 ? "best" : "");
        if (i)
            fprintf(f, "#%d", m->rank);
        fputs("</td>", f);
        for (int l = 0; l < o->n_levers; ++l) {
            fputs("<td>", f);
            lm__report_escaped(f, p ? p->values[l] : "");
            fputs("</td>", f);
        }
        fputs("<td>", f);
        fmt_ci(f, m->obj, m->obj_lo, m->obj_hi, 1);
        fputs("</td><td>", f);
        fmt_ci(f, m->pub, m->pub_lo, m->pub_hi, 1e9);
        fputs("</td><td>", f);
        fmt_ci(f, m->fresh, m->fresh_lo, m->fresh_hi, 1);
        fprintf(f, "</td><td>%d/%d</td></tr>\n", m->wins, m->draws);
    }
    fputs("</tbody></table>\n<h2>Robustness</h2>\n<p id=\"lm-optimise-robustness\">", f);
    if (o->n_mixes && o->m[0].draws > 0) {
        const mix *b = &o->m[0];
        char reps[48];
        if (o->half > 0)
            snprintf(reps, sizeof reps, "%d to %d", o->runs, o->max_runs);
        else
            snprintf(reps, sizeof reps, "%d", o->runs);
        fprintf(f, "On %d fresh draw%s of %s replications each (run indices the search did not "
                   "use), the best mix stays best in %d (%.0f%%) against %d runner-up%s, and "
                   "within the budget in %d. Its %s there: ",
                b->draws, b->draws == 1 ? "" : "s", reps, b->wins, 100.0 * b->wins / b->draws, o->n_mixes - 1,
                o->n_mixes - 1 == 1 ? "" : "s", b->feasible, title);
        fmt_ci(f, b->fresh, b->fresh_lo, b->fresh_hi, 1);
        fputs(". A mix that wins few draws is not reliably better than the runners-up: its lead "
              "in the search was partly luck of the replications.",
              f);
    } else {
        fputs("No robustness check was run (--robustness 0).", f);
    }
    fputs("</p>\n<p class=\"note\">Every evaluation: optimise.csv; the tables: results.sqlite "
          "(optimise_*); the same figure: headline.svg. Budgets and outlays are per year; a "
          "compare's public money is over the whole run.</p>\n</body>\n</html>\n",
          f);
}

lm_status lm__optimise_report_write(const char *dir, lm_error *err)
{
    char db[4200], html[4200], svg[4200];
    snprintf(db, sizeof db, "%s/results.sqlite", dir);
    snprintf(html, sizeof html, "%s/report.html", dir);
    snprintf(svg, sizeof svg, "%s/headline.svg", dir);
    opt *o = calloc(1, sizeof *o);
    if (!o)
        LM_FAIL(err, LM_ENOMEM, "optimise report");
    lm_status st = read_opt(db, o, err);
    char *text = NULL;
    size_t len = 0;
    FILE *f = st == LM_OK ? open_memstream(&text, &len) : NULL;
    if (st == LM_OK && f) {
        page(f, o);
        fclose(f);
        st = lm__report_write_atomic(html, text, len, err);
        free(text);
        text = NULL;
        f = st == LM_OK ? open_memstream(&text, &len) : NULL;
        if (f) {
            fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
            svg_frontier(f, o, true);
            fclose(f);
            st = lm__report_write_atomic(svg, text, len, err);
        }
    }
    if (st == LM_OK && !f)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "optimise report");
    free(text);
    free(o->p);
    free(o);
    return st;
}
