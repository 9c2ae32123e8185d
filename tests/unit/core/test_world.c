/* tests/unit/core/test_world.c -- compaction of the firm arrays (lm_world_compact,
 * lm_firms_compact): ended firms go to the archive in slot order, survivors close up in order
 * of birth with every field moved together, and `where` finds each firm, alive or archived. */
#include <criterion/criterion.h>
#include <string.h>

#include "lm_test.h"

/* Gives firm i a distinct value in fields of every width, so a field left behind shows. */
static void mark(lm_firms *f, size_t i)
{
    f->insolvent_months[i] = (uint8_t)(i % 200);
    f->launched[i] = (int32_t)(1000 + i);
    f->breakthroughs[i] = (int32_t)(3 * i);
    f->quality[i] = 0.5 + (double)i;
    f->revenue_ema_cny[i] = 1e4 * (double)i;
    f->tier[i] = (uint8_t)(i & 0x1f);
    f->giant_until[i] = (int16_t)(2000 + i);
    f->round_stage[i] = (uint8_t)(i % 7);
    f->last_round[i] = (int32_t)(50 + i);
}

static void check_marks(const lm_firms *f, size_t slot, size_t was)
{
    cr_assert_eq(f->insolvent_months[slot], (uint8_t)(was % 200));
    cr_assert_eq(f->launched[slot], (int32_t)(1000 + was));
    cr_assert_eq(f->breakthroughs[slot], (int32_t)(3 * was));
    cr_assert(f->quality[slot] == 0.5 + (double)was);
    cr_assert(f->revenue_ema_cny[slot] == 1e4 * (double)was);
    cr_assert_eq(f->tier[slot], (uint8_t)(was & 0x1f));
    cr_assert_eq(f->giant_until[slot], (int16_t)(2000 + was));
    cr_assert_eq(f->round_stage[slot], (uint8_t)(was % 7));
    cr_assert_eq(f->last_round[slot], (int32_t)(50 + was));
}

Test(world, compaction_keeps_order_fields_and_lookups)
{
    lm_scenario *sc = lm_test_scenario(2, 0.0);
    lm_world *w = lm_test_world(sc);
    enum { N = 1000 };
    for (size_t i = 0; i < N; ++i) {
        const size_t slot = lm_test_add_firm(w, (int)(i % 2), (int)(i % 2), 0, 1 + (int)(i % 9),
                                             1e5 + (double)i, 1.0 + 0.01 * (double)i);
        cr_assert_eq(slot, i);
        mark(&w->firms, i);
    }
    /* End firms 0 (the first slot), every 3rd and 7th, and the last: gaps of every length. */
    lm_firms *f = &w->firms;
    size_t ended = 0;
    bool ends[N] = {false};
    for (size_t i = 0; i < N; ++i)
        if (i == 0 || i % 3 == 0 || i % 7 == 0 || i == N - 1) {
            f->status[i] = i % 2 ? LM_FIRM_DEAD : LM_FIRM_IPO;
            f->ended[i] = 5;
            ends[i] = true;
            ++ended;
        }
    w->ended_in_slots = ended;
    lm_error err;
    cr_assert_eq(lm_world_compact(w, &err), LM_OK, "%s", err.message);

    cr_assert_eq(f->n, N - ended);
    cr_assert_eq(w->n_archive, ended);
    cr_assert_eq(w->ended_in_slots, 0u);
    size_t slot = 0, arch = 0;
    for (size_t i = 0; i < N; ++i) {
        if (ends[i]) {
            const lm_firm_record *a = &w->archive[arch];
            cr_assert_eq(a->firm_id, (uint32_t)i, "archive in slot order");
            cr_assert(a->cash_cny == 1e5 + (double)i);
            cr_assert_eq(a->launched_month, (int32_t)(1000 + i));
            cr_assert_eq(w->where[i], -(int64_t)arch - 1);
            ++arch;
            continue;
        }
        cr_assert_eq(f->id[slot], (uint32_t)i, "survivors in order of birth");
        cr_assert_eq(w->where[i], (int64_t)slot);
        cr_assert_eq(f->status[slot], LM_FIRM_ALIVE);
        cr_assert_eq(f->region[slot], (uint16_t)(i % 2));
        cr_assert_eq(f->headcount[slot], 1 + (int32_t)(i % 9));
        cr_assert(f->cash_cny[slot] == 1e5 + (double)i);
        cr_assert(f->theta[slot] == 1.0 + 0.01 * (double)i);
        check_marks(f, slot, i);
        ++slot;
    }
    /* A second compaction with nothing ended changes nothing. */
    cr_assert_eq(lm_world_compact(w, &err), LM_OK);
    cr_assert_eq(f->n, N - ended);
    cr_assert_eq(f->id[0], 1u);
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}
