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

/* The dragon rule judges an outcome: the top cohort_share of a founding cohort (the births
 * of a calendar year) by valuation or by revenue, with public recognition, for every
 * business model alike. */
Test(tiers, dragon_is_a_top_outcome_of_its_cohort_whatever_its_business_model)
{
    lm_tier_rule *d = &lm_test_params(sc)->tiers.dragon;
    d->cohort_share = 0.1;
    d->min_visibility = 0.5;
    d->max_age_months = 120.0;
    const unsigned D = LM_TIER_DRAGON;
    const int c2016 = 2016 - w->cohort_year0;
    w->cohort_births[c2016] = 10.0; /* the top one of ten by each measure */
    const size_t a = firm(36, 100, 1.0e7, 1.0e6), b = firm(36, 100, 5.0e8, 1.0e6),
                 z = firm(36, 100, 2.0e7, 1.0e6);
    w->firms.model[a] = LM_MODEL_TO_B;
    w->firms.model[b] = LM_MODEL_TO_C;
    w->firms.model[z] = LM_MODEL_TO_G;
    w->firms.valuation_cny[a] = 9.0e9; /* the cohort's most valuable */
    w->firms.valuation_cny[b] = 1.0e9; /* its largest revenue */
    w->firms.valuation_cny[z] = 2.0e9;
    for (size_t i = 0; i < w->firms.n; ++i)
        w->firms.visibility[i] = 0.6;
    lm_error err;
    cr_assert_eq(lm_tiers_rank_cohorts(w, &err), LM_OK);
    cr_assert(has(a, D), "top valuation, To B");
    cr_assert(has(b, D), "top revenue, To C");
    cr_assert_not(has(z, D), "neither");
    /* the business model decides nothing: the To G firm with the top valuation is a dragon */
    w->firms.model[a] = LM_MODEL_TO_G;
    cr_assert(has(a, D));
    w->firms.visibility[a] = 0.499; /* not recognised enough */
    cr_assert_not(has(a, D));
    w->firms.visibility[a] = 0.6;
    w->firms.founded[a] = DEC - 121; /* older than ten years (and of another cohort) */
    cr_assert_not(has(a, D));
    w->firms.founded[a] = DEC - 36;
    /* twice the births: the top two by each measure, so the runner-up by valuation is in */
    w->cohort_births[c2016] = 20.0;
    cr_assert_eq(lm_tiers_rank_cohorts(w, &err), LM_OK);
    cr_assert(has(z, D));
    /* a firm of another cohort does not change this one's ranking */
    const size_t o = firm(24, 100, 9.0e8, 1.0e6);
    w->firms.valuation_cny[o] = 5.0e10;
    w->firms.visibility[o] = 0.6;
    cr_assert_eq(lm_tiers_rank_cohorts(w, &err), LM_OK);
    cr_assert(has(a, D) && has(b, D) && has(z, D));
    cr_assert(has(o, D), "the top of a cohort whose births are unknown (0): any live firm");
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
    lm_tier_rule *d = &lm_test_params(sc)->tiers.dragon;
    d->cohort_share = 0.1;
    w->cohort_births[2017 - w->cohort_year0] = 10.0;
    const size_t i = firm(30, 300, 2.0e9, 2.0e8);
    w->firms.visibility[i] = 0.99;
    lm_error err;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_tiers(w, DEC, &err), LM_OK);
    cr_assert(w->firms.tier[i] & LM_TIER_DRAGON);
    cr_assert_eq(w->firms.dragon_month[i], DEC);
    /* next year a firm of its cohort outgrows and outvalues it: it loses the tier but stays
       in the dragon table */
    const size_t j = firm(30, 300, 3.0e9, 2.0e8); /* founded the same month */
    w->firms.valuation_cny[j] = 2.0 * w->firms.valuation_cny[i];
    w->firms.visibility[j] = 0.99;
    w->firms.revenue_ytd_cny[i] = 2.0e9;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_tiers(w, DEC + 12, &err), LM_OK);
    cr_assert_not(w->firms.tier[i] & LM_TIER_DRAGON);
    cr_assert(w->firms.tier[j] & LM_TIER_DRAGON);
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

/* Take-up (MODEL.md 5.8, docs/model.md 7.12): the schedule is flat, then linear, then flat,
 * and zero before the programme starts. */
Test(tiers, take_up_schedule)
{
    lm_tier_rule t;
    memset(&t, 0, sizeof t);
    t.take_up_first = 0.2;
    t.take_up_last = 0.8;
    t.take_up_first_year = 2017;
    t.take_up_last_year = 2023;
    cr_assert_float_eq(lm_tiers_take_up(&t, 2010), 0.2, 1e-15);
    cr_assert_float_eq(lm_tiers_take_up(&t, 2017), 0.2, 1e-15);
    cr_assert_float_eq(lm_tiers_take_up(&t, 2020), 0.5, 1e-15);
    cr_assert_float_eq(lm_tiers_take_up(&t, 2023), 0.8, 1e-15);
    cr_assert_float_eq(lm_tiers_take_up(&t, 2030), 0.8, 1e-15);
    t.start_year = 2019;
    cr_assert_eq(lm_tiers_take_up(&t, 2018), 0.0);
    cr_assert_float_eq(lm_tiers_take_up(&t, 2019), 0.2 + 0.6 * 2.0 / 6.0, 1e-15);
    /* equal years: a step at that year */
    t.start_year = 0;
    t.take_up_last_year = 2017;
    cr_assert_float_eq(lm_tiers_take_up(&t, 2016), 0.2, 1e-15);
    cr_assert_float_eq(lm_tiers_take_up(&t, 2017), 0.8, 1e-15);
}

/* Of many eligible firms, about take_up apply and are certified (binomial, 4 sd); holders
 * renew whatever the take-up; nobody is certified before the programme's start year. */
Test(tiers, take_up_certifies_a_share_of_the_eligible)
{
    lm_params *p = lm_test_params(sc);
    p->tiers.high_tech.take_up_first = 0.3;
    p->tiers.high_tech.take_up_last = 0.3;
    p->tiers.little_giant.start_year = 2020; /* nobody can be certified in 2019 */
    p->tiers.little_giant.niche_share = 0.0;
    enum { N = 4000 };
    for (int k = 0; k < N; ++k) { /* eligible for all three certificates */
        const size_t i = firm(48, 60, 1.2e8, 1.2e7);
        w->firms.revenue_last_year_cny[i] = 1.2e8;
        w->firms.rd_last_year_cny[i] = 1.2e7;
    }
    cr_assert(has(0, LM_TIER_LITTLE_GIANT) && has(0, LM_TIER_TECH_SME) && has(0, LM_TIER_HIGH_TECH));
    lm_error err;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_tiers(w, DEC, &err), LM_OK);
    int ht = 0, giant = 0, sme = 0;
    for (size_t i = 0; i < w->firms.n; ++i) {
        ht += (w->firms.tier[i] & LM_TIER_HIGH_TECH) != 0;
        giant += (w->firms.tier[i] & LM_TIER_LITTLE_GIANT) != 0;
        sme += (w->firms.tier[i] & LM_TIER_TECH_SME) != 0;
    }
    cr_assert_eq(sme, N); /* take-up 1 (the default): every eligible firm */
    const double sd = sqrt(N * 0.3 * 0.7);
    cr_assert(fabs(ht - 0.3 * N) < 4 * sd, "high-tech certified %d of %d", ht, N);
    cr_assert_eq(giant, 0);
    /* next December the holders renew (valid three years, still eligible), and about 30% of
       the others apply */
    for (size_t i = 0; i < w->firms.n; ++i) {
        w->firms.revenue_ytd_cny[i] = 1.2e8;
        w->firms.rd_ytd_cny[i] = 1.2e7;
    }
    unsigned char before[N];
    for (size_t i = 0; i < N; ++i)
        before[i] = (w->firms.tier[i] & LM_TIER_HIGH_TECH) != 0;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_tiers(w, DEC + 12, &err), LM_OK);
    int kept = 0, was = 0, now = 0;
    for (size_t i = 0; i < N; ++i) {
        const bool has_ht = (w->firms.tier[i] & LM_TIER_HIGH_TECH) != 0;
        was += before[i];
        kept += before[i] && has_ht;
        now += has_ht;
    }
    cr_assert_eq(kept, was);
    const double expect = was + 0.3 * (N - was), sd2 = sqrt((N - was) * 0.3 * 0.7);
    cr_assert(fabs(now - expect) < 4 * sd2, "%d certified, expected %.0f", now, expect);
}

/* A scenario can keep consumer-facing firms out of the little giants (an industrial
 * programme): the same firm qualifies as To B and not as To C. */
Test(tiers, little_giant_to_c_eligible)
{
    lm_params *p = lm_test_params(sc);
    p->tiers.little_giant.niche_share = 0.0;
    const size_t i = firm(48, 60, 1.2e8, 1.2e7);
    w->firms.revenue_last_year_cny[i] = 1.2e8;
    w->firms.rd_last_year_cny[i] = 1.2e7;
    cr_assert_eq(w->firms.model[i], LM_MODEL_TO_C);
    cr_assert(has(i, LM_TIER_LITTLE_GIANT));
    p->tiers.little_giant.to_c_eligible = false;
    cr_assert_not(has(i, LM_TIER_LITTLE_GIANT));
    w->firms.model[i] = LM_MODEL_TO_B;
    cr_assert(has(i, LM_TIER_LITTLE_GIANT));
}

/* Path C of the little giant (MIIT 2022): revenue below revenue_b, but CNY 80M of new equity
 * and 30M of R&D over two years, with R&D staff >= 50%; no niche share needed. Each
 * threshold with a firm on each side; equity rolls over in December like revenue. */
Test(tiers, little_giant_path_c)
{
    lm_params *p = lm_test_params(sc);
    const lm_tier_rule *g = &p->tiers.little_giant;
    cr_assert_float_eq(g->equity_c_cny, 8.0e7, 1.0);
    p->costs.tech_share = 0.6;
    const size_t i = firm(48, 80, 1.0e7, 2.0e7); /* revenue 10M < 50M, R&D 20M this year */
    w->firms.rd_last_year_cny[i] = 1.0e7;        /* 30M over two years */
    w->firms.equity_ytd_cny[i] = 5.0e7;
    w->firms.equity_last_year_cny[i] = 3.0e7;    /* 80M over two years */
    cr_assert(has(i, LM_TIER_LITTLE_GIANT));
    w->firms.equity_last_year_cny[i] = 2.9e7;
    cr_assert_not(has(i, LM_TIER_LITTLE_GIANT), "equity below 80M");
    w->firms.equity_last_year_cny[i] = 3.0e7;
    w->firms.rd_last_year_cny[i] = 0.9e7;
    cr_assert_not(has(i, LM_TIER_LITTLE_GIANT), "R&D below 30M");
    w->firms.rd_last_year_cny[i] = 1.0e7;
    p->costs.tech_share = 0.49;
    cr_assert_not(has(i, LM_TIER_LITTLE_GIANT), "R&D staff below 50%%");
    p->costs.tech_share = 0.6;
    w->firms.founded[i] = DEC - 35;
    cr_assert_not(has(i, LM_TIER_LITTLE_GIANT), "younger than three years");
    w->firms.founded[i] = DEC - 48;
    w->firms.revenue_ytd_cny[i] = g->revenue_b_cny; /* not below 50M: paths A/B decide */
    w->firms.rd_ytd_cny[i] = 0.01 * g->revenue_b_cny;
    cr_assert_not(has(i, LM_TIER_LITTLE_GIANT), "revenue at 50M with low R&D intensity");
    w->firms.revenue_ytd_cny[i] = 1.0e7;
    w->firms.rd_ytd_cny[i] = 2.0e7;
    lm_error err;
    lm_arena_reset(&w->scratch);
    cr_assert_eq(lm_phase_tiers(w, DEC, &err), LM_OK);
    cr_assert(w->firms.tier[i] & LM_TIER_LITTLE_GIANT);
    cr_assert_float_eq(w->firms.equity_last_year_cny[i], 5.0e7, 1.0);
    cr_assert_eq(w->firms.equity_ytd_cny[i], 0.0);
}

static int desc(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

/* A cohort's thresholds are found by selection, not a sort: for large cohorts with ties,
 * zeros and values in every order, they are the sorted cohort's k-th largest. */
Test(tiers, cohort_thresholds_are_the_kth_largest_of_large_cohorts)
{
    lm_tier_rule *d = &lm_test_params(sc)->tiers.dragon;
    const int c2016 = 2016 - w->cohort_year0;
    enum { N = 3001 };
    static double value[N], revenue[N];
    uint64_t x = 88172645463325252u;
    for (size_t j = 0; j < N; ++j) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* few distinct values (ties), some zeros, ascending and descending stretches */
        value[j] = j < 500 ? (double)j : (j < 1000 ? (double)(2000 - j) : (double)(x % 97));
        revenue[j] = (x >> 20) % 5 == 0 ? 0.0 : (double)((x >> 8) % 100000) * 1.0e3;
        const size_t i = firm(36, 10, revenue[j], 1.0e5);
        w->firms.valuation_cny[i] = value[j];
    }
    const double shares[] = {0.0001, 0.01, 0.1, 0.37, 0.5, 0.9, 1.0};
    for (size_t t = 0; t < sizeof shares / sizeof shares[0]; ++t) {
        d->cohort_share = shares[t];
        w->cohort_births[c2016] = (double)N;
        lm_error err;
        cr_assert_eq(lm_tiers_rank_cohorts(w, &err), LM_OK);
        const size_t k = (size_t)ceil(shares[t] * N);
        qsort(value, N, sizeof *value, desc);
        qsort(revenue, N, sizeof *revenue, desc);
        cr_assert_eq(w->cohort_value_min[c2016], value[k - 1], "share %g", shares[t]);
        cr_assert_eq(w->cohort_revenue_min[c2016], revenue[k - 1], "share %g", shares[t]);
    }
}
