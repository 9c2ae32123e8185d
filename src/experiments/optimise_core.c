/* src/experiments/optimise_core.c -- the search of `longmen optimise` over a callback
 * objective (optimise.h): screening of the discrete combinations, NLopt's COBYLA over the
 * continuous levers under the budget constraint, ranking of every evaluated mix, and the
 * robustness check on fresh draws. Deterministic: the same problem and the same answers of
 * the callback give the same sequence of evaluations (COBYLA is deterministic; nlopt_srand
 * fixes NLopt's own random numbers all the same), which is what lets `--resume` replay a
 * search from its evaluation cache and carry on exactly where it stopped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nlopt.h>

#include "experiments/compare_stats.h"
#include "experiments/optimise.h"
#include "longmen/experiments.h"

#define MAX_LEVERS 16

double lm__opt_value(const lm__opt_lever *L, double u)
{
    if (!(u > 0))
        u = 0; /* also NaN */
    if (u > 1)
        u = 1;
    double v = L->lo + u * (L->hi - L->lo);
    if (L->step > 0) {
        v = L->lo + round((v - L->lo) / L->step) * L->step;
        if (v > L->hi)
            v -= L->step;
    }
    if (v < L->lo)
        v = L->lo;
    if (v > L->hi)
        v = L->hi;
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", v);
    return strtod(buf, NULL);
}

lm_status lm__opt_replicate(const lm__opt_rule *rule, lm__opt_batch_fn batch, void *user,
                            double *objective, int *runs, lm_error *err)
{
    *runs = 0;
    const bool until = rule->half > 0 && rule->max_runs > rule->first;
    const int most = until ? rule->max_runs : rule->first;
    if (rule->first < 1 || most > LM_MAX_RUNS)
        LM_FAIL(err, LM_EINVAL, "optimise: replications %d to %d: expected 1 to %d",
                rule->first, most, LM_MAX_RUNS);
    double *zero = until ? calloc((size_t)most, sizeof *zero) : NULL;
    if (until && !zero)
        LM_FAIL(err, LM_ENOMEM, "optimise --precision");
    lm_status st = LM_OK;
    int n = 0;
    for (;;) {
        const int next = n == 0 ? rule->first : lm__precision_next_runs(n, rule->first, most);
        st = batch(n, next - n, objective, user, err);
        if (st != LM_OK)
            break;
        n = next;
        if (!until || n >= most || lm__precision_reached(zero, objective, (size_t)n, rule->half))
            break;
    }
    free(zero);
    *runs = n;
    return st;
}

void lm__opt_result_fini(lm__opt_result *res)
{
    if (!res)
        return;
    free(res->evals);
    free(res->mixes);
    free(res->rob);
    memset(res, 0, sizeof *res);
}

bool lm__opt_wins_draw(const lm__opt_result *r, int d, int j)
{
    /* the draw's best objective held alone: mixes that tie (levers that do not act within
       the period give identical draws) share no win */
    const double mine = r->evals[r->rob[d * r->n_ranked + j]].out.objective;
    if (!isfinite(mine))
        return false;
    for (int i = 0; i < r->n_ranked; ++i) {
        const double o = r->evals[r->rob[d * r->n_ranked + i]].out.objective;
        if (i != j && isfinite(o) && o >= mine)
            return false;
    }
    return true;
}

static double apriori_cost(const lm__opt_problem *p, const double *mix)
{
    double c = 0;
    for (int j = 0; j < p->n_levers; ++j) {
        const lm__opt_lever *L = &p->levers[j];
        if (L->n_options == 0)
            c += L->cost_per_unit * mix[j];
        else if (L->option_cost)
            c += L->option_cost[(int)mix[j]];
    }
    return c;
}

/* The evaluation of mix on draw: from the evaluations made, else by the callback. */
static lm_status get(const lm__opt_problem *p, lm__opt_result *res, const double *mix,
                     int combo, int draw, int *idx, bool *fresh, lm_error *err)
{
    const int n = p->n_levers;
    if (fresh)
        *fresh = false;
    for (int k = 0; k < res->n_evals; ++k)
        if (res->evals[k].draw == draw && memcmp(res->evals[k].mix, mix, n * sizeof *mix) == 0) {
            *idx = k;
            return LM_OK;
        }
    if (res->n_evals == res->cap) {
        const int cap = res->cap ? 2 * res->cap : 64;
        lm__opt_eval *e = realloc(res->evals, (size_t)cap * sizeof *e);
        if (e)
            res->evals = e;
        double *m = e ? realloc(res->mixes, (size_t)cap * (size_t)n * sizeof *m) : NULL;
        if (!e || !m)
            LM_FAIL(err, LM_ENOMEM, "optimiser evaluations");
        res->mixes = m;
        res->cap = cap;
        for (int k = 0; k < res->n_evals; ++k) /* the mixes moved */
            res->evals[k].mix = res->mixes + (size_t)k * n;
    }
    lm__opt_outcome out;
    lm_status st = p->eval(mix, draw, &out, p->user, err);
    if (st != LM_OK)
        return st;
    lm__opt_eval *E = &res->evals[res->n_evals];
    E->mix = res->mixes + (size_t)res->n_evals * n;
    memcpy(E->mix, mix, n * sizeof *mix);
    E->combo = combo;
    E->draw = draw;
    E->apriori = apriori_cost(p, mix);
    E->out = out;
    E->feasible = isfinite(out.cost) && out.cost <= p->budget && E->apriori <= p->budget;
    *idx = res->n_evals++;
    if (draw == 0)
        ++res->n_search;
    if (fresh)
        *fresh = true;
    return LM_OK;
}

/* ---- COBYLA over the continuous levers of one combination ---- */

typedef struct local {
    const lm__opt_problem *p;
    lm__opt_result *res;
    int combo;
    double mix[MAX_LEVERS];
    int cont[MAX_LEVERS], n_cont;
    nlopt_opt opt;
    lm_status st;
    lm_error *err;
    int last; /* evaluation of the last point asked */
} local;

static int at(local *C, const double *u)
{
    if (C->st != LM_OK)
        return -1;
    for (int i = 0; i < C->n_cont; ++i)
        C->mix[C->cont[i]] = lm__opt_value(&C->p->levers[C->cont[i]], u[i]);
    int idx;
    C->st = get(C->p, C->res, C->mix, C->combo, 0, &idx, NULL, C->err);
    if (C->st != LM_OK) {
        nlopt_force_stop(C->opt);
        return -1;
    }
    return C->last = idx;
}

static double f_objective(unsigned n, const double *u, double *grad, void *data)
{
    (void)n, (void)grad;
    local *C = data;
    const int k = at(C, u);
    if (k < 0)
        return 0;
    const double v = C->res->evals[k].out.objective;
    return isfinite(v) ? v : -1e300;
}

static double f_cost(unsigned n, const double *u, double *grad, void *data)
{
    (void)n, (void)grad;
    local *C = data;
    const int k = at(C, u);
    if (k < 0)
        return 0;
    const double c = C->res->evals[k].out.cost;
    return isfinite(c) ? c / C->p->budget - 1 : 1e300;
}

static double f_apriori(unsigned n, const double *u, double *grad, void *data)
{
    (void)n, (void)grad;
    local *C = data;
    double m[MAX_LEVERS];
    memcpy(m, C->mix, sizeof m);
    for (int i = 0; i < C->n_cont; ++i)
        m[C->cont[i]] = lm__opt_value(&C->p->levers[C->cont[i]], u[i]);
    return apriori_cost(C->p, m) / C->p->budget - 1;
}

static double start_u(const lm__opt_lever *L)
{
    return isnan(L->start) ? 0.5 : (L->start - L->lo) / (L->hi - L->lo);
}

static lm_status refine(const lm__opt_problem *p, lm__opt_result *res, const double *mix,
                        int combo, int max_new, lm_error *err)
{
    local C = {.p = p, .res = res, .combo = combo, .st = LM_OK, .err = err, .last = -1};
    memcpy(C.mix, mix, (size_t)p->n_levers * sizeof *mix);
    bool priced = false;
    for (int j = 0; j < p->n_levers; ++j)
        if (p->levers[j].n_options == 0) {
            C.cont[C.n_cont++] = j;
            priced = priced || p->levers[j].cost_per_unit != 0;
        }
    double u[MAX_LEVERS], lb[MAX_LEVERS], ub[MAX_LEVERS];
    for (int i = 0; i < C.n_cont; ++i) {
        u[i] = start_u(&p->levers[C.cont[i]]);
        lb[i] = 0;
        ub[i] = 1;
    }
    C.opt = nlopt_create(NLOPT_LN_COBYLA, (unsigned)C.n_cont);
    if (!C.opt)
        LM_FAIL(err, LM_ENOMEM, "NLopt");
    nlopt_set_lower_bounds(C.opt, lb);
    nlopt_set_upper_bounds(C.opt, ub);
    nlopt_set_max_objective(C.opt, f_objective, &C);
    nlopt_add_inequality_constraint(C.opt, f_cost, &C, 1e-9);
    if (priced)
        nlopt_add_inequality_constraint(C.opt, f_apriori, &C, 1e-9);
    nlopt_set_initial_step1(C.opt, 0.25);
    nlopt_set_xtol_abs1(C.opt, 1e-4);
    nlopt_set_maxeval(C.opt, max_new + 1); /* + the start point, evaluated by the screening */
    double best = 0;
    (void)nlopt_optimize(C.opt, u, &best); /* every evaluation is kept; the result is not */
    nlopt_destroy(C.opt);
    return C.st;
}

/* ---- ranking ---- */

static const lm__opt_result *sort_r;

/* Better first: feasible, higher objective, lower cost, earlier. */
static int better(int a, int b, const lm__opt_result *r)
{
    const lm__opt_eval *A = &r->evals[a], *B = &r->evals[b];
    if (A->feasible != B->feasible)
        return A->feasible ? -1 : 1;
    const double oa = isfinite(A->out.objective) ? A->out.objective : -INFINITY;
    const double ob = isfinite(B->out.objective) ? B->out.objective : -INFINITY;
    if (A->feasible && oa != ob)
        return oa > ob ? -1 : 1;
    if (A->out.cost != B->out.cost) /* infeasible: the cheapest first */
        return A->out.cost < B->out.cost ? -1 : 1;
    if (oa != ob)
        return oa > ob ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int cmp_idx(const void *a, const void *b)
{
    return better(*(const int *)a, *(const int *)b, sort_r);
}

static bool distinct(const lm__opt_problem *p, const lm__opt_eval *a, const lm__opt_eval *b)
{
    if (a->combo != b->combo)
        return true;
    for (int j = 0; j < p->n_levers; ++j) {
        const lm__opt_lever *L = &p->levers[j];
        if (L->n_options == 0 && fabs(a->mix[j] - b->mix[j]) > p->distinct * (L->hi - L->lo))
            return true;
    }
    return false;
}

static lm_status rank(const lm__opt_problem *p, lm__opt_result *res, lm_error *err)
{
    int *idx = malloc((size_t)(res->n_evals ? res->n_evals : 1) * sizeof *idx);
    if (!idx)
        LM_FAIL(err, LM_ENOMEM, "ranking");
    int n = 0;
    for (int k = 0; k < res->n_evals; ++k)
        if (res->evals[k].draw == 0)
            idx[n++] = k;
    sort_r = res;
    qsort(idx, (size_t)n, sizeof *idx, cmp_idx);
    const int want = 1 + (p->runner_ups < 0 ? 0 : p->runner_ups);
    const int max = want < 32 ? want : 32;
    res->n_ranked = 0;
    for (int i = 0; i < n && res->n_ranked < max; ++i) {
        const lm__opt_eval *E = &res->evals[idx[i]];
        if (!E->feasible)
            break;
        bool ok = true;
        for (int j = 0; j < res->n_ranked && ok; ++j)
            ok = distinct(p, E, &res->evals[res->ranked[j]]);
        if (ok)
            res->ranked[res->n_ranked++] = idx[i];
    }
    free(idx);
    return LM_OK;
}

/* ---- the whole search ---- */

lm_status lm__opt_run(const lm__opt_problem *p, lm__opt_result *res, lm_error *err)
{
    memset(res, 0, sizeof *res);
    lm_error_clear(err);
    if (p->n_levers < 1 || p->n_levers > MAX_LEVERS)
        LM_FAIL(err, LM_EINVAL, "optimise: expected 1 to %d levers", MAX_LEVERS);
    if (!(p->budget > 0) || !isfinite(p->budget))
        LM_FAIL(err, LM_EINVAL, "optimise: the budget must be a positive number");
    int disc[MAX_LEVERS], n_disc = 0, n_cont = 0;
    long long combos = 1;
    for (int j = 0; j < p->n_levers; ++j) {
        const lm__opt_lever *L = &p->levers[j];
        if (L->n_options > 0) {
            disc[n_disc++] = j;
            combos *= L->n_options;
        } else {
            if (!(L->hi > L->lo))
                LM_FAIL(err, LM_EINVAL, "optimise: lever %d: expected lo < hi", j + 1);
            ++n_cont;
        }
        if (combos > 4096)
            LM_FAIL(err, LM_EINVAL, "optimise: more than 4096 combinations of discrete levers");
    }
    nlopt_srand(p->seed);
    res->n_combos = (int)combos;
    int *screened = malloc((size_t)combos * sizeof *screened);
    if (!screened)
        LM_FAIL(err, LM_ENOMEM, "optimiser");
    int n_screened = 0;
    lm_status st = LM_OK;

    /* 1. screening: every combination that can fit, at the start values */
    double mix[MAX_LEVERS];
    for (long long c = 0; st == LM_OK && c < combos; ++c) {
        long long rest = c;
        double floor_cost = 0;
        for (int i = n_disc - 1; i >= 0; --i) {
            const lm__opt_lever *L = &p->levers[disc[i]];
            const int o = (int)(rest % L->n_options);
            rest /= L->n_options;
            mix[disc[i]] = o;
            if (L->option_cost)
                floor_cost += L->option_cost[o];
        }
        for (int j = 0; j < p->n_levers; ++j) {
            const lm__opt_lever *L = &p->levers[j];
            if (L->n_options > 0)
                continue;
            mix[j] = lm__opt_value(L, start_u(L));
            floor_cost += fmin(L->cost_per_unit * L->lo, L->cost_per_unit * L->hi);
        }
        if (floor_cost > p->budget) {
            ++res->n_pruned;
            continue;
        }
        int k;
        st = get(p, res, mix, (int)c, 0, &k, NULL, err);
        if (st == LM_OK)
            screened[n_screened++] = k;
    }

    /* 2. COBYLA over the continuous levers of the best screened combinations */
    if (st == LM_OK && n_cont > 0 && n_screened > 0) {
        sort_r = res;
        qsort(screened, (size_t)n_screened, sizeof *screened, cmp_idx);
        /* k combinations planned, the evaluations shared evenly; what one leaves unused
         * (COBYLA converged, or rounding to a step made it ask for a mix already evaluated)
         * goes to the next, and to further combinations while a full share remains. */
        const int per_min = 2 * (n_cont + 1) > 6 ? 2 * (n_cont + 1) : 6;
        int remaining = p->evals - res->n_search;
        int k = remaining / per_min;
        if (k > n_screened)
            k = n_screened;
        if (k < 1 && remaining > 0)
            k = 1;
        for (int i = 0; st == LM_OK && i < n_screened && remaining > 0; ++i) {
            if (i >= k && remaining < per_min)
                break;
            const int left = k - i > 1 ? k - i : 1;
            const int share = (remaining + left - 1) / left;
            const lm__opt_eval *E = &res->evals[screened[i]];
            double m[MAX_LEVERS];
            memcpy(m, E->mix, (size_t)p->n_levers * sizeof *m);
            const int before = res->n_search;
            st = refine(p, res, m, E->combo, share, err);
            remaining -= res->n_search - before;
            ++res->n_local;
        }
    }
    free(screened);
    if (st != LM_OK)
        return st;
    if ((st = rank(p, res, err)) != LM_OK)
        return st;

    /* 3. robustness: the ranked mixes again on fresh draws */
    if (p->redraws > 0 && res->n_ranked > 0) {
        res->rob = malloc((size_t)p->redraws * (size_t)res->n_ranked * sizeof *res->rob);
        double *means = malloc((size_t)p->redraws * sizeof *means);
        if (!res->rob || !means) {
            free(means);
            LM_FAIL(err, LM_ENOMEM, "robustness");
        }
        for (int d = 0; st == LM_OK && d < p->redraws; ++d) {
            for (int j = 0; st == LM_OK && j < res->n_ranked; ++j) {
                const lm__opt_eval *E = &res->evals[res->ranked[j]];
                memcpy(mix, E->mix, (size_t)p->n_levers * sizeof *mix);
                int k;
                st = get(p, res, mix, E->combo, d + 1, &k, NULL, err);
                if (st != LM_OK)
                    break;
                res->rob[d * res->n_ranked + j] = k;
            }
            if (st != LM_OK)
                break;
            const lm__opt_eval *B = &res->evals[res->rob[d * res->n_ranked]];
            res->best_stays += lm__opt_wins_draw(res, d, 0);
            res->best_feasible += B->feasible;
            means[d] = B->out.objective;
            res->n_draws = d + 1;
        }
        if (st == LM_OK)
            res->fresh_mean = lm_stats_mean_ci90(means, (size_t)res->n_draws, &res->fresh_lo,
                                                 &res->fresh_hi, NULL);
        free(means);
    }
    return st;
}
