/* src/experiments/msm.c -- standard errors and identification of a method-of-simulated-
 * moments fit (msm.h). The estimate minimises Q = (m(θ) - t)' W (m(θ) - t); to first order
 * θ̂ - θ = -(G'WG)^-1 G'W e, e the error of the moments' gap: the targets' own error (their
 * standard errors, S) plus the simulation's (one replication's covariance over the runs
 * averaged), independent of each other. Hence the sandwich V = A^-1 B A^-1.
 * The algebra runs on parameters measured in their steps (θ_p / step_p): parameters whose
 * units differ by 10^8 (founders a month per person against founders a month) would
 * otherwise make G'WG look singular to any test of its condition number, which must say
 * whether the targets tell the parameters apart, not what units they are in. */
#include "experiments/msm.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>

#include "longmen/error.h"

static double w_of(const lm__msm *in, int i)
{
    return in->weight[i] / (in->sd[i] * in->sd[i]);
}

/* Σ_ij = S_ij + sim_cov_ij / runs, the covariance of the gap between mean moment and target. */
static double sigma_of(const lm__msm *in, int i, int j)
{
    double s = i == j ? in->sd[i] * in->sd[i] : 0.0;
    if (in->sim_cov && in->runs > 0)
        s += in->sim_cov[(size_t)i * (size_t)in->n_mom + (size_t)j] / in->runs;
    return s;
}

lm_status lm__msm_standard_errors(const lm__msm *in, lm__msm_result *r, lm_error *err)
{
    const int P = in->n_par, M = in->n_mom;
    int idx[64], k = 0;
    if (P > 64)
        LM_FAIL(err, LM_EINVAL, "standard errors: %d parameters, at most 64", P);
    for (int p = 0; p < P; ++p) {
        double most = 0.0;
        for (int i = 0; i < M; ++i) {
            const double d = fabs(in->jac[(size_t)i * (size_t)P + (size_t)p] * in->step[p]) /
                             in->sd[i];
            r->shift[(size_t)i * (size_t)P + (size_t)p] = d;
            if (d > most)
                most = d;
        }
        r->identified[p] = most >= LM_MSM_MIN_SHIFT;
        r->se[p] = NAN;
        if (r->identified[p])
            idx[k++] = p;
    }
    r->condition = INFINITY;
    if (k == 0)
        return LM_OK;
    gsl_matrix *A = gsl_matrix_calloc((size_t)k, (size_t)k);
    gsl_matrix *V = gsl_matrix_alloc((size_t)k, (size_t)k);
    gsl_matrix *WG = gsl_matrix_alloc((size_t)M, (size_t)k);  /* W G */
    gsl_matrix *B = gsl_matrix_calloc((size_t)k, (size_t)k);
    gsl_matrix *Ainv = gsl_matrix_calloc((size_t)k, (size_t)k);
    gsl_matrix *Vm = gsl_matrix_alloc((size_t)k, (size_t)k);
    gsl_vector *s = gsl_vector_alloc((size_t)k), *work = gsl_vector_alloc((size_t)k);
    lm_status st = LM_OK;
    if (!A || !V || !WG || !B || !Ainv || !Vm || !s || !work) {
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "standard errors");
        goto done;
    }
    /* G in step units: d moment / d (θ / step) */
#define G_OF(i, a) (in->jac[(size_t)(i) * (size_t)P + (size_t)idx[a]] * in->step[idx[a]])
    for (int i = 0; i < M; ++i)
        for (int a = 0; a < k; ++a)
            gsl_matrix_set(WG, (size_t)i, (size_t)a, w_of(in, i) * G_OF(i, a));
    /* A = G'WG, B = (WG)' Σ (WG), summed in a fixed order */
    for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) {
            double sa = 0.0, sb = 0.0;
            for (int i = 0; i < M; ++i) {
                sa += G_OF(i, a) * gsl_matrix_get(WG, (size_t)i, (size_t)b);
                for (int j = 0; j < M; ++j)
                    sb += gsl_matrix_get(WG, (size_t)i, (size_t)a) * sigma_of(in, i, j) *
                          gsl_matrix_get(WG, (size_t)j, (size_t)b);
            }
            gsl_matrix_set(A, (size_t)a, (size_t)b, sa);
            gsl_matrix_set(B, (size_t)a, (size_t)b, sb);
        }
    /* A^-1 = V S^-1 U' from A = U S V' (A is symmetric positive semi-definite) */
    gsl_matrix_memcpy(V, A);
    gsl_matrix *U = V; /* decomposed in place: V holds U after the call */
    if (gsl_linalg_SV_decomp(U, Vm, s, work) != 0) {
        st = lm_error_set(err, LM_EINVAL, __FILE__, __LINE__,
                          "standard errors: the singular value decomposition failed");
    } else {
        const double smax = gsl_vector_get(s, 0), smin = gsl_vector_get(s, (size_t)k - 1);
        r->condition = smin > 0.0 ? smax / smin : INFINITY;
        if (smin > smax * 1e-12) {
            for (int a = 0; a < k; ++a)
                for (int b = 0; b < k; ++b) {
                    double v = 0.0;
                    for (int c = 0; c < k; ++c)
                        v += gsl_matrix_get(Vm, (size_t)a, (size_t)c) *
                             gsl_matrix_get(U, (size_t)b, (size_t)c) / gsl_vector_get(s, (size_t)c);
                    gsl_matrix_set(Ainv, (size_t)a, (size_t)b, v);
                }
            for (int a = 0; a < k; ++a) { /* diag of Ainv B Ainv */
                double v = 0.0;
                for (int b = 0; b < k; ++b)
                    for (int c = 0; c < k; ++c)
                        v += gsl_matrix_get(Ainv, (size_t)a, (size_t)b) *
                             gsl_matrix_get(B, (size_t)b, (size_t)c) *
                             gsl_matrix_get(Ainv, (size_t)c, (size_t)a);
                /* back from step units */
                r->se[idx[a]] = v >= 0.0 ? sqrt(v) * fabs(in->step[idx[a]]) : NAN;
            }
        }
    }
#undef G_OF
done:
    gsl_matrix_free(Vm);
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_matrix_free(WG);
    gsl_matrix_free(B);
    gsl_matrix_free(Ainv);
    gsl_vector_free(s);
    gsl_vector_free(work);
    return st;
}
