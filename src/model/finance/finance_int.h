/* src/model/finance/finance_int.h -- the state the finance phase (6) and the exits phase (9)
 * share: investors and their books, cap tables keyed by firm id, the month's deal pool and
 * the run's ledgers (MODEL.md 5.4, 5.5, 5.7). Private to src/model/finance and
 * src/model/exits; other phases see finance only through the documented world fields
 * (firms' valuation_cny and cash, private_capital, policy budgets, the first-round record
 * founders read: first_sought, first_closed, first_raised).
 *
 * Everything is keyed by ids that never change: firm ids (cap tables survive compaction,
 * which moves slots) and investor ids (order of creation, fixed by region and policy order,
 * so ids never depend on threads). */
#ifndef LM_MODEL_FINANCE_INT_H
#define LM_MODEL_FINANCE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/world.h"
#include "longmen/finance.h"

/* Holders of a cap table that are not investors. */
enum { LM_HOLDER_FOUNDERS = -1, LM_HOLDER_POOL = -2 };

/* One line of a cap table. */
typedef struct lm_stake {
    int32_t holder;   /* investor id, or LM_HOLDER_FOUNDERS / LM_HOLDER_POOL */
    double share;     /* of the firm, in [0, 1]; a table's shares sum to 1 */
    double cost_cny;  /* what the holder paid in (0 for founders and the pool) */
    double p_loss;    /* the holder's loss estimate, cost-weighted over its rounds */
} lm_stake;

/* Finance state of one firm, by id (what every firm needs every month, its smoothed revenue
 * and last round, lives in the firm arrays: revenue_ema_cny, round_stage, last_round). */
typedef struct lm_fin_firm {
    lm_stake *stakes; /* NULL until the first round: the founders own the firm */
    uint16_t n, cap;
    double raised_cny;
} lm_fin_firm;

typedef struct lm_flow {
    int32_t month;
    double amount; /* LP view: calls negative, distributions positive */
} lm_flow;

/* Who an investor's LPs are: how distributions and released commitments are split. */
typedef enum lm_lp {
    LM_LP_GOV = 0,
    LM_LP_PRIVATE,
    LM_LP_STRATEGIC,
    LM_LP_NATIONAL,
    LM_LP_COUNT
} lm_lp;

typedef struct lm_investor {
    uint32_t id;
    uint64_t stream;     /* stable key of its random streams (lm_stream_investor) */
    uint8_t kind;        /* lm_investor_kind */
    uint8_t direct;      /* a direct-injection vehicle: spends its policy's budget */
    uint8_t fund;        /* has LPs, a life, fees and carry (sub-funds and VC funds) */
    uint8_t guidance;    /* a guidance sub-fund: loss tolerance, 返投, freeze */
    int16_t region;      /* home */
    int16_t policy;      /* index in the home region's policies, -1 none */
    int32_t vintage;     /* month of creation */
    int32_t invest_end;  /* last month it may invest (INT32_MAX evergreen) */
    int32_t life_end;    /* last month of its life (INT32_MAX evergreen) */
    int32_t frozen_until;/* managers frozen through this month, -1 never */
    int32_t frozen_months;
    uint32_t stages;     /* bit s: invests at stage s */
    uint32_t sectors;    /* bit s: invests in sector s */
    double sigma;        /* due-diligence noise */
    double hurdle;
    double max_loss;     /* most loss probability per deal (risk appetite) */
    double loss_tolerance; /* L, 1 = none */
    double reinvest_required; /* k x government commitment */
    double ticket_share, max_ticket;
    /* money */
    double commit[LM_LP_COUNT];
    double size;         /* sum of commit */
    double uncalled;     /* funds: commitments not yet called */
    double cash;         /* angels, strategic: money at hand */
    double called;       /* paid in by LPs (funds) or put into deals (others) */
    double invested, fees, proceeds, distributed, carry_paid;
    double released;     /* uncalled commitments given back at the end of the life */
    double local_invested;
    double follow_on;          /* invested in firms it already held (the follow-on reserve) */
    double cost_open, el_open; /* cost and expected loss of unresolved holdings */
    double realised_loss;
    double looks;              /* deals looked at (screening), summed over its life */
    double new_invested;       /* put into firms it did not hold yet */
    double realised_month;     /* realised loss booked this month (freeze check) */
    double annual_budget;      /* strategic: money a year */
    int32_t deals;
    lm_flow *flows;
    size_t n_flows, cap_flows;
} lm_investor;

/* One firm in the month's deal pool. */
typedef struct lm_deal {
    size_t slot;
    uint32_t firm_id;
    int16_t region;
    uint8_t sector, stage;
    double size;         /* round size sought */
    double run_rate;     /* run-rate revenue a year */
    double log_theta;    /* what signals are noisy views of */
    double noise_factor; /* 1 - noise reduction of the firm's region */
    double visibility;   /* deals-seen weight factor: matchmaking, corridor, tiers */
} lm_deal;

/* One investor's interest in one deal, from screening. */
typedef struct lm_offer {
    uint32_t deal;       /* index in the pool */
    uint32_t investor;   /* index in the investor array (= id) */
    double amount;       /* wanted */
    double loss;         /* estimated probability of losing it */
    double multiple;     /* expected multiple at the investor's own price */
    double pre_own;      /* the pre-money its signal implies */
    double z;
} lm_offer;

/* Cumulative counters for invariant checks (never written to the results). The money of the
 * "investor system" X = sum over investors of (uncalled + cash) + sum over regions of private
 * capital obeys, month by month,
 *   X = X0 + gov_committed + outside_in + to_private
 *          - invested - fees - gov_released - outside_out
 * (tests/unit/finance/test_funds.c). Direct injections go from a budget straight into a
 * firm and are counted apart (direct_paid). */
typedef struct lm_fin_totals {
    double x0;                  /* private capital at the start */
    double gov_committed;       /* policy budgets -> guidance sub-funds */
    double gov_released;        /* uncalled government commitments given back */
    double outside_in;          /* strategic arms' money, strategic and national LPs */
    double outside_out;         /* released or excess money of outside sources */
    double to_private;          /* exit proceeds and distributions that became private capital */
    double invested;            /* into firms, by investors other than direct vehicles */
    double direct_paid;         /* into firms, by direct vehicles */
    double fees, carry;
    double exit_paid, exit_received; /* buyers -> holders of cap tables */
    uint64_t screened, seen;    /* deals evaluated with a signal / looked at */
    uint64_t guidance_offers;   /* guidance sub-funds' offers that reached allocation */
    uint64_t loss_bound;        /* of which cut or refused by loss tolerance */
} lm_fin_totals;

struct lm_finance {
    lm_fin_firm *firm;          /* by firm id */
    size_t n_firm;
    lm_investor *inv;           /* by investor id */
    size_t n_inv, cap_inv;
    int32_t *strategic;         /* [R] id of the region's strategic investor, -1 */
    int32_t *direct;            /* [R*LM_MAX_POLICIES] id of a policy's direct vehicle, -1 */
    double *recycled;           /* [R*LM_MAX_POLICIES] released government commitments back in
                                   a policy's budget, not yet committed again */
    int32_t *provincial;        /* [R] canonical region of the province (-1 none) */
    /* closed rounds of the last deal_flow_months months, the deal flow guidance policies size
       their sub-funds from: slot = month mod n_flow_months */
    double *round_flow;         /* [n_flow_months * R * STAGES * S] money raised by rounds */
    int32_t *round_flow_month;  /* [n_flow_months] month a slot holds, INT32_MIN none */
    int n_flow_months;
    int32_t flow_first;         /* first month a round was booked, INT32_MAX none */
    uint8_t *policy_raised;     /* [R*LM_MAX_POLICIES] 1 once a policy's first sub-fund closed */
    /* month helpers, per region */
    double *deal_mult;          /* [R] deals-seen multiplier (matchmaking, corridor) */
    double *noise_factor;       /* [R] 1 - noise reduction */
    /* ledgers of the run */
    lm_deal_record *deals;
    size_t n_deals, cap_deals;
    lm_exit_record *exits;
    size_t n_exits, cap_exits;
    lm_fund_record *fund_out;   /* filled by lm_sim_funds */
    size_t cap_fund_out;
    lm_finance_year *years;     /* [n_years * R] */
    double *cum_gov, *cum_social; /* [R] guidance commitments so far */
    /* month buffers, grown at phase boundaries */
    lm_deal *pool;
    size_t n_pool, cap_pool;
    double *cum;                /* [R * STAGES] segments of cumulative weights, see deals.c */
    size_t cap_cum;
    uint32_t *pool_by_stage;    /* pool indices grouped by stage */
    size_t cap_pool_by_stage;
    size_t stage_begin[LM_STAGE_COUNT + 1];
    lm_offer *offers;
    size_t cap_offers;
    lm_offer *offers_sorted;    /* the other buffer of the offers' radix sort (deals.c) */
    size_t cap_offers_sorted;
    uint32_t *insider;          /* CSR: pool deals in which an investor holds a stake */
    size_t *insider_begin;      /* [n_inv + 1] */
    size_t cap_insider, cap_insider_begin;
    size_t *offer_count;        /* [n_inv] offers each investor made this month */
    size_t *offer_begin;        /* [n_inv + 1] */
    double *inv_avail;          /* [n_inv] money each may invest this month */
    double *inv_looks;          /* [n_inv] expected looks at new deals this month */
    uint64_t *inv_seen, *inv_screened; /* [n_inv] this month */
    size_t cap_offer_count, cap_inv_avail, cap_inv_looks, cap_inv_seen, cap_inv_screened;
    size_t cap_offer_index;
    uint32_t *seen_buf;         /* per thread: deals an investor already judged this month */
    size_t cap_seen_buf;
    double *seek;               /* [firm slots] round size a firm seeks, 0 = none */
    size_t cap_seek;
    lm_fin_totals totals;
    int32_t market_year;        /* year angels and strategic arms last drew their money */
    int32_t national_year;      /* year of national_left */
    double national_left;       /* national LP money not yet committed this year */
    double last_screen_seconds; /* wall time of screening, summed (benchmark only) */
};

/* ---- state.c ---- */
/* Creates w->finance when missing (first finance or exits phase of a run). */
lm_status lm__finance_ensure(lm_world *w, lm_error *err);
/* Grows the per-firm table to w->next_id ids. */
lm_status lm__finance_grow_firms(lm_world *w, lm_error *err);
lm_status lm__finance_add_investor(lm_world *w, lm_investor_kind kind, int region, int policy,
                                   lm_month m, lm_investor **out, lm_error *err);
lm_status lm__finance_flow(lm_investor *inv, lm_month m, double amount, lm_error *err);
lm_status lm__finance_push_deal(struct lm_finance *fin, const lm_deal_record *d, lm_error *err);
lm_status lm__finance_push_exit(struct lm_finance *fin, const lm_exit_record *x, lm_error *err);
lm_finance_year *lm__finance_year(lm_world *w, int r, lm_month m);

/* ---- captable.c ---- */
/* A round at pre-money pre: the n new holders pay amount[k] each (p_loss[k] their loss
 * estimates). The first round carves option_pool from the founders first. Existing shares
 * scale by pre / post, new shares are amount / post; a holder already on the table adds to
 * its line. Shares sum to 1 after it. */
lm_status lm__captable_round(lm_fin_firm *ff, double pre, const int32_t *holder,
                             const double *amount, const double *p_loss, int n,
                             double option_pool, lm_error *err);
/* Sum of the shares (1 for a firm that never raised). */
double lm__captable_sum(const lm_fin_firm *ff);
/* Share of one holder (founders of a firm that never raised: 1). */
double lm__captable_share(const lm_fin_firm *ff, int32_t holder);
void lm__captable_free(lm_fin_firm *ff);

/* ---- funds.c ---- */
/* Region helpers of the month: deals-seen multipliers and noise (matchmaking, corridor). */
void lm__finance_region_effects(lm_world *w, lm_month m);
/* Raising of the year (January, a policy's first month, the run's first month). */
lm_status lm__funds_raise(lm_world *w, lm_month m, lm_error *err);
/* Management fees of the month and the end of lives. */
lm_status lm__funds_fees_and_ends(lm_world *w, lm_month m, lm_error *err);
/* Money an investor may put into a new firm now (0 when it may not invest): a fund within
 * its investment period, less the fees still to come and its unused follow-on reserve. */
double lm__investor_available(const lm_world *w, const lm_investor *inv, lm_month m);
/* Multiple of deals_seen_month a fund's team looks at this month (deals.c, docs/model.md 7.9). */
double lm__team_pace(const lm_finance_params *f, const lm_investor *inv, double avail_new,
                     lm_month m);
/* Money a fund may put into a firm it already holds (a follow-on): the reserve too, and until
 * the end of its life. Other investors: as lm__investor_available. */
double lm__investor_available_follow(const lm_world *w, const lm_investor *inv, lm_month m);
/* Room left under a guidance sub-fund's loss tolerance, as expected loss in CNY: the open
 * portfolio's expected loss may reach max(L, zero_loss_floor) x (its cost + the money the fund
 * may still invest), not L x the cost of its first deals (docs/model.md 7.9). */
double lm__guidance_loss_room(const lm_world *w, const lm_investor *inv, lm_month m);
/* Does a firm in region r count as local for the investor's 返投 requirement? */
bool lm__investor_is_local(const lm_world *w, const lm_investor *inv, int r);
/* Books a closed round of a firm of region r (stage, sector) in month m into the deal flow
 * guidance policies see. */
void lm__finance_note_round(lm_world *w, int r, int stage, int sector, lm_month m,
                            double amount);
/* Money a year raised by rounds that a sub-fund of region h with these stages and sectors
 * sees, over the deal_flow_months before month m: local rounds in full, others' weighted by
 * nonlocal_visibility x I[h,r], as in screening. */
double lm__guidance_visible_flow(const lm_world *w, int h, uint32_t stages, uint32_t sectors,
                                 lm_month m);
/* Government commitment a fund policy (region r, index k) asks for in month m, before
 * social capital is raised: g x the capital the visible deal flow can absorb over an
 * investment period, less the dry powder of its sub-funds still investing, within the
 * budget (docs/model.md 7.9). */
double lm__guidance_commitment(const lm_world *w, int r, int k, lm_month m);
/* Angels and strategic arms of the run's first month (lm_finance_start). */
lm_status lm__funds_market_year(lm_world *w, lm_month m, lm_error *err);
/* Pays amount out of the investor toward a deal: calls from LPs, spends a budget. */
lm_status lm__investor_pay(lm_world *w, lm_investor *inv, lm_month m, double amount,
                           lm_error *err);
/* Proceeds of an exit reach the investor: LPs get them (less carry), angels' go back to
 * private capital, strategic arms' and direct vehicles' leave the region's books. */
lm_status lm__investor_receive(lm_world *w, lm_investor *inv, lm_month m, double amount,
                               lm_error *err);

/* ---- books.c ---- */
/* Books of every investor as of the last simulated month (w->month - 1): NAV, TVPI, DPI,
 * IRR. Borrowed, valid until the next call. */
const lm_fund_record *lm__finance_funds(lm_world *w, size_t *count);

/* ---- deals.c ---- */
lm_status lm__deals_run(lm_world *w, lm_month m, lm_error *err);
/* The investor's estimates for a deal at stage s with posterior signal z (docs/model.md 7.9). */
double lm__deal_loss(const lm_finance_params *f, int stage, double z);
double lm__deal_pre_money(const lm_finance_params *f, int stage, double z, double run_rate);
double lm__deal_multiple(const lm_finance_params *f, int stage, double z, double run_rate,
                         double loss, double pre);

#endif
