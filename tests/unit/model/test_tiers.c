/* tests/unit/model/test_tiers.c -- the December certification (MODEL.md 5.8): every threshold
 * of every tier with a firm on each side, validity and loss of a tier, awards, the high-tech
 * tax rate, and the roll-over of the year's revenue and R&D. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lm_test.h"
#include "model/costs/costs.h"
#include "model/tiers/tiers.h"

#define M(y, mo) lm_month_of((y), (mo))
#define DEC M(2019, 12)

static lm_scenario *sc;
static lm_world *w;
static double market[2 * LM_MODEL_COUNT];

static void setup(void)
{
    sc = lm_test_scenario(1, 10);
    lm_params *p = lm_test_params(sc);
    p->start = M(2015, 1);
    p->end = M(2024, 12);
    w = lm_test_world(sc);
    w->month = DEC;
    lm_tiers_market_year(w, DEC, market);
}

static void teardown(void)
{
    lm_test_world_free(w);
    lm_test_scenario_free(sc);
}

/* A firm aged `age` months in December 2019 with this year's revenue and R&D. */
static size_t firm(double age, int staff, double rev, double rd)
{
    const size_t i = lm_test_add_firm(w, 0, 0, LM_MODEL_TO_C, staff, 1.0e7, 1.0);
    w->firms.founded[i] = DEC - (int32_t)age;
    w->firms.revenue_ytd_cny[i] = rev;
    w->firms.rd_ytd_cny[i] = rd;
    return i;
}

static bool has(size_t i, unsigned bit) { return (lm_tiers_qualify(w, i, DEC, market) & bit) != 0; }

TestSuite(tiers, .init = setup, .fini = teardown);

Test(tiers, tech_sme_thresholds)
{
    lm_params *p = lm_test_params(sc);
    const unsigned T = LM_TIER_TECH_SME;
    cr_assert(has(firm(0, 500, 2.0e8, 6.0e6), T));            /* at every limit */
    cr_assert_not(has(firm(0, 501, 2.0e8, 6.0e6), T));        /* one person too many */
    cr_assert_not(has(firm(0, 500, 2.0e8 + 1.0, 6.1e6), T));  /* revenue above 200M */
    cr_assert_not(has(firm(0, 500, 2.0e8, 5.999e6), T));      /* R&D below 3% */
    cr_assert(has(firm(0, 5, 0.0, 1.0e5), T));                /* no revenue yet, some R&D */
    cr_assert_not(has(firm(0, 5, 0.0, 0.0), T));              /* neither */
    p->costs.tech_share = 0.0999;                              /* R&D staff below 10% */
    cr_assert_not(has(firm(0, 5, 1.0e6, 1.0e5), T));
    p->costs.tech_share = 0.10;
    cr_assert(has(firm(0, 5, 1.0e6, 1.0e5), T));
}

Test(tiers, high_tech_thresholds_by_revenue_band)
{
    lm_params *p = lm_test_params(sc);
    const unsigned H = LM_TIER_HIGH_TECH;
    cr_assert(has(firm(12, 50, 5.0e7, 2.5e6), H));           /* <= 50M: 5% */
    cr_assert_not(has(firm(11, 50, 5.0e7, 2.5e6), H));       /* younger than a year */
    cr_assert_not(has(firm(12, 50, 5.0e7, 2.4999e6), H));    /* below 5% */
    cr_assert(has(firm(12, 50, 5.0e7 + 1.0, 2.1e6), H));     /* above 50M: 4% is enough */
    cr_assert_not(has(firm(12, 50, 5.0e7, 2.1e6), H));       /* ... but not at 50M */
    cr_assert_not(has(firm(12, 50, 6.0e7, 2.399e6), H));
    cr_assert(has(firm(12, 50, 2.0e8, 8.0e6), H));           /* 200M still 4% */
    cr_assert_not(has(firm(12, 50, 2.0e8, 7.99e6), H));
    cr_assert(has(firm(12, 50, 3.0e8, 9.0e6), H));           /* above 200M: 3% */
    cr_assert_not(has(firm(12, 50, 3.0e8, 8.99e6), H));
    cr_assert_not(has(firm(24, 50, 0.0, 5.0e6), H));         /* no revenue, no certificate */
    p->costs.tech_share = 0.05;
    cr_assert_not(has(firm(24, 50, 5.0e7, 5.0e6), H));       /* R&D staff below 10% */
}

Test(tiers, little_giant_thresholds)
{
    const unsigned G = LM_TIER_LITTLE_GIANT;
    /* the niche: 5e-5 of the national To C market of sector 0 over 2019 */
    const double niche = 5.0e-5 * market[0];
    cr_assert_gt(niche, 1.0e5);
    size_t i = firm(36, 80, 1.0e8, 3.0e6);
    w->firms.revenue_last_year_cny[i] = 8.0e7;
    w->firms.rd_last_year_cny[i] = 2.4e6;                     /* 3% last year too */
    cr_assert(has(i, G));
    i = firm(35, 80, 1.0e8, 3.0e6);                            /* under three years */
    w->firms.revenue_last_year_cny[i] = 8.0e7;
    w->firms.rd_last_year_cny[i] = 2.4e6;
    cr_assert_not(has(i, G));
    i = firm(48, 80, 1.0e8, 3.0e6);
    w->firms.revenue_last_year_cny[i] = 8.0e7;
    w->firms.rd_last_year_cny[i] = 2.39e6;                    /* last year 2.99% */
    cr_assert_not(has(i, G));
    i = firm(48, 80, 9.99e7, 5.994e6);                         /* path B: 50-100M at 6% */
    w->firms.revenue_last_year_cny[i] = 6.0e7;
    w->firms.rd_last_year_cny[i] = 3.6e6;
    cr_assert(has(i, G));
    i = firm(48, 80, 9.99e7, 5.99e6);                          /* 5.996%: not enough */
    w->firms.revenue_last_year_cny[i] = 6.0e7;
    w->firms.rd_last_year_cny[i] = 3.6e6;
    cr_assert_not(has(i, G));
    i = firm(48, 80, 4.99e7, 5.0e6);                           /* below 50M */
    w->firms.revenue_last_year_cny[i] = 6.0e7;
    w->firms.rd_last_year_cny[i] = 3.6e6;
    cr_assert_not(has(i, G));
    /* niche share: a firm exactly at it passes, one just below does not */
    lm_params *p = lm_test_params(sc);
    p->tiers.little_giant.niche_share = 1.0e8 / market[0];
    i = firm(48, 80, 1.0e8, 5.0e6);
    w->firms.revenue_last_year_cny[i] = 1.0e8;
    w->firms.rd_last_year_cny[i] = 5.0e6;
    cr_assert(has(i, G));
    p->tiers.little_giant.niche_share = 1.0e8 / market[0] * 1.001;
    cr_assert_not(has(i, G));
}

Test(tiers, unicorn_needs_valuation_and_to_be_private)
{
    const unsigned U = LM_TIER_UNICORN;
    size_t i = firm(60, 800, 1.0e9, 1.0e8);
    w->firms.valuation_cny[i] = 7.0e9;
    cr_assert(has(i, U));
    w->firms.valuation_cny[i] = 6.99e9;
    cr_assert_not(has(i, U));
    w->firms.valuation_cny[i] = 9.0e9;
    w->firms.status[i] = LM_FIRM_IPO; /* listed: no longer a unicorn */
    cr_assert_not(has(i, U));
}

Test(tiers, dragon_needs_scale_or_growth_and_visibility)
{
    lm_tier_rule *d = &lm_test_params(sc)->tiers.dragon; /* the rule as a scenario sets it */
    d->min_valuation_cny = 7.0e9;
    d->growth_multiple = 2.0;
    d->growth_revenue_cny = 3.0e8;
    d->min_visibility = 0.5;
    d->max_age_months = 120.0;
    const unsigned D = LM_TIER_DRAGON;
    size_t i = firm(60, 400, 3.0e8, 3.0e7);          /* revenue doubled to 300M */
    w->firms.revenue_last_year_cny[i] = 1.5e8;
    w->firms.visibility[i] = 0.5;
    cr_assert(has(i, D));
    w->firms.visibility[i] = 0.499;                  /* not visible enough */
    cr_assert_not(has(i, D));
    w->firms.visibility[i] = 0.8;
    w->firms.revenue_last_year_cny[i] = 1.51e8;      /* grew 1.99x */
    cr_assert_not(has(i, D));
    w->firms.revenue_ytd_cny[i] = 2.99e8;            /* below 300M */
    w->firms.revenue_last_year_cny[i] = 1.0e8;
    cr_assert_not(has(i, D));
    w->firms.valuation_cny[i] = 7.0e9;               /* unicorn scale instead */
    cr_assert(has(i, D));
    w->firms.founded[i] = DEC - 121;                 /* older than ten years */
    cr_assert_not(has(i, D));
    w->firms.founded[i] = DEC - 120;
    cr_assert(has(i, D));
}

/* Certification in December: bits, awards (state to firm, in the ledger), the first dragon
 * month, roll-over of the year; a certificate lasts valid_years, then the tier is lost. */
Test(tiers, december_certifies_pays_and_a_tier_can_be_lost)
{
    lm_params *p = lm_test_params(sc);
    const size_t i = firm(24, 60, 4.0e7, 4.0e6); /* tech SME and high-tech */
    w->firms.revenue_last_year_cny[i] = 1.0e7;
    w->firms.visibility[i] = 0.1;
    const double cash = w->firms.cash_cny[i];
    lm_error err;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_tiers(w, DEC - 1, &err), LM_OK); /* November: nothing */
    cr_assert_eq(w->firms.tier[i], 0);
    cr_assert_float_eq(w->firms.revenue_ytd_cny[i], 4.0e7, 1e-9);
    cr_assert_eq(lm_phase_tiers(w, DEC, &err), LM_OK);
    cr_assert_eq(w->firms.tier[i], LM_TIER_TECH_SME | LM_TIER_HIGH_TECH);
    const double award = p->tiers.tech_sme.award_cny + p->tiers.high_tech.award_cny;
    cr_assert_float_eq(w->firms.cash_cny[i], cash + award, 1e-6);
    cr_assert_float_eq(w->money[0].state_paid_subsidy, award, 1e-6);
    cr_assert_float_eq(w->money[0].firms_received_subsidy, award, 1e-6);
    cr_assert_float_eq(w->firm_cash_after - w->firm_cash_before, award, 1e-6);
    cr_assert_float_eq(w->firms.revenue_last_year_cny[i], 4.0e7, 1e-9);
    cr_assert_float_eq(w->firms.rd_last_year_cny[i], 4.0e6, 1e-9);
    cr_assert_eq(w->firms.revenue_ytd_cny[i], 0.0);
    cr_assert_eq(w->firms.rd_ytd_cny[i], 0.0);
    cr_assert_eq(w->firms.dragon_month[i], -1);
    cr_assert_float_eq(lm_tiers_visibility(w, i), p->tiers.high_tech.investor_visibility, 1e-12);

    /* 2020: R&D too low for both. The high-tech certificate (three years) holds through 2021;
       the tech SME one (one year) is lost at once. No award for a tier already held. */
    for (int y = 2020; y <= 2022; ++y) {
        w->firms.revenue_ytd_cny[i] = 4.0e7;
        w->firms.rd_ytd_cny[i] = 1.0e5;
        memset(w->money, 0, sizeof *w->money);
        lm_arena_reset(&w->scratch);
        cr_assert_eq(lm_phase_tiers(w, M(y, 12), &err), LM_OK);
        cr_assert_eq(w->firms.tier[i], y <= 2021 ? LM_TIER_HIGH_TECH : 0, "year %d: %d", y,
                     w->firms.tier[i]);
        cr_assert_eq(w->money[0].state_paid_subsidy, 0.0);
    }
}

Test(tiers, dragon_month_is_the_first_december)
{
    const lm_tier_rule *d = &lm_test_params(sc)->tiers.dragon;
    const size_t i = firm(30, 300, d->growth_revenue_cny, 0.1 * d->growth_revenue_cny);
    w->firms.visibility[i] = 0.9;
    lm_error err;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_tiers(w, DEC, &err), LM_OK);
    cr_assert(w->firms.tier[i] & LM_TIER_DRAGON);
    cr_assert_eq(w->firms.dragon_month[i], DEC);
    /* next year growth stalls: the firm loses the tier but stays in the dragon table */
    w->firms.revenue_ytd_cny[i] = 1.1 * d->growth_revenue_cny;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_tiers(w, DEC + 12, &err), LM_OK);
    cr_assert_not(w->firms.tier[i] & LM_TIER_DRAGON);
    cr_assert_eq(w->firms.dragon_month[i], DEC);
}

/* The high-tech tier pays 15% instead of 25% on profit (costs phase). */
Test(tiers, high_tech_pays_the_lower_tax_rate)
{
    lm_params *p = lm_test_params(sc);
    double tax[2];
    for (int v = 0; v < 2; ++v) {
        const size_t i = firm(24, 10, 0.0, 0.0);
        w->firms.revenue_cny[i] = 5.0e6;
        w->firms.tier[i] = v ? LM_TIER_HIGH_TECH : 0;
        memset(w->money, 0, sizeof *w->money);
        lm_error err;
        lm_arena_reset(&w->scratch);
        w->firms.status[0] = v ? LM_FIRM_DEAD : LM_FIRM_ALIVE; /* only one firm pays */
        cr_assert_eq(lm_phase_costs(w, DEC, &err), LM_OK);
        tax[v] = w->money[0].firms_paid_tax;
    }
    cr_assert_gt(tax[0], 0.0);
    cr_assert_float_eq(tax[1] / tax[0], p->costs.hightech_tax / p->costs.profit_tax, 1e-9);
}
