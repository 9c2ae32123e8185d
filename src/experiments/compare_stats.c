/* src/experiments/compare_stats.c -- statistics of paired comparisons (compare_stats.h).
 *
 * Why paired: both arms of replication i share every random stream keyed by a stable
 * identity (core/rng.h), so their outcomes are correlated and the difference c - b varies
 * less than either arm: Var(c - b) = Var(b) + Var(c) - 2 Cov(b, c). The summary shows the
 * correlation and the paired SD beside one arm's SD, so a reader sees what pairing bought
 * (two independent arms would give sqrt(2) x one arm's SD).
 *
 * Why Holm: a table of regions x metrics makes many tests at once, and some 90% intervals
 * miss zero by chance. Holm's step-down adjustment bounds the chance of any false "it
 * changed" over the whole table (family-wise error) at the level used, without assuming the
 * tests independent; it is uniformly more powerful than Bonferroni. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "experiments/compare_stats.h"

void lm__paired_stats(const double *b, const double *c, size_t n, lm__paired *out)
{
    size_t k = 0;
    double sb = 0.0, sc = 0.0;
    for (size_t i = 0; i < n; ++i)
        if (!isnan(b[i]) && !isnan(c[i])) {
            ++k;
            sb += b[i];
            sc += c[i];
        }
    *out = (lm__paired){.n = k, .mean_b = NAN, .mean_c = NAN, .mean_d = NAN, .sd_b = NAN,
                        .sd_c = NAN, .sd_single = NAN, .sd_d = NAN, .corr = NAN, .lo = NAN,
                        .hi = NAN, .half = INFINITY, .p = NAN};
    if (k == 0)
        return;
    const double mb = sb / (double)k, mc = sc / (double)k;
    out->mean_b = mb;
    out->mean_c = mc;
    out->mean_d = mc - mb;
    out->lo = out->hi = out->mean_d;
    if (k < 2)
        return;
    /* second moments about the means (two passes: no cancellation) */
    double vb = 0.0, vc = 0.0, cov = 0.0, vd = 0.0;
    for (size_t i = 0; i < n; ++i) {
        if (isnan(b[i]) || isnan(c[i]))
            continue;
        const double x = b[i] - mb, y = c[i] - mc, z = (c[i] - b[i]) - (mc - mb);
        vb += x * x;
        vc += y * y;
        cov += x * y;
        vd += z * z;
    }
    const double dof = (double)(k - 1);
    out->sd_b = sqrt(vb / dof);
    out->sd_c = sqrt(vc / dof);
    out->sd_single = sqrt((vb + vc) / (2.0 * dof));
    out->sd_d = sqrt(vd / dof);
    out->corr = vb > 0.0 && vc > 0.0 ? cov / sqrt(vb * vc) : NAN;
    out->half = lm__halfwidth90(out->sd_d, k);
    out->lo = out->mean_d - out->half;
    out->hi = out->mean_d + out->half;
    if (out->sd_d > 0.0) {
        const double t = out->mean_d / (out->sd_d / sqrt((double)k));
        out->p = fmin(1.0, 2.0 * gsl_cdf_tdist_Q(fabs(t), dof));
    } else {
        out->p = out->mean_d == 0.0 ? 1.0 : 0.0; /* every pair differs by the same amount */
    }
}

double lm__halfwidth90(double sd, size_t n)
{
    if (n < 2)
        return INFINITY;
    return gsl_cdf_tdist_Pinv(0.95, (double)(n - 1)) * sd / sqrt((double)n);
}

typedef struct ranked {
    double p;
    size_t i;
} ranked;

static int by_p(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i); /* ties in table order: a stable answer */
}

size_t lm__holm(const double *p, size_t n, double *adj)
{
    ranked *r = malloc((n ? n : 1) * sizeof *r);
    size_t m = 0;
    for (size_t i = 0; i < n; ++i) {
        adj[i] = NAN;
        if (r && !isnan(p[i]))
            r[m++] = (ranked){p[i], i};
    }
    if (!r)
        return 0;
    qsort(r, m, sizeof *r, by_p);
    double running = 0.0;
    for (size_t k = 0; k < m; ++k) {
        const double a = fmin(1.0, (double)(m - k) * r[k].p);
        running = fmax(running, a); /* step-down: adjusted p-values never decrease */
        adj[r[k].i] = running;
    }
    free(r);
    return m;
}

size_t lm__pairs_needed(double sd, double half, size_t max)
{
    if (!(half > 0.0) || !isfinite(sd))
        return 0;
    if (sd <= 0.0)
        return 2;
    /* t(0.95, n-1) falls with n, so the half-width falls monotonically: start from the
       normal approximation and walk. */
    const double z = 1.6448536269514722 * sd / half;
    size_t n = (size_t)fmax(2.0, floor(z * z));
    if (n > max)
        return max;
    while (n > 2 && lm__halfwidth90(sd, n - 1) <= half)
        --n;
    while (n < max && lm__halfwidth90(sd, n) > half)
        ++n;
    return n;
}

int lm__precision_next_runs(int runs, int first, int max_runs)
{
    const int step = first > 0 ? first : 1;
    return runs + step < max_runs ? runs + step : max_runs;
}

bool lm__precision_reached(const double *b, const double *c, size_t n, double half)
{
    lm__paired q;
    lm__paired_stats(b, c, n, &q);
    return q.half <= half;
}
