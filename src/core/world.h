/* src/core/world.h -- the state of one simulation run (private). The world holds the firms,
 * the regions' state, what the policy phase switched on, the month's events and money
 * ledger, and the observations. Each phase writes only its own part (named in the comments)
 * and reads the rest; the scheduler (sim.c) runs them in MODEL.md section 3 order.
 *
 * Region x sector arrays are row-major [r * n_sectors + s]; region x layer [r * n_layers + l];
 * region x skill [r * LM_SKILL_COUNT + k]. */
#ifndef LM_CORE_WORLD_H
#define LM_CORE_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/firms.h"
#include "core/params.h"
#include "core/rng.h"
#include "longmen/ecosystem.h"
#include "longmen/results.h"

/* Deterministic parallel sums: the firm slots are cut into blocks whose size depends only on
 * n (never on the thread count); each block sums its firms in slot order, then the blocks
 * are added in block order. Any thread may compute any block. */
#define LM_TEAM_TABLE 4096u
#define LM_BLOCK_MIN 1024u
#define LM_BLOCK_MAX_COUNT 256u
typedef struct lm_blocks {
    size_t n, count, size;
} lm_blocks;
static inline lm_blocks lm_blocks_of(size_t n)
{
    lm_blocks b;
    b.n = n;
    b.count = (n + LM_BLOCK_MIN - 1) / LM_BLOCK_MIN;
    if (b.count > LM_BLOCK_MAX_COUNT)
        b.count = LM_BLOCK_MAX_COUNT;
    if (b.count == 0)
        b.count = 1;
    b.size = (n + b.count - 1) / b.count;
    if (b.size == 0)
        b.size = 1;
    return b;
}
static inline size_t lm_block_begin(const lm_blocks *b, size_t k)
{
    const size_t i = k * b->size;
    return i < b->n ? i : b->n;
}
static inline size_t lm_block_end(const lm_blocks *b, size_t k)
{
    const size_t i = (k + 1) * b->size;
    return i < b->n ? i : b->n;
}
/* Adds partial[k][0..width) over blocks k = 0..count-1, in order, into out[0..width). */
void lm_blocks_reduce(const lm_blocks *b, const double *partial, size_t width, double *out);

/* Events of the current month per region, written by the phases named, reset by sim.c. */
typedef struct lm_month_events {
    int64_t births, births_by_source[LM_SOURCE_COUNT], births_nonlocal; /* entry */
    int64_t founders_elsewhere;           /* entry: founders from here who left the scenario */
    int64_t launches, breakthroughs;      /* rnd */
    int64_t deaths;                       /* costs */
    int64_t ipos, acquisitions;           /* exits (finance issue) */
} lm_month_events;

/* Talent flows of the current month for one region and skill, people (talent phase). A
 * pool changes by graduates + trained + migrants_in + outside_in - exits - migrants_out -
 * outside_out; migrants move between the scenario's regions, outside_* to and from the rest
 * of the country. */
typedef struct lm_talent_flows {
    double graduates, trained, exits;
    double migrants_in, migrants_out, outside_in, outside_out;
} lm_talent_flows;

/* Money of the current month per region (ledger), each flow booked on both sides. */
typedef struct lm_money {
    double firms_paid_payroll, households_received;
    double firms_paid_compute, compute_received;
    double firms_paid_rent, landlords_received;
    double firms_paid_tax, state_received_tax;
    double state_paid_subsidy, firms_received_subsidy;
    double customers_paid, firms_received_revenue;
    double founders_paid_seed, firms_received_seed;
    double rd_spend;
    /* the public purse (lm_public_year), by the purse's region: tax expenditures of the
       costs phase; calls, injections, returns and commitments of the finance phases */
    double tax_forgone_personal, tax_forgone_corporate, tax_forgone_other;
    double gov_called, gov_invested, state_paid_direct, gov_returned;
    double gov_committed_new, gov_recommitted, gov_released;
    /* a dying firm's unpaid bills (its negative cash) written off by its named creditors, in
       proportion to its last month's bills: the firm's cash returns to 0 (docs/model.md 7.5) */
    double creditors_wrote_off, unpaid_staff, unpaid_compute, unpaid_landlords;
    double exited_firm_cash; /* cash that left the firms' books with firms that exited */
    /* finance issue: rounds (finance phase) and exits (exits phase), by the firm's region */
    double investors_paid, firms_received_investment;
    double exit_buyers_paid, exit_holders_received;
} lm_money;

typedef struct lm_world {
    const lm_params *p;
    lm_rng_key key;
    uint64_t seed;
    uint32_t run;
    int threads;
    lm_month month;          /* the month being (or next to be) simulated */
    int R, S, L;

    lm_firms firms;
    size_t ended_in_slots;   /* ended firms still occupying slots (compaction trigger) */
    uint32_t next_id;        /* ids handed out so far */
    int64_t *where;          /* per id: slot >= 0, or -(archive index) - 1 */
    size_t where_cap;
    lm_firm_record *archive; /* ended firms, in order of compaction */
    size_t n_archive, archive_cap;
    uint32_t *kept_slots;    /* compaction's runs of surviving slots (lm_firms_compact) */
    size_t kept_cap;
    uint32_t *hiring;        /* costs: slots with openings, each block's from its first slot */
    size_t hiring_cap;
    /* Each firm's bills of the month (payroll + compute + rent, lm_unit_costs), set by the
       R&D phase, which works them out anyway, for finance, which reads them before anything
       they depend on changes; valid for burn_n slots when burn_month is the month. */
    double *burn;
    size_t burn_cap, burn_n;
    lm_month burn_month;
    /* [R*LM_MAX_POLICIES] the month's R&D subsidy requests per region and policy, summed by
       the R&D phase, which sets what they are of, for the costs phase's rations; valid for
       burn_n slots when burn_month is the month, as burn. */
    double *subsidy_requests;
    /* The market's weights per part (lm_market_weights_width), summed by the R&D pass right
       after quality; valid for weights_n slots when weights_month is the month. */
    double *weights;
    size_t weights_n;
    lm_month weights_month;

    /* region state */
    double *talent;          /* [R*SKILL] people (static until the talent phase exists) */
    double *wage;            /* [R*SKILL] CNY per month */
    double *knowledge;       /* [R*S] K, written by the ecosystem phase */
    double *knowledge_next;  /* [R*S] scratch of the ecosystem phase */
    double *chain;           /* [R*L] completeness 0..1 (static until chain dynamics exist) */
    double *recent_failed;   /* [R] failed founders who may found again: costs adds, entry
                                draws them down, the ecosystem phase decays them */
    double *private_capital; /* [R] CNY of private wealth angels and LPs draw on: finance
                                draws it down, exits add exit wealth back */
    double *platform_alumni; /* [R] people trained by platform firms (entry reads) */
    uint32_t *platform_sectors; /* [R] sectors of the region's platforms (entry reads) */

    /* written by the policy phase each month */
    uint8_t *policy_active;  /* [R*LM_MAX_POLICIES] */
    double *policy_budget;   /* [R*LM_MAX_POLICIES] CNY left this year */
    /* founding cohorts (calendar years from cohort_year0): births, and each December the
       valuation and revenue a firm of the cohort needs to rank in its top cohort_share */
    double *cohort_births, *cohort_value_min, *cohort_revenue_min;
    int cohort_year0, n_cohorts;
    double *rank_buf;        /* December scratch of the ranking: one value per live firm */
    uint32_t *rank_pos;      /* [n_cohorts + 1] its cohort offsets */
    uint32_t *rank_fill;     /* [n_cohorts] */
    size_t cap_rank_buf;
    double *talent_policy;   /* [R] */
    double *failure_tolerance; /* [R] */
    uint8_t *tolerance_set;  /* [R] a failure_tolerance policy is in force this month */
    double *institution_strength; /* [R] */
    double *compute_index;   /* [R] 0..1 */
    double *institutions;    /* [R*S] knowledge units per month from institutions */
    double *rent_discount;   /* [R*S] */
    double *option_effect;   /* [R*S] payroll share saved by the option-tax rule */
    double *rd_subsidy_rate; /* [R*S] */
    int16_t *rd_subsidy_policy; /* [R*S] policy index paying the subsidy, -1 none */

    /* what founders observe of the recent past (docs/model.md 7.2), exponentially smoothed
       over entry.prospect_months: first rounds sought, closed and the money they raised, a
       month (finance phase); serial founders from the region and its recently failed founders,
       a month (entry phase) */
    double *first_sought;    /* [R*S] */
    double *first_closed;    /* [R*S] */
    double *first_raised;    /* [R*S] CNY */
    double *restarts;        /* [R] */
    double *failed_seen;     /* [R] */

    /* ecosystem issue (talent phase 2, costs' hiring, chain and platforms in phase 10) */
    double *employed;        /* [R*SKILL] staff of scenario firms (costs, after hiring) */
    double *openings;        /* [R*SKILL] hires firms wanted this month (costs) */
    double *hired;           /* [R*SKILL] hires made this month (costs) */
    double *attrition;       /* [R*S] key-engineer attrition a month (talent) */
    double *attrition_cut;   /* [R*S] share avoided by the option-tax rule (policy) */
    lm_talent_flows *talent_flows; /* [R*SKILL] this month's flows (talent), see below */
    double *chain_own;       /* [R*L] own completeness; chain[] is the effective one, sourced
                                from integrated neighbours (ecosystem) */
    double *chain_mass;      /* [R*L] staff of firms using the layer (ecosystem) */
    double *chain_invest;    /* [R*L] completeness added by parks this month (ecosystem) */
    double *platform_staff;  /* [R*SKILL] staff of platforms by skill: the scenario's
                                platform_staff (software) + giant firms' (ecosystem) */
    int32_t *platforms;      /* [R] firms of the region that became platforms (ecosystem) */
    lm_public_year *public_years; /* observations [n_years * R], year-major */
    lm_region_skill_year *skill_years; /* observations [n_years * R * SKILL], year-major */
    lm_region_layer_year *layer_years; /* observations [n_years * R * L], year-major */

    /* fixed for the run: (h / team_s)^eta for h < LM_TEAM_TABLE, [S * LM_TEAM_TABLE] */
    double *team_factor;

    /* written by the rnd phase */
    double *rd_by_rs;        /* [R*S] R&D spending this month */

    /* the month's events and money, per region; reset by sim.c at the start of a month */
    lm_month_events *events; /* [R] */
    lm_money *money;         /* [R] */
    double firm_cash_before, firm_cash_after;

    /* observations: region_year rows, n_years * R, year-major */
    lm_region_year *region_years;
    int first_year, n_years;

    lm_arena scratch;        /* per-month scratch, reset by sim.c */

    /* finance issue: investors, cap tables and ledgers of the finance and exits phases
       (src/model/finance/finance_int.h), created by the first of them to run; released by
       lm_world_fini through finance_free */
    struct lm_finance *finance;
    void (*finance_free)(struct lm_finance *);
} lm_world;

/* _init/_fini: the caller owns w. firm_capacity pre-sizes the firm arrays. */
lm_status lm_world_init(lm_world *w, const lm_params *p, uint64_t seed, uint32_t run,
                        int threads, size_t firm_capacity, lm_error *err);
void lm_world_fini(lm_world *w);
/* Moves ended firms to the archive and closes the gaps (stable, order of birth kept). Runs
 * between months, never inside a phase. */
lm_status lm_world_compact(lm_world *w, lm_error *err);
/* Product quality q = theta (1 - exp(-cum_rd / R_s)) (MODEL.md 5.2). */
static inline double lm_rnd_quality(double theta, double cum_rd_cny, double rd_scale_cny)
{
    return theta * (1.0 - lm_exp(-cum_rd_cny / rd_scale_cny));
}

/* The firm in slot i as an output record (lm_firms_record), with its product quality
 * q = theta (1 - exp(-cum_rd / R_s)): the R&D phase keeps q only for launched firms, the
 * ones whose q the market reads, so a firm still developing its product gets it here, from
 * the same expression and state, hence the same bits. */
void lm_world_firm_record(const lm_world *w, size_t i, lm_firm_record *rec);

/* Accessors shared by phases. */
static inline double lm_world_talent_total(const lm_world *w, int r)
{
    double t = 0.0;
    for (int k = 0; k < LM_SKILL_COUNT; ++k)
        t += w->talent[r * LM_SKILL_COUNT + k];
    return t;
}

/* Chain completeness a sector sees in a region: the mean over the layers it depends on
 * (1 when it depends on none: nothing is missing). */
double lm_world_sector_chain(const lm_world *w, int r, int s);

/* Effective chain completeness from own chains (MODEL.md 5.9): a layer missing here can be
 * sourced from an integrated neighbour at a discount,
 *   chain[r,l] = max(chain_own[r,l], discount * max_{q != r} I[r,q] * chain_own[q,l]).
 * Run at initialisation and by the ecosystem phase after chains move. */
void lm_world_source_chains(lm_world *w);

/* An array of `size`-byte elements one per firm slot (kept_slots, hiring, burn), grown to
 * the firms' capacity once the firms outgrow *cap: returns it (the same or moved), or NULL
 * when memory runs out (slots is then still valid and unchanged). It always has at least one
 * element, so that a block's offset into it is an offset into an array even before the first
 * firm is born. */
void *lm_world_slot_array(const lm_world *w, void *slots, size_t *cap, size_t size);

/* Scratch from the month arena; NULL means the arena is too small (a bug: sim.c sizes it). */
void *lm_world_scratch(lm_world *w, size_t bytes);
/* Bytes of the month arena lm_world_init reserves for p (also read by the memory estimate of
 * src/experiments/memory.c). */
size_t lm_world_scratch_bytes(const lm_params *p);

#endif
