/* tests/unit/model/test_streams.c -- random streams keyed by stable identities (core/rng.h):
 * a firm more or less, or another source's founders, must leave every other firm's draws as
 * they were, so that the two arms of a comparison share their random numbers. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lm_test.h"
#include "model/entry/entry.h"
#include "model/policy/policy.h"
#include "model/rnd/rnd.h"

#define M(y, mo) lm_month_of((y), (mo))

static void month_of(lm_world *w, lm_month m, bool entry, bool rnd)
{
    lm_error err;
    w->month = m;
    lm_arena_reset(&w->scratch);
    memset(w->events, 0, sizeof(lm_month_events) * (size_t)w->R);
    cr_assert_eq(lm_phase_policy(w, m, &err), LM_OK);
    if (entry)
        cr_assert_eq(lm_phase_entry(w, m, &err), LM_OK);
    if (rnd)
        cr_assert_eq(lm_phase_rnd(w, m, &err), LM_OK);
}

/* Firm slot of a stream key, or -1. */
static long slot_of(const lm_world *w, uint64_t stream)
{
    for (size_t i = 0; i < w->firms.n; ++i)
        if (w->firms.stream[i] == stream)
            return (long)i;
    return -1;
}

Test(streams, one_firm_more_early_leaves_the_later_firms_draws_alone)
{
    lm_scenario *sc = lm_test_scenario(2, 40.0);
    lm_params *p = lm_test_params(sc);
    p->rnd.breakthrough_rate = 0.3; /* many breakthroughs: draws that would show a shift */
    lm_world *a = lm_test_world(sc), *b = lm_test_world(sc);
    /* b has one firm the other lacks, born before all the others: every later id moves */
    month_of(b, M(2015, 1), false, false);
    lm_test_add_firm(b, 0, 0, LM_MODEL_TO_C, 5, 1e7, 1.0);
    for (int k = 0; k < 24; ++k) {
        month_of(a, M(2015, 2) + k, k < 3, true);
        month_of(b, M(2015, 2) + k, k < 3, true);
    }
    cr_assert_gt(a->firms.n, 50);
    cr_assert_eq(b->firms.n, a->firms.n + 1);
    int breakthroughs = 0;
    for (size_t i = 0; i < a->firms.n; ++i) {
        const size_t j = i + 1;
        cr_assert_eq(b->firms.id[j], a->firms.id[i] + 1, "ids moved by one");
        cr_assert_eq(b->firms.stream[j], a->firms.stream[i], "stream keys did not");
        cr_assert_eq(b->firms.sector[j], a->firms.sector[i]);
        cr_assert_eq(b->firms.region[j], a->firms.region[i]);
        cr_assert_eq(b->firms.breakthroughs[j], a->firms.breakthroughs[i], "firm %zu", i);
        cr_assert_eq(b->firms.theta[j], a->firms.theta[i], "firm %zu theta", i);
        cr_assert_eq(b->firms.cash_cny[j], a->firms.cash_cny[i]);
        breakthroughs += a->firms.breakthroughs[i];
    }
    cr_assert_gt(breakthroughs, 20, "the test needs draws that could differ");
    lm_test_world_free(a);
    lm_test_world_free(b);
    lm_test_scenario_free(sc);
}

Test(streams, more_founders_of_one_source_leave_the_other_founders_alone)
{
    lm_scenario *sa = lm_test_scenario(2, 40.0), *sb = lm_test_scenario(2, 40.0);
    lm_test_params(sb)->regions[0].platform_alumni = 50000.0; /* b: platform founders too */
    lm_world *a = lm_test_world(sa), *b = lm_test_world(sb);
    for (int k = 0; k < 6; ++k) {
        month_of(a, M(2015, 1) + k, true, false);
        month_of(b, M(2015, 1) + k, true, false);
    }
    size_t platform = 0;
    for (size_t i = 0; i < b->firms.n; ++i)
        platform += b->firms.source[i] == LM_SOURCE_PLATFORM;
    cr_assert_gt(platform, 10);
    cr_assert_eq(b->firms.n, a->firms.n + platform);
    size_t shifted = 0;
    for (size_t i = 0; i < a->firms.n; ++i) {
        const long j = slot_of(b, a->firms.stream[i]);
        cr_assert_geq(j, 0, "firm %zu of a has no twin in b", i);
        cr_assert_eq(b->firms.theta[j], a->firms.theta[i]);
        cr_assert_eq(b->firms.founder_quality[j], a->firms.founder_quality[i]);
        cr_assert_eq(b->firms.sector[j], a->firms.sector[i]);
        cr_assert_eq(b->firms.region[j], a->firms.region[i]);
        shifted += b->firms.id[j] != a->firms.id[i];
    }
    cr_assert_gt(shifted, 0, "ids moved, streams did not");
    lm_test_world_free(a);
    lm_test_world_free(b);
    lm_test_scenario_free(sa);
    lm_test_scenario_free(sb);
}
