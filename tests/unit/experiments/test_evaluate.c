/* tests/unit/experiments/test_evaluate.c -- evaluation of a scenario in memory
 * (src/experiments/evaluate.c): rows are bit-identical for 1 and 2 threads, replication i is
 * what a single simulation with run index run0 + i gives (common random numbers), a failing
 * moments function stops the evaluation with the first failing replication's error, the stop
 * flag interrupts, bad arguments are refused. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/evaluate.h"
#include "longmen/longmen.h"

#define TINY LM_TEST_DATA "/tiny.yaml"
#define M 4

static lm_scenario *tiny_short(void)
{
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(TINY, &sc, &err), LM_OK, "%s", err.message);
    int32_t start, end;
    lm_scenario_period(sc, &start, &end);
    cr_assert_eq(lm_scenario_set_period(sc, start, start + 11, &err), LM_OK, "%s", err.message);
    return sc;
}

/* Firms ever, alive, the sum of region-year births and a revenue total. */
static lm_status four(const lm_scenario *sc, const lm_sim *sim, double *out, void *user,
                      lm_error *err)
{
    (void)sc;
    (void)user;
    (void)err;
    size_t n = 0;
    const lm_region_year *ry = lm_sim_region_years(sim, &n);
    double births = 0, revenue = 0;
    for (size_t k = 0; k < n; ++k) {
        births += (double)ry[k].births;
        revenue += ry[k].revenue_cny;
    }
    out[0] = (double)lm_sim_firms_ever(sim);
    out[1] = (double)lm_sim_firms_alive(sim);
    out[2] = births;
    out[3] = revenue;
    return LM_OK;
}

static void eval(const lm_scenario *sc, int runs, uint32_t run0, int threads, double *out)
{
    const lm__eval_config cfg = {.seed = 42, .runs = runs, .run0 = run0, .threads = threads,
                                 .n_moments = M, .moments = four};
    lm_error err;
    cr_assert_eq(lm__evaluate(sc, &cfg, out, &err), LM_OK, "%s", err.message);
}

Test(evaluate, rows_are_bit_identical_for_1_and_2_threads)
{
    lm_scenario *sc = tiny_short();
    double a[3 * M], b[3 * M];
    eval(sc, 3, 0, 1, a);
    eval(sc, 3, 0, 2, b);
    cr_assert_eq(memcmp(a, b, sizeof a), 0, "rows differ between 1 and 2 threads");
    for (int k = 0; k < 3 * M; ++k)
        cr_assert(!isnan(a[k]), "cell %d unset", k);
    /* Different replications are different streams. */
    cr_assert(a[0] != a[M] || a[3] != a[M + 3], "replications 0 and 1 are equal");
    lm_scenario_free(sc);
}

Test(evaluate, replication_i_is_the_run_with_index_run0_plus_i)
{
    lm_scenario *sc = tiny_short();
    double all[3 * M], one_row[M];
    eval(sc, 3, 5, 2, all);
    eval(sc, 1, 7, 1, one_row);
    cr_assert_eq(memcmp(all + 2 * M, one_row, sizeof one_row), 0);

    /* and a plain simulation with run 6 gives row 1 */
    lm_sim *sim = NULL;
    lm_error err;
    const lm_sim_config c = {.seed = 42, .run = 6, .threads = 1};
    cr_assert_eq(lm_sim_create(sc, &c, &sim, &err), LM_OK, "%s", err.message);
    while (!lm_sim_done(sim))
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
    double row[M];
    cr_assert_eq(four(sc, sim, row, NULL, &err), LM_OK);
    lm_sim_destroy(sim);
    cr_assert_eq(memcmp(all + M, row, sizeof row), 0);
    lm_scenario_free(sc);
}

/* Fails on replications with an odd number of firms ever (lm_sim does not expose the run
 * index), with that number in the message. */
static lm_status odd_fails(const lm_scenario *sc, const lm_sim *sim, double *out, void *user,
                           lm_error *err)
{
    (void)sc;
    (void)user;
    out[0] = 1;
    if (lm_sim_firms_ever(sim) % 2 == 1)
        return lm_error_set(err, LM_EINVAL, __FILE__, __LINE__, "moment failed: %zu",
                            lm_sim_firms_ever(sim));
    return LM_OK;
}

Test(evaluate, a_failure_is_reported_as_the_first_failing_replication)
{
    lm_scenario *sc = tiny_short();
    /* Which replications fail: those with an odd firm count, found by a plain evaluation. */
    double rows[6 * M];
    eval(sc, 6, 0, 1, rows);
    int first = -1;
    for (int i = 0; i < 6 && first < 0; ++i)
        if ((long long)rows[i * M] % 2 == 1)
            first = i;
    cr_assert_geq(first, 0, "no replication with an odd firm count: the test needs one");
    double out[6];
    for (int threads = 1; threads <= 2; ++threads) {
        const lm__eval_config cfg = {.seed = 42, .runs = 6, .threads = threads, .n_moments = 1,
                                     .moments = odd_fails};
        lm_error err;
        const lm_status st = lm__evaluate(sc, &cfg, out, &err);
        if (first < 0) {
            cr_assert_eq(st, LM_OK);
            continue;
        }
        cr_assert_eq(st, LM_EINVAL, "threads %d", threads);
        char want[64];
        snprintf(want, sizeof want, "moment failed: %lld", (long long)rows[first * M]);
        cr_assert_str_eq(err.message, want, "threads %d", threads);
    }
    lm_scenario_free(sc);
}

Test(evaluate, the_stop_flag_interrupts)
{
    lm_scenario *sc = tiny_short();
    volatile sig_atomic_t stop = 1;
    const lm__eval_config cfg = {.seed = 42, .runs = 2, .threads = 1, .n_moments = M,
                                 .moments = four, .stop_flag = &stop};
    double out[2 * M];
    lm_error err;
    cr_assert_eq(lm__evaluate(sc, &cfg, out, &err), LM_EINTR);
    lm_scenario_free(sc);
}

Test(evaluate, bad_arguments_are_refused)
{
    lm_scenario *sc = tiny_short();
    double out[M];
    lm_error err;
    lm__eval_config cfg = {.seed = 42, .runs = 0, .n_moments = M, .moments = four};
    cr_assert_eq(lm__evaluate(sc, &cfg, out, &err), LM_EINVAL);
    cfg.runs = 1;
    cfg.moments = NULL;
    cr_assert_eq(lm__evaluate(sc, &cfg, out, &err), LM_EINVAL);
    lm_scenario_free(sc);
}
