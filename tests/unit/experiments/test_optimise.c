/* tests/unit/experiments/test_optimise.c -- the search of `longmen optimise` on synthetic
 * objectives (src/experiments/optimise_core.c): the known optimum of a concave objective
 * under a linear budget (maximise sum a_i sqrt(x_i) s.t. sum c_i x_i <= B: x_i proportional
 * to (a_i / c_i)^2), with a discrete switch that must be taken or left depending on its
 * bonus; determinism; the budget is never exceeded by the best mix; the robustness count on
 * a noisy objective, recomputed by hand; screening prunes combinations by a-priori cost; the
 * per-mix rule of --precision (batches in run-index order until the 90% half-width of the
 * mean is narrow enough, or max_runs) on a synthetic evaluator. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "experiments/optimise.h"
#include "longmen/experiments.h"

/* ---- the concave objective ---- */

typedef struct concave {
    double a[3], c[3];
    double bonus, switch_cost; /* lever 3: option 1 adds bonus and costs switch_cost */
    int calls;
} concave;

static lm_status concave_eval(const double *mix, int draw, lm__opt_outcome *out, void *user,
                              lm_error *err)
{
    (void)draw, (void)err;
    concave *C = user;
    ++C->calls;
    double f = 0, cost = 0;
    for (int i = 0; i < 3; ++i) {
        f += C->a[i] * sqrt(mix[i]);
        cost += C->c[i] * mix[i];
    }
    if (mix[3] == 1) {
        f += C->bonus;
        cost += C->switch_cost;
    }
    *out = (lm__opt_outcome){f, f, f, cost, cost, cost, 1};
    return LM_OK;
}

static const double switch_costs[2] = {0, 0};

static void setup_concave(lm__opt_lever lv[4], lm__opt_problem *p, concave *C, double bonus)
{
    *C = (concave){.a = {1, 2, 3}, .c = {1, 1, 2}, .bonus = bonus, .switch_cost = 3};
    for (int i = 0; i < 3; ++i)
        lv[i] = (lm__opt_lever){.lo = 0, .hi = 10, .start = NAN};
    lv[3] = (lm__opt_lever){.n_options = 2, .option_cost = switch_costs};
    *p = (lm__opt_problem){.levers = lv,
                           .n_levers = 4,
                           .budget = 10,
                           .evals = 400,
                           .runner_ups = 3,
                           .distinct = 0.05,
                           .seed = 7,
                           .eval = concave_eval,
                           .user = C};
}

/* The analytic optimum for budget B: x_i = lambda (a_i/c_i)^2, sum c_i x_i = B. */
static double optimum(const concave *C, double B, double x[3])
{
    double s = 0;
    for (int i = 0; i < 3; ++i)
        s += C->a[i] * C->a[i] / C->c[i];
    const double lambda = B / s;
    for (int i = 0; i < 3; ++i)
        x[i] = lambda * (C->a[i] / C->c[i]) * (C->a[i] / C->c[i]);
    return sqrt(lambda) * s;
}

Test(optimise, concave_optimum_under_budget_without_the_switch)
{
    lm__opt_lever lv[4];
    lm__opt_problem p;
    concave C;
    setup_concave(lv, &p, &C, 1.0); /* the switch is worth 1 but leaves 7 for the rest */
    lm__opt_result r;
    lm_error err;
    cr_assert_eq(lm__opt_run(&p, &r, &err), LM_OK, "%s", err.message);
    double x[3];
    const double fstar = optimum(&C, 10, x); /* 9.5 sqrt(10/9.5) = 9.7468 */
    cr_assert_float_eq(fstar, 9.746794, 1e-5);
    const double fswitch = optimum(&C, 7, x) + 1; /* 9.155: worse */
    cr_assert(fswitch < fstar);
    optimum(&C, 10, x);
    cr_assert_geq(r.n_ranked, 1);
    const lm__opt_eval *B = &r.evals[r.ranked[0]];
    cr_assert_eq(B->mix[3], 0, "the switch is not worth its cost");
    cr_assert_leq(B->out.cost, 10.0, "the best mix keeps the budget: %g", B->out.cost);
    cr_assert_geq(B->out.objective, fstar * 0.995, "objective %g, optimum %g", B->out.objective,
                  fstar);
    for (int i = 0; i < 3; ++i)
        cr_assert(fabs(B->mix[i] - x[i]) < 0.35, "x%d = %g, optimum %g", i, B->mix[i], x[i]);
    cr_assert_leq(r.n_search, p.evals + r.n_combos);
    cr_assert_eq(r.n_combos, 2);
    /* runner-ups are feasible, distinct and not better */
    for (int j = 1; j < r.n_ranked; ++j) {
        const lm__opt_eval *E = &r.evals[r.ranked[j]];
        cr_assert(E->feasible);
        cr_assert_leq(E->out.objective, B->out.objective);
    }
    lm__opt_result_fini(&r);
}

Test(optimise, concave_optimum_with_the_switch)
{
    lm__opt_lever lv[4];
    lm__opt_problem p;
    concave C;
    setup_concave(lv, &p, &C, 2.0); /* now 9.5 sqrt(7/9.5) + 2 = 10.155 beats 9.747 */
    lm__opt_result r;
    lm_error err;
    cr_assert_eq(lm__opt_run(&p, &r, &err), LM_OK, "%s", err.message);
    double x[3];
    const double fstar = optimum(&C, 7, x) + 2;
    cr_assert_float_eq(fstar, 10.15475, 1e-4);
    const lm__opt_eval *B = &r.evals[r.ranked[0]];
    cr_assert_eq(B->mix[3], 1);
    cr_assert_leq(B->out.cost, 10.0);
    cr_assert_geq(B->out.objective, fstar * 0.995, "objective %g, optimum %g", B->out.objective,
                  fstar);
    for (int i = 0; i < 3; ++i)
        cr_assert(fabs(B->mix[i] - x[i]) < 0.35, "x%d = %g, optimum %g", i, B->mix[i], x[i]);
    /* the runner-up of another combination is the best mix without the switch */
    bool other = false;
    for (int j = 1; j < r.n_ranked; ++j)
        other = other || r.evals[r.ranked[j]].mix[3] == 0;
    cr_assert(other, "a mix without the switch is among the runner-ups");
    lm__opt_result_fini(&r);
}

Test(optimise, deterministic)
{
    lm__opt_lever lv[4];
    lm__opt_problem p;
    concave C1, C2;
    lm__opt_result r1, r2;
    lm_error err;
    setup_concave(lv, &p, &C1, 1.0);
    p.evals = 60;
    cr_assert_eq(lm__opt_run(&p, &r1, &err), LM_OK);
    p.user = &C2;
    C2 = C1;
    C2.calls = 0;
    cr_assert_eq(lm__opt_run(&p, &r2, &err), LM_OK);
    cr_assert_eq(r1.n_evals, r2.n_evals);
    cr_assert_eq(C1.calls, C2.calls);
    cr_assert_eq(C1.calls, r1.n_evals, "every mix is evaluated once");
    for (int k = 0; k < r1.n_evals; ++k)
        cr_assert(memcmp(r1.evals[k].mix, r2.evals[k].mix, 4 * sizeof(double)) == 0);
    cr_assert_eq(r1.n_ranked, r2.n_ranked);
    for (int j = 0; j < r1.n_ranked; ++j)
        cr_assert_eq(r1.ranked[j], r2.ranked[j]);
    /* the evaluation budget is kept: screening (2) + at most evals more */
    cr_assert_leq(r1.n_search, 60 + 2);
    lm__opt_result_fini(&r1);
    lm__opt_result_fini(&r2);
}

/* ---- a priori costs prune combinations ---- */

Test(optimise, apriori_cost_prunes)
{
    /* levers: x0 in [0, 10] at 1 CNY a unit a priori; two levers pinned near 0 (the
     * objective's x1, x2); a switch whose option 2 (20 a year) can never fit a budget of 10.
     * Objective sqrt(x0); simulated cost x0. */
    static const double cost3[3] = {0, 5, 20};
    lm__opt_lever lv[4] = {{.lo = 0, .hi = 10, .start = 2, .cost_per_unit = 1},
                           {.lo = 0, .hi = 0.001, .start = 0},
                           {.lo = 0, .hi = 0.001, .start = 0},
                           {.n_options = 3, .option_cost = cost3}};
    concave C = {.a = {1, 0, 0}, .c = {1, 0, 0}};
    lm__opt_problem p = {.levers = lv, .n_levers = 4, .budget = 10, .evals = 40,
                         .runner_ups = 2, .distinct = 0.05, .seed = 1, .eval = concave_eval,
                         .user = &C};
    lm__opt_result r;
    lm_error err;
    cr_assert_eq(lm__opt_run(&p, &r, &err), LM_OK, "%s", err.message);
    cr_assert_eq(r.n_combos, 3);
    cr_assert_eq(r.n_pruned, 1);
    for (int k = 0; k < r.n_evals; ++k) {
        cr_assert_neq(r.evals[k].mix[3], 2, "a pruned combination is never simulated");
        cr_assert(r.evals[k].apriori >= r.evals[k].mix[0] - 1e-12);
    }
    /* best: option 0 (free) with x0 = 10, the a-priori cost exactly at the budget */
    const lm__opt_eval *B = &r.evals[r.ranked[0]];
    cr_assert_eq(B->mix[3], 0);
    cr_assert(B->mix[0] > 9.5, "x0 = %g", B->mix[0]);
    lm__opt_result_fini(&r);
}

/* ---- robustness on a noisy objective ---- */

typedef struct noisy {
    double base[3];
    double spread;
} noisy;

/* A uniform number in [-1, 1] from (draw, option): splitmix64. */
static double noise(int draw, int option)
{
    uint64_t z = (uint64_t)draw * 0x9E3779B97F4A7C15ull + (uint64_t)option * 0xBF58476D1CE4E5B9ull +
                 12345;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0 * 2 - 1;
}

static lm_status noisy_eval(const double *mix, int draw, lm__opt_outcome *out, void *user,
                            lm_error *err)
{
    (void)err;
    const noisy *N = user;
    const int o = (int)mix[0];
    /* draw 0: option 0 leads by construction (the search must pick it) */
    const double f = N->base[o] + (draw == 0 ? (o == 0 ? 1 : 0) : N->spread * noise(draw, o));
    *out = (lm__opt_outcome){f, f - 1, f + 1, 1, 1, 1, 1};
    return LM_OK;
}

static int expected_stays(const noisy *N, int draws)
{
    int stays = 0;
    for (int d = 1; d <= draws; ++d) {
        const double b = N->base[0] + N->spread * noise(d, 0);
        bool best = true;
        for (int o = 1; o < 3; ++o)
            if (N->base[o] + N->spread * noise(d, o) > b)
                best = false;
        stays += best;
    }
    return stays;
}

Test(optimise, robustness_count)
{
    lm__opt_lever lv[1] = {{.n_options = 3}};
    noisy N = {.base = {5, 4.9, 0}, .spread = 1};
    lm__opt_problem p = {.levers = lv, .n_levers = 1, .budget = 2, .evals = 10, .runner_ups = 2,
                         .redraws = 40, .distinct = 0.05, .seed = 3, .eval = noisy_eval,
                         .user = &N};
    lm__opt_result r;
    lm_error err;
    cr_assert_eq(lm__opt_run(&p, &r, &err), LM_OK, "%s", err.message);
    cr_assert_eq(r.n_ranked, 3);
    cr_assert_eq(r.evals[r.ranked[0]].mix[0], 0);
    cr_assert_eq(r.n_draws, 40);
    const int want = expected_stays(&N, 40);
    cr_assert(want > 5 && want < 35, "the case is close: %d of 40", want);
    cr_assert_eq(r.best_stays, want);
    cr_assert_eq(r.best_feasible, 40);
    /* fresh estimate: mean of option 0's draw means */
    double m = 0;
    for (int d = 1; d <= 40; ++d)
        m += 5 + noise(d, 0);
    cr_assert_float_eq(r.fresh_mean, m / 40, 1e-9);
    cr_assert(r.fresh_lo < r.fresh_mean && r.fresh_mean < r.fresh_hi);
    lm__opt_result_fini(&r);

    /* a clear winner stays best on every draw */
    N = (noisy){.base = {5, 2, 0}, .spread = 1};
    cr_assert_eq(lm__opt_run(&p, &r, &err), LM_OK);
    cr_assert_eq(r.best_stays, 40);
    lm__opt_result_fini(&r);
}

Test(optimise, nothing_feasible)
{
    lm__opt_lever lv[1] = {{.n_options = 3}};
    noisy N = {.base = {5, 4.9, 0}, .spread = 1};
    lm__opt_problem p = {.levers = lv, .n_levers = 1, .budget = 0.5, .evals = 10,
                         .runner_ups = 2, .redraws = 3, .distinct = 0.05, .seed = 3,
                         .eval = noisy_eval, .user = &N};
    lm__opt_result r;
    lm_error err;
    cr_assert_eq(lm__opt_run(&p, &r, &err), LM_OK);
    cr_assert_eq(r.n_ranked, 0, "cost 1 > budget 0.5 everywhere");
    cr_assert_eq(r.n_draws, 0);
    lm__opt_result_fini(&r);
}

Test(optimise, value_rounding)
{
    const lm__opt_lever L = {.lo = 1e8, .hi = 3e9, .step = 1e7};
    cr_assert_float_eq(lm__opt_value(&L, 0), 1e8, 0);
    cr_assert_float_eq(lm__opt_value(&L, 1), 3e9, 0);
    cr_assert_float_eq(lm__opt_value(&L, 0.5), 1.55e9, 0);
    cr_assert_float_eq(lm__opt_value(&L, -3), 1e8, 0);
    cr_assert_float_eq(lm__opt_value(&L, NAN), 1e8, 0);
    const lm__opt_lever M = {.lo = 0, .hi = 1};
    cr_assert_eq(lm__opt_value(&M, 1.0 / 3), 0.333333333333333);
}

/* ---- the per-mix rule of --precision ---- */

/* A replication's value depends on its run index alone (as a simulation's does): spread times
 * a fixed pseudo-random number in [-1, 1]. The batches asked are recorded. */
typedef struct batches {
    double spread;
    int first[64], n[64], calls;
    int fail_at; /* the call that fails (0: none) */
} batches;

static double run_value(double spread, int run)
{
    uint64_t z = (uint64_t)run * 0x9E3779B97F4A7C15ull + 12345;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return 3 + spread * ((double)(z >> 11) / 9007199254740992.0 * 2 - 1);
}

static lm_status batch_eval(int first, int n, double *objective, void *user, lm_error *err)
{
    batches *B = user;
    if (B->calls < 64) {
        B->first[B->calls] = first;
        B->n[B->calls] = n;
    }
    if (++B->calls == B->fail_at)
        return lm_error_set(err, LM_EINTR, __FILE__, __LINE__, "interrupted");
    for (int i = first; i < first + n; ++i)
        objective[i] = run_value(B->spread, i);
    return LM_OK;
}

/* The smallest multiple of step (capped at max) whose 90% half-width is at most h, computed
 * with the public interval rather than the rule's function. */
static int expected_runs(double spread, int step, int max, double h)
{
    double v[400];
    for (int n = step;; n = n + step < max ? n + step : max) {
        for (int i = 0; i < n; ++i)
            v[i] = run_value(spread, i);
        double lo, hi;
        lm_stats_mean_ci90(v, (size_t)n, &lo, &hi, NULL);
        if ((hi - lo) / 2 <= h || n == max)
            return n;
    }
}

Test(optimise, precision_rule_stops_where_it_should)
{
    double v[400], plain[400];
    lm_error err;
    batches B = {.spread = 2};
    const lm__opt_rule rule = {.half = 0.3, .first = 4, .max_runs = 200};
    const int want = expected_runs(2, 4, 200, 0.3);
    cr_assert(want > 8 && want < 200, "the case needs several batches: %d", want);
    int runs = -1;
    cr_assert_eq(lm__opt_replicate(&rule, batch_eval, &B, v, &runs, &err), LM_OK);
    cr_assert_eq(runs, want);
    /* batches of 4 in run-index order, each where the last ended */
    cr_assert_eq(B.calls, want / 4);
    for (int c = 0; c < B.calls; ++c) {
        cr_assert_eq(B.first[c], 4 * c);
        cr_assert_eq(B.n[c], 4);
    }
    /* the values are those of one evaluation of the final count */
    batches P = {.spread = 2};
    const lm__opt_rule one = {.half = 0, .first = want, .max_runs = want};
    int n_plain = -1;
    cr_assert_eq(lm__opt_replicate(&one, batch_eval, &P, plain, &n_plain, &err), LM_OK);
    cr_assert_eq(n_plain, want);
    cr_assert_eq(P.calls, 1);
    cr_assert_eq(memcmp(v, plain, (size_t)want * sizeof *v), 0);
    /* the half-width one batch earlier was still too wide */
    double lo, hi;
    lm_stats_mean_ci90(v, (size_t)(want - 4), &lo, &hi, NULL);
    cr_assert_gt((hi - lo) / 2, 0.3);
    lm_stats_mean_ci90(v, (size_t)want, &lo, &hi, NULL);
    cr_assert_leq((hi - lo) / 2, 0.3);
}

Test(optimise, precision_rule_per_mix_and_its_limits)
{
    double v[400];
    lm_error err;
    int runs;
    /* a quiet mix stops sooner than a noisy one under the same rule */
    const lm__opt_rule rule = {.half = 0.3, .first = 4, .max_runs = 200};
    batches Q = {.spread = 0.5}, N = {.spread = 2};
    int quiet, noisy_runs;
    cr_assert_eq(lm__opt_replicate(&rule, batch_eval, &Q, v, &quiet, &err), LM_OK);
    cr_assert_eq(lm__opt_replicate(&rule, batch_eval, &N, v, &noisy_runs, &err), LM_OK);
    cr_assert_eq(quiet, expected_runs(0.5, 4, 200, 0.3));
    cr_assert_lt(quiet, noisy_runs);
    /* max_runs caps it, the last batch cut to fit: 4, 8, 10 */
    batches C = {.spread = 2};
    const lm__opt_rule capped = {.half = 1e-6, .first = 4, .max_runs = 10};
    cr_assert_eq(lm__opt_replicate(&capped, batch_eval, &C, v, &runs, &err), LM_OK);
    cr_assert_eq(runs, 10);
    cr_assert_eq(C.calls, 3);
    cr_assert_eq(C.first[2], 8);
    cr_assert_eq(C.n[2], 2);
    /* replications that agree: the first batch is enough */
    batches Z = {.spread = 0};
    cr_assert_eq(lm__opt_replicate(&rule, batch_eval, &Z, v, &runs, &err), LM_OK);
    cr_assert_eq(runs, 4);
    /* one replication has no interval: a second batch */
    batches S = {.spread = 0};
    const lm__opt_rule single = {.half = 0.3, .first = 1, .max_runs = 5};
    cr_assert_eq(lm__opt_replicate(&single, batch_eval, &S, v, &runs, &err), LM_OK);
    cr_assert_eq(runs, 2);
    /* no rule: one batch, whatever the spread */
    batches F = {.spread = 2};
    const lm__opt_rule fixed = {.half = 0, .first = 4, .max_runs = 4};
    cr_assert_eq(lm__opt_replicate(&fixed, batch_eval, &F, v, &runs, &err), LM_OK);
    cr_assert_eq(runs, 4);
    cr_assert_eq(F.calls, 1);
    /* a batch that fails stops it; the runs finished before are said */
    batches E = {.spread = 2, .fail_at = 2};
    cr_assert_eq(lm__opt_replicate(&rule, batch_eval, &E, v, &runs, &err), LM_EINTR);
    cr_assert_eq(runs, 4);
}

/* The search with the rule in its evaluator: each mix reports the runs it got. */
typedef struct ruled {
    lm__opt_rule rule;
    double spread[2];
    int runs_of[2];
} ruled;

static lm_status ruled_eval(const double *mix, int draw, lm__opt_outcome *out, void *user,
                            lm_error *err)
{
    (void)draw;
    ruled *R = user;
    const int o = (int)mix[0];
    batches B = {.spread = R->spread[o]};
    double v[400];
    int runs;
    lm_status st = lm__opt_replicate(&R->rule, batch_eval, &B, v, &runs, err);
    if (st != LM_OK)
        return st;
    double lo, hi;
    const double m = lm_stats_mean_ci90(v, (size_t)runs, &lo, &hi, NULL) + o;
    *out = (lm__opt_outcome){m, lo + o, hi + o, 1, 1, 1, runs};
    R->runs_of[o] = runs;
    return LM_OK;
}

Test(optimise, precision_rule_in_the_search)
{
    lm__opt_lever lv[1] = {{.n_options = 2}};
    ruled R = {.rule = {.half = 0.3, .first = 4, .max_runs = 200}, .spread = {2, 0.5}};
    lm__opt_problem p = {.levers = lv, .n_levers = 1, .budget = 2, .evals = 2, .runner_ups = 1,
                         .distinct = 0.05, .seed = 3, .eval = ruled_eval, .user = &R};
    lm__opt_result r;
    lm_error err;
    cr_assert_eq(lm__opt_run(&p, &r, &err), LM_OK, "%s", err.message);
    cr_assert_eq(r.n_ranked, 2);
    const lm__opt_eval *best = &r.evals[r.ranked[0]], *second = &r.evals[r.ranked[1]];
    cr_assert_eq(best->mix[0], 1);
    cr_assert_eq(best->out.runs, expected_runs(0.5, 4, 200, 0.3));
    cr_assert_eq(second->out.runs, expected_runs(2, 4, 200, 0.3));
    cr_assert_lt(best->out.runs, second->out.runs);
    cr_assert_eq(best->out.runs, R.runs_of[1]);
    lm__opt_result_fini(&r);
}

/* A fresh draw is won by the mix whose objective is the draw's best held alone: a tie (two
 * mixes whose differing levers do not act within the period) is a win for neither. */
Test(optimise, a_tie_on_a_fresh_draw_is_no_win)
{
    lm__opt_eval evals[4];
    memset(evals, 0, sizeof evals);
    const double objective[4] = {2.0, 2.0, 3.0, 1.0};
    for (int k = 0; k < 4; ++k)
        evals[k].out.objective = objective[k];
    int rob[4] = {0, 1, 2, 3}; /* draw 0: mixes tie at 2; draw 1: mix 0 has 3, mix 1 has 1 */
    lm__opt_result r;
    memset(&r, 0, sizeof r);
    r.evals = evals;
    r.n_ranked = 2;
    r.rob = rob;
    cr_assert_not(lm__opt_wins_draw(&r, 0, 0));
    cr_assert_not(lm__opt_wins_draw(&r, 0, 1));
    cr_assert(lm__opt_wins_draw(&r, 1, 0));
    cr_assert_not(lm__opt_wins_draw(&r, 1, 1));
    evals[3].out.objective = NAN; /* an undefined objective loses to any defined one */
    cr_assert(lm__opt_wins_draw(&r, 1, 0));
    cr_assert_not(lm__opt_wins_draw(&r, 1, 1));
}
