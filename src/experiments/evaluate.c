/* src/experiments/evaluate.c -- one scenario variant simulated R times in memory and reduced to
 * rows of moments (evaluate.h), for calibrate and optimise.
 *
 * Replication i simulates with the base seed and run index run0 + i (common random numbers
 * across variants). Items are split over ranks by lm__par_mine and over OpenMP threads
 * dynamically, one replication at a time, each simulation single-threaded; every replication
 * writes only its own row, so the rows, and whatever the caller computes from them, do not
 * depend on the thread or rank count. A failure of replication f stops the replications
 * after f (i > f) after their month, never those before it, so the replications before the
 * first failing one always finish: the error returned is that of the first replication in
 * replication order that fails, the same for any thread count when the failure is a
 * property of the replication. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "experiments/evaluate.h"
#include "experiments/parallel.h"

/* Per-replication outcome. */
enum { REP_PENDING, REP_OK, REP_FAILED, REP_STOPPED };

typedef struct eval_state {
    const lm_scenario *sc;
    const lm__eval_config *cfg;
    double *out;
    unsigned char *state; /* REP_* per replication */
    lm_status *st;        /* per replication, REP_FAILED */
    lm_error *errs;       /* per replication, REP_FAILED */
    int first_failed;     /* lowest failing replication, INT_MAX none: later ones stop */
} eval_state;

/* Replication i stops when the user stops the job or a replication before it failed. */
static bool stop_raised(const eval_state *E, int i)
{
    int first;
#pragma omp atomic read
    first = E->first_failed;
    return first < i || (E->cfg->stop_flag && *E->cfg->stop_flag);
}

static void one(eval_state *E, int i)
{
    const lm__eval_config *cfg = E->cfg;
    lm_error *e = &E->errs[i];
    lm_error_clear(e);
    double *row = E->out + (size_t)i * (size_t)cfg->n_moments;
    const lm_sim_config sc = {.seed = cfg->seed, .run = cfg->run0 + (uint32_t)i, .threads = 1};
    lm_sim *sim = NULL;
    lm_status st = stop_raised(E, i) ? LM_EINTR : lm_sim_create(E->sc, &sc, &sim, e);
    while (st == LM_OK && !lm_sim_done(sim)) {
        if (stop_raised(E, i)) {
            st = LM_EINTR;
            break;
        }
        st = lm_sim_step(sim, e);
    }
    if (st == LM_OK)
        st = cfg->moments(E->sc, sim, row, cfg->user, e);
    lm_sim_destroy(sim);
    if (st == LM_OK) {
        E->state[i] = REP_OK;
    } else if (st == LM_EINTR) {
        E->state[i] = REP_STOPPED;
    } else {
        E->state[i] = REP_FAILED;
        E->st[i] = st;
#pragma omp critical(lm_eval_first_failed)
        {
            int first;
#pragma omp atomic read
            first = E->first_failed;
            if (i < first) {
#pragma omp atomic write
                E->first_failed = i;
            }
        }
    }
}

lm_status lm__evaluate(const lm_scenario *sc, const lm__eval_config *cfg, double *out,
                       lm_error *err)
{
    lm_error_clear(err);
    if (!sc || !cfg || !out || !cfg->moments || cfg->runs < 1 || cfg->n_moments < 0)
        LM_FAIL(err, LM_EINVAL, "evaluation: bad arguments");
    const int runs = cfg->runs;
    const size_t cells = (size_t)runs * (size_t)cfg->n_moments;
    for (size_t k = 0; k < cells; ++k)
        out[k] = NAN;

    eval_state E = {.sc = sc, .cfg = cfg, .out = out, .first_failed = INT_MAX};
    E.state = calloc((size_t)runs, sizeof *E.state);
    E.st = calloc((size_t)runs, sizeof *E.st);
    E.errs = calloc((size_t)runs, sizeof *E.errs);
    int *mine = calloc((size_t)runs, sizeof *mine);
    lm_status st = LM_OK;
    if (!E.state || !E.st || !E.errs || !mine)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "evaluation state");

    int n_mine = 0;
    for (int i = 0; st == LM_OK && i < runs; ++i)
        if (lm__par_mine(i))
            mine[n_mine++] = i;

    if (st == LM_OK && n_mine > 0) {
        int nt = cfg->threads;
#ifdef _OPENMP
        if (nt <= 0)
            nt = omp_get_max_threads();
#endif
        if (nt < 1)
            nt = 1;
        if (nt > n_mine)
            nt = n_mine;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
        for (int k = 0; k < n_mine; ++k)
            one(&E, mine[k]);

        /* The first real failure in replication order; else an interruption. */
        bool stopped = false;
        for (int k = 0; k < n_mine; ++k) {
            const int i = mine[k];
            if (E.state[i] == REP_FAILED) {
                *err = E.errs[i];
                st = E.st[i];
                break;
            }
            if (E.state[i] == REP_STOPPED)
                stopped = true;
        }
        if (st == LM_OK && stopped)
            st = lm_error_set(err, LM_EINTR, __FILE__, __LINE__, "interrupted");
    }
    free(E.state);
    free(E.st);
    free(E.errs);
    free(mine);

    /* Every rank takes part in both collectives, in the same order. */
    st = lm__par_agree(st, err);
    if (st == LM_OK)
        st = lm__par_allgather_rows(out, runs, cfg->n_moments, err);
    return st;
}
