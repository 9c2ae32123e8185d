/* include/longmen/results.h -- what a run observes (MODEL.md section 6): one record per region
 * and year, one per firm, and the month's money ledger. These are the rows of the results
 * database (docs/output.md); the store writes them as they are. */
#ifndef LONGMEN_RESULTS_H
#define LONGMEN_RESULTS_H

#include <stdint.h>

#include "longmen/columns.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Firm status. Exits come with the finance issue; the values are fixed now. */
typedef enum lm_firm_status {
    LM_FIRM_ALIVE = 0,
    LM_FIRM_DEAD = 1,
    LM_FIRM_IPO = 2,
    LM_FIRM_ACQUIRED = 3
} lm_firm_status;

/* Certification tiers (MODEL.md 5.8), as bits of a firm's tier set. */
typedef enum lm_tier {
    LM_TIER_TECH_SME = 1 << 0,     /* 科技型中小企业 */
    LM_TIER_HIGH_TECH = 1 << 1,    /* 高新技术企业 */
    LM_TIER_LITTLE_GIANT = 1 << 2, /* 专精特新"小巨人" */
    LM_TIER_UNICORN = 1 << 3,      /* private, valuation >= CNY 7bn */
    LM_TIER_DRAGON = 1 << 4        /* little dragon: breakout and visible (出圈) */
} lm_tier;

/* One region in one calendar year: a row of region_year. Flows are sums over the year's
 * simulated months; stocks are taken at the last simulated month of the year. Declared once
 * (longmen/columns.h): a new column is one line here plus the code that fills it. */
#define LM_REGION_YEAR_COLUMNS(X, V)                                                            \
    X(int32_t, region, REGION, KEY, "region index into the scenario's regions")                 \
    X(int32_t, year, INTEGER, KEY, "calendar year")                                             \
    X(int32_t, months, INTEGER, SPAN, "simulated months of this year (12 but at the edges)")    \
    X(int64_t, births, INTEGER, FLOW, "firms founded")                                          \
    V(int64_t, births_by_source, births, LM_SOURCE_WORDS, INTEGER, FLOW,                        \
      "of which by founders of that source")                                                    \
    X(int64_t, births_nonlocal, INTEGER, FLOW,                                                  \
      "of which by founders whose origin is another region or outside")                         \
    X(int64_t, deaths, INTEGER, FLOW, "firms that died")                                        \
    X(int64_t, alive, INTEGER, STOCK, "firms alive")                                            \
    X(int64_t, launched, INTEGER, FLOW, "products launched")                                    \
    X(int64_t, with_product, INTEGER, STOCK, "alive firms with a launched product")             \
    X(int64_t, breakthroughs, INTEGER, FLOW, "R&D breakthroughs")                               \
    X(int64_t, headcount, INTEGER, STOCK, "employees of alive firms")                           \
    X(double, revenue_cny, REAL, FLOW, "firms' revenue")                                        \
    X(double, rd_spend_cny, REAL, FLOW, "firms' R&D spending")                                  \
    X(double, payroll_cny, REAL, FLOW, "wages paid")                                            \
    X(double, compute_cny, REAL, FLOW, "compute bought")                                        \
    X(double, rent_cny, REAL, FLOW, "rent paid")                                                \
    X(double, subsidies_cny, REAL, FLOW, "subsidies paid out of policy budgets")                \
    X(double, taxes_cny, REAL, FLOW, "taxes paid by firms")                                     \
    X(double, policy_budget_cny, REAL, STOCK, "money left in the region's policy budgets")      \
    X(double, knowledge, REAL, STOCK, "sum over sectors of K[r,s]")                             \
    X(double, compute_index, REAL, STOCK, "compute availability, 0..1")                         \
    X(double, founders_nonlocal_share, REAL, SHARE, "births_nonlocal / births, 0 without births") \
    X(double, mean_visibility, REAL, STOCK, "over alive firms with a product")                  \
    X(double, max_revenue_cny_month, REAL, STOCK, "largest monthly revenue of an alive firm")   \
    X(int64_t, tech_sme, INTEGER, STOCK, "alive firms holding the tier (certified each December)") \
    X(int64_t, high_tech, INTEGER, STOCK, "likewise high-tech enterprises")                     \
    X(int64_t, little_giant, INTEGER, STOCK, "likewise little giants")                          \
    X(int64_t, unicorn, INTEGER, STOCK, "likewise unicorns")                                    \
    X(int64_t, dragon, INTEGER, STOCK, "likewise little dragons")                               \
    X(int64_t, dragons_new, INTEGER, FLOW, "firms first certified a little dragon this year")   \
    X(int64_t, platforms, INTEGER, STOCK, "firms of the region that became platforms")          \
    X(double, platform_alumni, REAL, STOCK, "platform alumni, people")                          \
    X(double, talent, REAL, STOCK, "people in the region's pools, all skills")                  \
    X(double, migrants_in, REAL, FLOW, "people from the other regions and the rest of the country")\
    X(double, migrants_out, REAL, FLOW, "people to the other regions and the rest of the country")

typedef struct lm_region_year {
    LM_ROW_STRUCT(LM_REGION_YEAR_COLUMNS)
} lm_region_year;

/* The public purse of one region in one year, a row of public_year (declared once,
 * longmen/columns.h): what it gave up, not what it promised (docs/model.md 7.14). Outlays
 * are money that left the purse; tax expenditures are taxes the region's rules forgo;
 * returns are what government LPs and direct vehicles got back.
 * Commitments are promises and stay in columns of their own, never summed into the cost:
 *   net_cny = subsidies + gov_called + direct + tax_personal + tax_corporate + tax_other
 *             - gov_returned. */
#define LM_PUBLIC_YEAR_COLUMNS(X, V)                                                            \
    X(int32_t, region, REGION, KEY, "the purse's region")                                       \
    X(int32_t, year, INTEGER, KEY, "calendar year")                                             \
    X(int32_t, months, INTEGER, SPAN, "simulated months of this year")                          \
    X(double, subsidies_cny, REAL, FLOW, "R&D subsidies paid out of policy budgets")            \
    X(double, gov_called_cny, REAL, FLOW,                                                       \
      "government LPs' share of guidance sub-funds' capital calls (deals and fees)")            \
    X(double, gov_invested_cny, REAL, FLOW, "of which into deals")                              \
    X(double, direct_cny, REAL, FLOW, "direct injections paid into firms")                      \
    X(double, tax_personal_cny, REAL, FLOW,                                                     \
      "forgone personal income tax: the talent rule's option offset")                           \
    X(double, tax_corporate_cny, REAL, FLOW,                                                    \
      "forgone corporate income tax: high-tech rate against the profit tax rate")               \
    X(double, tax_other_cny, REAL, FLOW, "other reliefs: parks' rent discounts")                \
    X(double, gov_returned_cny, REAL, FLOW,                                                     \
      "distributions to government LPs, direct vehicles' proceeds")                             \
    X(double, net_cny, REAL, FLOW, "the public money of the year, as above")                    \
    X(double, gov_committed_cny, REAL, FLOW,                                                    \
      "new government commitments to guidance sub-funds, out of fresh budget")                  \
    X(double, gov_recommitted_cny, REAL, FLOW, "commitments of released money committed again") \
    X(double, gov_released_cny, REAL, FLOW,                                                     \
      "uncalled government commitments released at funds' ends")

typedef struct lm_public_year {
    LM_ROW_STRUCT(LM_PUBLIC_YEAR_COLUMNS)
} lm_public_year;

/* One firm, alive or not. Months are indices (year*12 + month-1); -1 = never. */
typedef struct lm_firm_record {
    uint32_t firm_id;          /* stable: order of birth */
    int32_t region;
    int32_t origin;            /* founder's origin region; -1 = outside the scenario */
    int32_t sector;
    int32_t business_model;    /* lm_model: 0 To C, 1 To B, 2 To G */
    int32_t founder_source;    /* lm_source */
    int32_t status;            /* lm_firm_status */
    int32_t founded_month;
    int32_t launched_month;    /* -1 if no product launched */
    int32_t ended_month;       /* -1 while alive */
    int32_t headcount;
    int32_t peak_headcount;
    int32_t breakthroughs;
    double founder_quality;
    double theta;              /* latent potential now (after breakthroughs) */
    double quality;
    double cash_cny;
    double revenue_cny_month;  /* last month */
    double peak_revenue_cny_month;
    double cum_rd_cny;
    double visibility;
    int32_t tier;              /* bits of lm_tier held at the end (ecosystem) */
    int32_t dragon_month;      /* first December certified a little dragon; -1 never */
    int32_t platform;          /* 1 if the firm became a platform */
} lm_firm_record;

/* Money of one month, per region and in total; every flow is booked twice so the invariant
 * "what firms pay equals what wages, landlords, compute providers and the state receive"
 * can be checked. Arrays hold n_regions entries. */
typedef struct lm_ledger {
    int32_t month;
    int n_regions;
    const double *firms_paid_payroll, *households_received;
    const double *firms_paid_compute, *compute_received;
    const double *firms_paid_rent, *landlords_received;
    const double *firms_paid_tax, *state_received_tax;
    const double *state_paid_subsidy, *firms_received_subsidy;
    const double *customers_paid, *firms_received_revenue;
    const double *founders_paid_seed, *firms_received_seed;
    /* rounds: what investors paid equals what firms received; exits: what buyers paid
       equals what the cap table's holders received */
    const double *investors_paid, *firms_received_investment;
    const double *exit_buyers_paid, *exit_holders_received;
    /* dying firms' unpaid bills (negative cash) their staff, compute providers and landlords
       write off: money into the firms' books, which end at 0 (docs/model.md 7.5) */
    const double *creditors_wrote_off;
    double firm_cash_before, firm_cash_after; /* over all firms alive at any point of the month,
                                                 including those that died in it */
} lm_ledger;

#ifdef __cplusplus
}
#endif
#endif
