/* src/experiments/calibrate_se.c -- what a calibration says about its fitted parameters: the
 * Jacobian of every target's mean moment by central differences at the fitted point (the
 * same seed and run indices at every point, so the differences are not drowned in
 * simulation noise), the standard errors of the method of simulated moments over the fitted
 * targets (msm.c), and which targets move each parameter. Check targets get a Jacobian row
 * (how the fit would move them) but never enter the standard errors. docs/calibration.md,
 * "Standard errors and identification". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/calibrate_int.h"
#include "experiments/msm.h"

void lm__cal_se_free(lm__cal_se *s)
{
    if (!s)
        return;
    free(s->jac);
    free(s->shift);
    free(s->se);
    free(s->identified);
    free(s->moved_by);
    memset(s, 0, sizeof *s);
}

lm_status lm__cal_standard_errors(const lm_targets *t, int runs, const double *best_rows,
                                  const double *const *x_pm, const double *const *rows_pm,
                                  lm__cal_se *out, lm_error *err)
{
    const int np = t->n_params, nt = t->n_targets;
    memset(out, 0, sizeof *out);
    out->jac = calloc((size_t)nt * (size_t)np, sizeof *out->jac);
    out->shift = calloc((size_t)nt * (size_t)np, sizeof *out->shift);
    out->se = calloc((size_t)np, sizeof *out->se);
    out->identified = calloc((size_t)np, sizeof *out->identified);
    out->moved_by = calloc((size_t)np, sizeof *out->moved_by);
    int *fit = calloc((size_t)nt, sizeof *fit);
    double *G = calloc((size_t)nt * (size_t)np, sizeof *G);
    double *sd = calloc((size_t)nt, sizeof *sd), *w = calloc((size_t)nt, sizeof *w);
    double *mu = calloc((size_t)nt, sizeof *mu); /* the fitted point's mean moments */
    double *cov = calloc((size_t)nt * (size_t)nt, sizeof *cov);
    double *step = calloc((size_t)np, sizeof *step), *shift = NULL;
    lm_status st = LM_OK;
    if (!out->jac || !out->shift || !out->se || !out->identified || !out->moved_by || !fit ||
        !G || !sd || !w || !mu || !cov || !step) {
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "standard errors");
        goto done;
    }
    /* the Jacobian, in moment units per parameter unit; a moment undefined at either point
       has none (0) */
    for (int p = 0; p < np; ++p) {
        const double *xp = x_pm[2 * p], *xm = x_pm[2 * p + 1];
        const double dx = xp[p] - xm[p];
        step[p] = fabs(dx) / 2.0;
        for (int j = 0; j < nt; ++j) {
            const double mp = lm__cal_mean(rows_pm[2 * p], runs, nt, j, NULL),
                         mm = lm__cal_mean(rows_pm[2 * p + 1], runs, nt, j, NULL);
            const double d = dx != 0.0 && !isnan(mp) && !isnan(mm) ? (mp - mm) / dx : 0.0;
            out->jac[(size_t)j * (size_t)np + (size_t)p] = d;
            out->shift[(size_t)j * (size_t)np + (size_t)p] =
                fabs(d) * step[p] / lm__cal_scale(&t->targets[j]);
        }
    }
    /* the fitted targets whose moment is defined in every replication of the fitted point */
    int m = 0;
    for (int j = 0; j < nt; ++j) {
        const lm__cal_target *g = &t->targets[j];
        bool defined = true;
        for (int i = 0; i < runs; ++i)
            defined = defined && !isnan(best_rows[(size_t)i * (size_t)nt + (size_t)j]);
        if (g->check || !defined || !(g->weight > 0.0))
            continue;
        fit[m] = j;
        sd[m] = lm__cal_scale(g);
        mu[m] = lm__cal_mean(best_rows, runs, nt, j, NULL);
        w[m] = g->weight;
        for (int p = 0; p < np; ++p)
            G[(size_t)m * (size_t)np + (size_t)p] = out->jac[(size_t)j * (size_t)np + (size_t)p];
        ++m;
    }
    /* one replication's covariance of those moments at the fitted point */
    for (int a = 0; a < m && runs > 1; ++a)
        for (int b = 0; b < m; ++b) {
            double s = 0.0;
            for (int i = 0; i < runs; ++i)
                s += (best_rows[(size_t)i * (size_t)nt + (size_t)fit[a]] - mu[a]) *
                     (best_rows[(size_t)i * (size_t)nt + (size_t)fit[b]] - mu[b]);
            cov[(size_t)a * (size_t)m + (size_t)b] = s / (runs - 1);
        }
    for (int p = 0; p < np; ++p)
        out->se[p] = NAN;
    out->condition = INFINITY;
    out->n_fit = m;
    if (m > 0) {
        shift = calloc((size_t)m * (size_t)np, sizeof *shift);
        if (!shift) {
            st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "standard errors");
            goto done;
        }
        const lm__msm in = {np, m, G, sd, w, runs > 1 ? cov : NULL, runs, step};
        lm__msm_result r = {out->se, shift, out->identified, 0.0};
        st = lm__msm_standard_errors(&in, &r, err);
        out->condition = r.condition;
        /* moved by: the fitted targets a step moves most, within half of the largest shift */
        for (int p = 0; st == LM_OK && p < np; ++p) {
            double most = 0.0;
            for (int a = 0; a < m; ++a)
                most = fmax(most, shift[(size_t)a * (size_t)np + (size_t)p]);
            size_t len = 0;
            out->moved_by[p][0] = '\0';
            int named = 0;
            for (int a = 0; a < m && most >= LM_MSM_MIN_SHIFT; ++a) {
                if (shift[(size_t)a * (size_t)np + (size_t)p] < 0.5 * most)
                    continue;
                if (named == 3) {
                    len += (size_t)snprintf(out->moved_by[p] + len, sizeof out->moved_by[p] - len,
                                            " ...");
                    break;
                }
                len += (size_t)snprintf(out->moved_by[p] + len, sizeof out->moved_by[p] - len,
                                        "%s%s", named ? " " : "", t->targets[fit[a]].name);
                if (len >= sizeof out->moved_by[p])
                    break;
                ++named;
            }
        }
    }
done:
    free(fit);
    free(G);
    free(sd);
    free(w);
    free(mu);
    free(cov);
    free(step);
    free(shift);
    if (st != LM_OK)
        lm__cal_se_free(out);
    return st;
}
