/* include/longmen/finance.h -- what a run observes of its money (MODEL.md 5.4, 5.5, 5.7, 6):
 * the deal ledger (one record per investor per round), the books of every fund and investor,
 * the exits, and per region and year the investment by investor kind and stage, government
 * and social capital, and the guidance funds' realised losses. These are the rows of the
 * results tables deal, fund, exit, finance_year and investment_year (docs/output.md). The
 * model behind them: docs/model.md 7.9 (finance) and 7.10 (exits). */
#ifndef LONGMEN_FINANCE_H
#define LONGMEN_FINANCE_H

#include <stddef.h>
#include <stdint.h>

#include "longmen/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stages of a financing round. YAML and database names: seed, a, b, c, growth. */
typedef enum lm_stage {
    LM_STAGE_SEED = 0,
    LM_STAGE_A,
    LM_STAGE_B,
    LM_STAGE_C,
    LM_STAGE_GROWTH,
    LM_STAGE_COUNT
} lm_stage;

/* Investor kinds (MODEL.md 2). YAML and database names: gov_st, gov_innovation, vc,
 * strategic, angel. Guidance sub-funds of st_fund and provincial_fof policies and direct
 * injection vehicles are gov_st; sub-funds of innovation_fund policies are gov_innovation. */
typedef enum lm_investor_kind {
    LM_INVESTOR_GOV_ST = 0,    /* government S&T fund: "invest early, small, in technology" */
    LM_INVESTOR_GOV_INNOVATION,/* government innovation fund: "the strong, the big, industry" */
    LM_INVESTOR_VC,            /* market VC fund, no government LP */
    LM_INVESTOR_STRATEGIC,     /* a platform's investment arm */
    LM_INVESTOR_ANGEL,         /* angels drawing on the region's private capital */
    LM_INVESTOR_KIND_COUNT
} lm_investor_kind;

/* One investor's part of one round. Months are indices (year*12 + month-1). */
typedef struct lm_deal_record {
    int32_t month;
    uint32_t firm_id;
    uint32_t investor_id;       /* = lm_fund_record.fund_id */
    int32_t investor_kind;      /* lm_investor_kind */
    int32_t stage;              /* lm_stage */
    int32_t region;             /* the firm's region */
    int32_t investor_region;    /* the investor's home region */
    int32_t lead;               /* 1 for the investor that set the price */
    int32_t local;              /* 1 when the deal counts as local for the investor's 返投 */
    double amount_cny;          /* paid by this investor into the firm */
    double pre_money_cny, post_money_cny; /* of the whole round */
    double equity;              /* share of the firm this investor bought, 0..1 */
    double expected_loss;       /* the investor's estimate of the probability of losing it */
    double expected_multiple;   /* the investor's estimate of the multiple, at the round's price */
} lm_deal_record;

/* The books of one investor (fund, guidance sub-fund, direct-injection vehicle, strategic
 * investor or angel group), as of the last simulated month. Amounts in CNY. For investors
 * without LPs (angels, strategic, direct injection) paid_in is the money they put into
 * deals and distributed what came back to them. */
typedef struct lm_fund_record {
    uint32_t fund_id;           /* order of creation over the run */
    int32_t kind;               /* lm_investor_kind */
    int32_t region;             /* home region */
    int32_t policy;             /* index of the policy in its region's list, -1 none */
    int32_t direct;             /* 1 for a direct-injection vehicle */
    int32_t vintage;            /* month of the first close (creation) */
    int32_t invest_end, life_end; /* last month of the investment period and of the life;
                                     -1 for evergreen investors */
    uint32_t stages;            /* bit s = invests at stage s */
    double size_cny;            /* committed capital (funds); 0 for evergreen investors */
    double gov_share;           /* realised government share of the commitments */
    double committed_gov_cny, committed_private_cny, committed_strategic_cny,
        committed_national_cny;
    double paid_in_cny;         /* capital called (investments and fees) */
    double invested_cny;        /* paid into firms */
    double fees_cny;            /* management fees */
    double proceeds_cny;        /* received from exits */
    double distributed_cny;     /* paid to LPs (net of carry) */
    double carry_cny;
    double nav_cny;             /* open holdings at their firms' last post-money */
    double tvpi, dpi;           /* (distributed + nav) / paid_in, distributed / paid_in;
                                   0 when nothing was paid in */
    double irr;                 /* annual, from monthly LP cash flows and the NAV; NaN when
                                   undefined */
    double loss_ratio;          /* realised: cost of written-off holdings and of exits below
                                   cost, over invested */
    double loss_tolerance;      /* L (1 = no constraint) */
    double expected_loss_ratio; /* (realised loss + expected loss of open holdings) / invested */
    double reinvest_required_cny; /* k x government commitment (0 without a requirement) */
    double local_invested_cny;
    double reinvest_shortfall_cny; /* required - local, >= 0: final once the investment period
                                      is over */
    int32_t deals;
    int32_t frozen_months;      /* months in which the managers were frozen */
    double signal_noise;        /* due-diligence noise sigma_i */
    double hurdle;              /* least expected multiple */
} lm_fund_record;

/* One exit. */
typedef struct lm_exit_record {
    int32_t month;
    uint32_t firm_id;
    int32_t region;
    int32_t kind;               /* lm_firm_status: 2 IPO, 3 acquired */
    int32_t buyer_id;           /* acquiring strategic investor, -1 public market / outside buyer */
    double valuation_cny;       /* exit value, paid out pro rata */
    double to_founders_cny, to_employees_cny, to_investors_cny;
    double raised_cny;          /* money the firm had raised in rounds */
} lm_exit_record;

/* Money of one region in one calendar year. Flows are sums over the year's months; stocks
 * (marked) are taken at its last simulated month. */
typedef struct lm_finance_year {
    int32_t region;
    int32_t year;
    int32_t months;
    /* investor stakes bought in firms of the region, and the money, by kind and stage */
    int64_t deals[LM_INVESTOR_KIND_COUNT][LM_STAGE_COUNT];
    double invested_cny[LM_INVESTOR_KIND_COUNT][LM_STAGE_COUNT]; /* by investor kind and stage */
    int64_t rounds;             /* rounds closed by firms of the region */
    int64_t rounds_failed;      /* firms that sought money and got none this month, summed */
    double raised_cny;          /* paid into firms of the region */
    int64_t funds_raised;       /* funds and sub-funds of investors of the region that closed */
    double gov_committed_cny;   /* government commitments to the region's guidance sub-funds */
    double social_committed_cny;/* other LPs' commitments to those sub-funds */
    double gov_invested_cny;    /* government share of the guidance sub-funds' investments,
                                   plus direct injections */
    double guidance_invested_cny; /* all money the region's guidance sub-funds put into firms */
    double direct_cny;          /* direct injections */
    double leverage;            /* stock: cumulative social / government commitments, 0 if none */
    double guidance_loss_ratio; /* stock: realised losses / invested over the region's sub-funds */
    double guidance_loss_tolerance; /* stock: invested-weighted L of those sub-funds */
    int64_t frozen_funds;       /* stock: sub-funds whose managers are frozen */
    int64_t guidance_offers;    /* offers of the region's guidance sub-funds weighed in deals */
    int64_t guidance_loss_bound;/* of which cut or refused by their loss tolerance */
    double guidance_deal_flow_cny; /* stock: eligible rounds a year the region's fund policies
                                   saw at their last raising, summed over policies */
    double gov_uncommitted_cny; /* stock: fund policies' budget left uncommitted after their
                                   last raising (the deal flow did not need it) */
    int64_t ipos, acquisitions;
    double exit_value_cny;      /* exits of firms of the region */
    double exit_wealth_cny;     /* exit proceeds that became the region's private capital */
    double private_capital_cny; /* stock */
    double dry_powder_cny;      /* stock: uncalled commitments and cash of the region's investors */
} lm_finance_year;

typedef struct lm_sim lm_sim;

/* Borrowed, valid until the next step or destroy. count receives the number of records. */
LM_API const lm_deal_record *lm_sim_deals(const lm_sim *sim, size_t *count);
LM_API const lm_exit_record *lm_sim_exits(const lm_sim *sim, size_t *count);
/* Books of every investor as of the last simulated month (NAV, TVPI, DPI and IRR are
 * computed by this call). */
LM_API const lm_fund_record *lm_sim_funds(const lm_sim *sim, size_t *count);
/* Rows of the years simulated so far, year-major (n_years x regions). */
LM_API const lm_finance_year *lm_sim_finance_years(const lm_sim *sim, size_t *count);

/* Annual internal rate of return of monthly cash flows: flow[j] at month[j] (months need not
 * be sorted or distinct), solved as the root of the NPV in the monthly rate with GSL's Brent
 * method, then (1 + r)^12 - 1. Returns NaN when the flows do not change sign or no root is
 * bracketed in (-99.99%, +1000%) a month. */
LM_API double lm_irr_annual(const int32_t *month, const double *flow, size_t n);

#ifdef __cplusplus
}
#endif
#endif
