/* src/core/params.h -- the scenario as the model reads it (MODEL.md sections 2, 5, 7).
 * Private to the library. The YAML scenario (src/scenario/) fills exactly these structs; the
 * YAML key of every field is the field name written here (snake_case), so this header is also
 * the reference for the scenario format (docs/scenarios.md repeats it for users, with
 * defaults). Defaults live in src/scenario/defaults.c, one place.
 *
 * Sizes are fixed maxima so that a scenario is one flat allocation with no pointers inside
 * but the region and policy arrays: copying, hashing and overriding a scenario stay trivial. */
#ifndef LM_CORE_PARAMS_H
#define LM_CORE_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "longmen/finance.h" /* lm_stage, lm_investor_kind (finance issue) */

#define LM_MAX_REGIONS 256
#define LM_MAX_SECTORS 32
#define LM_MAX_LAYERS 16
#define LM_MAX_POLICIES 32 /* per region */
#define LM_NAME_MAX 64

/* Months are counted from 0000-01: m = year*12 + (month-1). */
typedef int32_t lm_month;
#define LM_MONTH_NEVER INT32_MAX
static inline lm_month lm_month_of(int year, int month) { return year * 12 + (month - 1); }
static inline int lm_month_year(lm_month m) { return m / 12; }
static inline int lm_month_moy(lm_month m) { return m % 12 + 1; } /* 1..12 */

/* Skills of talent pools (MODEL.md 2). YAML names: software, hardware, science,
 * manufacturing, design. */
typedef enum lm_skill {
    LM_SKILL_SOFTWARE = 0, /* software / AI */
    LM_SKILL_HARDWARE,     /* hardware / robotics */
    LM_SKILL_SCIENCE,
    LM_SKILL_MANUFACTURING,
    LM_SKILL_DESIGN, /* design / creative */
    LM_SKILL_COUNT
} lm_skill;

/* Business models (MODEL.md 5.3). YAML names: to_c, to_b, to_g. */
typedef enum lm_model {
    LM_MODEL_TO_C = 0,
    LM_MODEL_TO_B,
    LM_MODEL_TO_G,
    LM_MODEL_COUNT
} lm_model;

/* Where a founder comes from (MODEL.md 5.1). YAML names: platform, spinout, serial,
 * returnee, other. */
typedef enum lm_source {
    LM_SOURCE_PLATFORM = 0, /* platform alumnus */
    LM_SOURCE_SPINOUT,      /* academic spin-out */
    LM_SOURCE_SERIAL,       /* serial founder (founded before, failed) */
    LM_SOURCE_RETURNEE,     /* returnee from abroad */
    LM_SOURCE_OTHER,
    LM_SOURCE_COUNT
} lm_source;

/* Policy kinds (MODEL.md 7). YAML `kind:` names in brackets. Each kind reads only the fields
 * listed with it in lm_policy; the loader rejects the others. */
typedef enum lm_policy_kind {
    LM_POLICY_ST_FUND = 0,     /* [st_fund] government S&T guidance fund: early, small, tech */
    LM_POLICY_INNOVATION_FUND, /* [innovation_fund] government fund: strong, big, industry */
    LM_POLICY_DIRECT_INJECTION,/* [direct_injection] risk capital straight into a start-up */
    LM_POLICY_MATCHMAKING,     /* [matchmaking] officials bring investors on site */
    LM_POLICY_CORRIDOR,        /* [corridor] innovation corridor / "dream town" */
    LM_POLICY_PROVINCIAL_FOF,  /* [provincial_fof] provincial S&T fund of funds */
    LM_POLICY_TALENT_RULE,     /* [talent_rule] options offset income tax (West Lake 2020) */
    LM_POLICY_TALENT_PROGRAM,  /* [talent_program] talent attraction, returnee support */
    LM_POLICY_LAB,             /* [lab] new lab / academy (Zhejiang Lab 2017, DAMO 2020) */
    LM_POLICY_INDUSTRIAL_PARK, /* [industrial_park] park with compute (Yuhang AI park 2022) */
    LM_POLICY_RD_SUBSIDY,      /* [rd_subsidy] share of R&D spending refunded */
    LM_POLICY_FAILURE_TOLERANCE, /* [failure_tolerance] a stance that tolerates failure */
    LM_POLICY_KIND_COUNT
} lm_policy_kind;

/* One policy of one region, active for start <= m <= end (both months inclusive, as written). Fields not used by a kind stay at
 * their defaults. "sectors" selects the sectors a policy applies to (bit s = sector s; all
 * bits set when the YAML omits it); "layers" likewise selects chain layers. */
typedef struct lm_policy {
    lm_policy_kind kind;
    char name[LM_NAME_MAX]; /* optional label, UTF-8 */
    lm_month start, end;    /* YAML "YYYY-MM"; end omitted = LM_MONTH_NEVER */
    uint32_t sectors;       /* YAML list of sector ids */
    uint32_t layers;        /* YAML list of chain layer ids */
    bool enabled;           /* all kinds: false = the loader drops the policy (a switch) */

    /* budgets: st_fund, innovation_fund, direct_injection, provincial_fof, rd_subsidy */
    double budget_cny_year;     /* refilled each January */
    bool separate_budget_line;  /* true: carried over, always refilled (the 2015 plan);
                                   false: unspent money returns to the treasury each year and
                                   the refill is cut in years of fiscal pressure */

    /* guidance funds (st_fund, innovation_fund, provincial_fof): MODEL.md 5.5 */
    double loss_tolerance;      /* L: admissible expected loss ratio of the portfolio */
    double gov_share;           /* g: government share of a sub-fund */
    double reinvest_ratio;      /* k: local investment as a multiple of the gov commitment */
    double freeze_months;       /* managers frozen after realised loss > L */
    uint32_t stages;            /* funds and direct_injection: stage focus, bit s = lm_stage s
                                   (YAML list of seed, a, b, c, growth); finance issue */

    /* direct_injection */
    double amount_cny;          /* per start-up (CNY 20M into Unitree) */

    /* matchmaking, corridor: MODEL.md 5.4 */
    double deals_seen_multiplier; /* >= 1 */
    double noise_reduction;       /* share of signal noise removed, 0..1 */

    /* talent_rule: MODEL.md 5.6 */
    double option_share;        /* share of pay given as options by firms that use the rule */
    double tax_offset;          /* share of those options' income tax saved */
    double attrition_reduction; /* share of key-engineer attrition avoided (talent phase) */

    /* talent_program */
    double talent_level;        /* adds to talent_policy[r] (returnee founders, migration) */

    /* lab: adds to institutions, MODEL.md 5.1, 5.2 */
    double knowledge_per_month; /* knowledge units per month in each selected sector */
    double spinout_strength;    /* adds to institution_strength[r] */

    /* industrial_park: MODEL.md 5.6, 5.9 */
    double rent_discount;       /* share of rent saved by firms of the selected sectors */
    double compute_boost;       /* adds to the region's compute index, 0..1 */
    double chain_investment;    /* chain completeness added per year to selected layers */

    /* rd_subsidy */
    double rate;                /* share of R&D spending refunded */

    /* failure_tolerance */
    double value;               /* replaces the region's failure_tolerance while active */
} lm_policy;

typedef struct lm_region_params {
    char name[LM_NAME_MAX];     /* UTF-8, the key: "甲市" */
    char name_en[LM_NAME_MAX];  /* optional */
    char province[LM_NAME_MAX]; /* optional, UTF-8 */
    double population_10k;      /* resident population, 10,000 people */
    double gdp_100m_cny;        /* GDP, 100 million CNY */
    double wage_cny_month[LM_SKILL_COUNT]; /* YAML map skill -> wage */
    double talent[LM_SKILL_COUNT];         /* talent pools, people; YAML map skill -> count */
    double amenity;              /* 0..1 */
    double cost_index;           /* cost of living and office rent relative to 1.0 */
    double rent_cny_head_month;  /* office rent per employee per month */
    double compute_infrastructure; /* 0..1: local compute clusters and cloud */
    double private_capital_cny;  /* private wealth that angels draw on */
    double platform_alumni;      /* people who worked at platform firms (Alibaba: ~100k) */
    uint32_t platform_sectors;   /* sectors platform alumni found in (YAML list) */
    double vc_capital_cny_year;  /* market VC funds raised here a year; -1 (YAML: absent) =
                                    finance.vc_capital_share x private capital (finance issue) */
    double strategic_capital_cny_year; /* the platforms' investment arm a year; -1 (absent) =
                                    finance.strategic_cny_per_alumnus x platform alumni */
    double platform_staff;       /* staff of platform firms outside the model (Alibaba's
                                    local staff): their turnover adds alumni (MODEL.md 5.9) */
    double graduates_year[LM_SKILL_COUNT]; /* people entering each pool a year; derived
                                    from talent x talent.graduate_rate_year when absent */
    double institution_strength; /* universities and labs, drives spin-outs */
    double failure_tolerance;    /* 0..1: share of failed founders who may found again */
    double fiscal_pressure;      /* 0..1: chance a non-separate budget is cut in a year */
    /* per-sector arrays, YAML maps sector id -> value; absent sectors 0 (strength: 1) */
    double sector_strength[LM_MAX_SECTORS]; /* weight of a sector among local founders */
    double knowledge[LM_MAX_SECTORS];       /* initial knowledge stock K[r,s] */
    double institutions[LM_MAX_SECTORS];    /* knowledge units added per month by institutions */
    double chain[LM_MAX_LAYERS];            /* initial chain completeness per layer, 0..1 */
    /* share of national demand located here, per business model; derived from GDP when the
       YAML omits it (to_g from GDP too: government demand follows the economy) */
    double local_market_share[LM_MODEL_COUNT];
    int n_policies;
    lm_policy policies[LM_MAX_POLICIES];
} lm_region_params;

typedef struct lm_sector_params {
    char id[LM_NAME_MAX];    /* ASCII id used as key: ai_models */
    char name[LM_NAME_MAX];  /* display name, UTF-8 */
    lm_skill skill;          /* main talent skill */
    uint32_t layers;         /* chain layers it depends on (YAML list of layer ids) */
    double model_weight[LM_MODEL_COUNT]; /* founders' choice of To C / To B / To G */
    double rd_months;        /* months of R&D of a reference team to a product */
    double team_size;        /* founding team, also the reference team of rd_months */
    double compute_share;    /* compute as a share of costs at compute price index 1 */
    double pareto_alpha;     /* tail index of latent potential theta */
    double breakthrough_alpha; /* tail index of breakthrough jumps J */
    double rd_scale_cny;     /* R_s: cumulative R&D that brings quality to 63% of theta */
    double market_cny_year[LM_MODEL_COUNT]; /* national market size at market_base */
    double market_growth;    /* yearly growth rate of the national market */
    double incumbents;       /* competitors outside the scenario at market_base, as a count of
                                quality-1 firms; 0 = market / incumbent_revenue_cny_year */
    bool strategic;          /* strategic industry (innovation funds prefer it) */
} lm_sector_params;

/* Entry and location choice, MODEL.md 5.1. Rates are founders per month. */
typedef struct lm_entry_params {
    double base_rate;        /* per talent person (all skills) */
    double alumni_rate;      /* per platform alumnus */
    double spinout_rate;     /* per unit of institution strength */
    double restart_rate;     /* per recent failed founder, times failure tolerance */
    double returnee_rate;    /* per unit of talent policy */
    double failed_memory_months; /* mean months a failed founder stays "recent" */
    double outside_rate;     /* founders per month from the rest of the country */
    double outside_utility;  /* utility of founding outside the scenario's regions */
    double outside_integration; /* integration of the rest of the country with the regions */
    double quality_mu[LM_SOURCE_COUNT]; /* log-mean of founder quality by source */
    double quality_sigma;
    double beta;             /* weight of utility in the location logit */
    double moving_cost;
    double distance_cost;
    /* weights of what a founder observes in a region (docs/model.md 7.2): her first-round
       prospect, the talent pool, the chain, the founding team's monthly burn, the chance to
       start again after a failure, amenity, cost of living, knowledge */
    double w_round, w_tal, w_chain, w_burn, w_restart, w_amen, w_cost, w_know;
    double prospect_months;  /* memory of the deal flow founders read (EMA, months) */
    double prospect_prior;   /* first-round attempts of the region's whole record a sector's
                                own record is weighed against (smoothing of thin cells) */
    double angel_share;      /* share of private capital available to angels */
    double seed_capital_cny; /* median founders' seed money */
    double seed_capital_sigma;
    double founders;         /* people who found a firm: its first staff, unpaid at first */
} lm_entry_params;

/* R&D, knowledge, breakthroughs, MODEL.md 5.2. */
typedef struct lm_rnd_params {
    double eta;               /* returns to team size in progress */
    double kappa;             /* effect of local knowledge on progress */
    double knowledge_ref;     /* K_ref */
    double breakthrough_rate; /* per month at reference R&D spend and K = 0 */
    double breakthrough_ref_cny; /* reference R&D spend per month */
    double breakthrough_kappa;   /* effect of local knowledge on breakthroughs */
    double rd_elasticity;     /* breakthrough rate ~ (rd_spend / ref)^rd_elasticity; 1 is
                                 MODEL.md's "proportional", 0.5 the default (diminishing
                                 returns to R&D, as in knowledge production functions) */
    double theta_max;         /* frontier: breakthroughs fade as theta nears it (fishing out) */
    double jump_min;          /* smallest breakthrough jump J */
    double knowledge_decay;   /* delta per month */
    double spillover;         /* chi */
    double knowledge_unit_cny;/* CNY of R&D spending per knowledge unit */
    double compute_penalty;   /* progress lost by a compute-only sector without compute */
} lm_rnd_params;

/* Markets, MODEL.md 5.3. */
typedef struct lm_market_params {
    double gamma[LM_MODEL_COUNT];       /* share ~ q^gamma */
    double home_bias[LM_MODEL_COUNT];   /* share of a market reserved to local firms */
    double volatility[LM_MODEL_COUNT];  /* sd of the monthly log revenue shock */
    double visibility_gain;             /* public recognition per unit of revenue over ref,
                                           the same for every business model */
    double visibility_ref_cny_month;    /* revenue that saturates recognition */
    double visibility_rate;             /* speed at which recognition rises toward the
                                           revenue's, per month */
    double visibility_decay;            /* speed at which it fades toward a lower one */
    double breakthrough_visibility;     /* recognition jump of a breakthrough, any model */
    double adoption_months;             /* months for a new product to reach full share */
    double national_gdp_100m_cny;       /* to derive local market shares */
    double incumbent_revenue_cny_year;  /* yearly revenue of a quality-1 outside competitor,
                                           to derive a sector's incumbents when not given */
} lm_market_params;

/* Costs, cash, death, MODEL.md 5.6. */
typedef struct lm_cost_params {
    double payroll_overhead;    /* social insurance etc. on top of wages */
    double tech_share;          /* share of staff in R&D */
    double compute_discount_max;/* compute price cut at compute index 1 */
    double compute_weight_infra;/* compute index = w*infrastructure + (1-w)*chain(compute) */
    int compute_layer;          /* index of the chain layer that is compute (-1: none) */
    double profit_tax;          /* 25% */
    double hightech_tax;        /* 15% (used once tiers exist) */
    int grace_months;           /* insolvent months before death */
    double runway_target_months;/* firms hire while runway exceeds this */
    double runway_cut_months;   /* firms cut staff below this */
    double hire_rate;           /* largest monthly growth of staff, as a share of staff */
    double cut_rate;            /* share of staff cut a month when short of runway */
    double revenue_per_head_cny_month; /* revenue one employee serves (staff needed) */
    double max_headcount;       /* hard cap, keeps pathological runs bounded */
    double founder_unpaid_months; /* founders work without pay this long from founding, on
                                     their own savings (sweat equity), then draw wages;
                                     the median: each firm's scales with its founders' seed */
    double contract_share;      /* share of staff time a firm before launch sells as contract
                                   work when short of runway (its R&D slows as much) */
    double contract_margin;     /* contract work is billed at the staff's going pay times
                                   1 + margin */
} lm_cost_params;

/* ---- ecosystem: talent, chains, platforms, tiers (MODEL.md 2, 3 steps 2/8/10, 5.8, 5.9) ---- */

/* Talent pools, migration and wages (phase 2), and hiring limits (costs). Rates per month
 * unless named _year. */
typedef struct lm_talent_params {
    double graduate_rate_year;  /* graduates a year per person of a pool, when a region
                                   gives no graduates_year for a skill */
    double exit_rate_year;      /* pool members who retire or leave the occupation */
    double mobility_year;       /* share of a pool (not at scenario firms) that considers
                                   moving in a year */
    double beta_wage;           /* migration utility per log point of wage */
    double beta_amenity;
    double beta_policy;         /* per unit of talent policy */
    double beta_openings;       /* per unit of vacancy rate (openings / pool, a month) */
    double move_cost;           /* utility cost of any move */
    double distance_cost;       /* times (1 - integration): falls with integration */
    double outside_wage_cny_month[LM_SKILL_COUNT]; /* wages in the rest of the country */
    double outside_amenity;
    double outside_integration; /* integration of the rest of the country with a region */
    double outside_movers_month[LM_SKILL_COUNT]; /* people elsewhere in China who consider
                                   moving to a scenario region each month */
    double hire_share;          /* share of a pool's free people firms can hire in a month */
    double wage_elasticity;     /* wage rises by this x tightness (demand / pool) */
    double wage_speed;          /* share of the gap to the target wage closed a month */
    double key_attrition;       /* key engineers leaving a month, without the option rule */
    double attrition_drag;      /* progress lost per unit of key-engineer attrition */
} lm_talent_params;

/* Industrial-chain completeness (phase 10). */
typedef struct lm_chain_params {
    double growth;              /* a month, at full firm mass, times (1 - chain) */
    double mass_ref;            /* staff of firms using a layer at which growth is half */
    double decay;               /* a month, toward base_share x the scenario's chain */
    double base_share;          /* share of the scenario's chain kept by outside industry */
    double source_discount;     /* sourcing from a neighbour: discount x integration x its chain */
} lm_chain_params;

/* Platforms: giants become platforms whose staff turnover makes alumni (phase 10). */
typedef struct lm_platform_params {
    double giant_headcount;     /* a firm with this many staff becomes a platform */
    double giant_revenue_cny_year; /* or with this revenue in a calendar year */
    double turnover;            /* share of platform staff leaving a month: new alumni */
    double alumni_decay;        /* share of alumni who stop being potential founders a month */
    double training;            /* people trained into the pool per platform employee a month */
} lm_platform_params;

/* One certification tier (MODEL.md 5.8), params.tiers.<tier>. Only the keys a tier uses
 * matter; the others keep their defaults. Revenues and R&D are of the calendar year. */
typedef struct lm_tier_rule {
    double min_age_months;      /* months since founding, at the December of certification */
    double max_headcount;       /* tech SME: at most this many staff */
    double max_revenue_cny;     /* tech SME: at most this revenue */
    double min_revenue_cny;     /* revenue must exceed this (high-tech: 0 = some revenue) */
    double min_tech_share;      /* share of staff in R&D */
    double min_rd_intensity;    /* R&D / revenue (tech SME; high-tech above band_large) */
    double band_small_cny;      /* high-tech: revenue <= this needs rd_intensity_small */
    double band_large_cny;      /* high-tech: revenue <= this needs rd_intensity_mid */
    double rd_intensity_small;
    double rd_intensity_mid;
    double niche_share;         /* little giant: share of its sector-model national market */
    double revenue_a_cny;       /* little giant path A: revenue >= this, rd >= rd_intensity_a */
    double rd_intensity_a;
    double revenue_b_cny;       /* path B: revenue >= this (< revenue_a), rd >= rd_intensity_b */
    double rd_intensity_b;
    double equity_c_cny;        /* path C: revenue < revenue_b, equity raised in two years >= this, */
    double rd_c_cny;            /* R&D over two years >= this, */
    double tech_share_c;        /* and R&D staff share >= this (0 equity: no path C) */
    double min_valuation_cny;   /* unicorn; dragon: "unicorn scale" */
    double cohort_share;        /* dragon: in this top share of its founding cohort (all the
                                   scenario's births of its year) by valuation or revenue */
    double min_visibility;      /* dragon: visibility (出圈) */
    double max_age_months;      /* dragon: a "little" dragon is young */
    double valid_years;         /* a certificate lasts this many years (1: yearly) */
    double award_cny;           /* paid once on a new certification */
    double investor_visibility; /* >= 1: deals of certified firms are seen this much more */
    /* Certificates are applied for (tech SME, high-tech, little giant): a programme certifies
       from start_year (0: always), and an eligible firm without a valid certificate applies with
       probability take_up, take_up_first up to take_up_first_year, take_up_last from
       take_up_last_year, linear in between (renewals always apply). */
    double start_year;
    double take_up_first, take_up_last;
    double take_up_first_year, take_up_last_year;
    bool to_c_eligible;         /* little giant: false = consumer-facing firms never qualify */
} lm_tier_rule;

typedef struct lm_tier_params {
    lm_tier_rule tech_sme, high_tech, little_giant, unicorn, dragon;
} lm_tier_params;

/* ---- finance issue: deals, funds, cap tables, exits (MODEL.md 5.4, 5.5, 5.7) ---- */

/* Deals, investors and funds (phase 6), MODEL.md 5.4, 5.5. Stage maps are YAML maps
 * seed/a/b/c/growth -> number; kind maps gov_st/gov_innovation/vc/strategic/angel -> number. */
typedef struct lm_finance_params {
    bool enabled;               /* false: no finance and no exits phase (benchmarks, checks) */
    /* the deal pool */
    double seek_runway_months;  /* a firm seeks money when cash / net burn is below this */
    double min_round_gap_months;/* months after a round before a milestone triggers another */
    double prototype_progress;  /* progress toward launch an A round needs before launch */
    double round_months;        /* a round funds this many months of burn ... */
    double round_equity;        /* ... or sells at least this share of the firm ... */
    double round_cny[LM_STAGE_COUNT]; /* ... within a factor round_factor of this */
    double round_factor;
    double pre_money_cny[LM_STAGE_COUNT]; /* pre-money at the reference signal */
    double stage_min_revenue_cny_year[LM_STAGE_COUNT]; /* run-rate revenue a stage needs */
    double revenue_multiple;    /* pre-money is at least this x run-rate revenue */
    double price_slope;         /* pre-money x exp(price_slope x z) */
    double min_close;           /* a round closes when this share of it is raised */
    double option_pool;         /* employee pool carved from founders at the first round */
    double revenue_smoothing;   /* weight of this month in the run-rate revenue (EMA) */
    /* screening: z = rho (x - signal_mean), rho = signal_sd^2 / (signal_sd^2 + sigma^2) */
    double signal_mean, signal_sd; /* prior of log theta investors hold */
    double base_loss[LM_STAGE_COUNT]; /* probability of losing the money at z = 0 */
    double min_loss[LM_STAGE_COUNT];  /* ... whatever the signal */
    double loss_slope;          /* logit of not losing rises by this per unit of z */
    double success_multiple[LM_STAGE_COUNT]; /* a winner's multiple at z = 0 */
    double multiple_slope;      /* winner's multiple x exp(multiple_slope x z) */
    double zero_loss_floor;     /* expected loss a fund with L = 0 still accepts */
    double pool_share;          /* share of the reachable deal pool an investor looks at */
    double nonlocal_visibility; /* weight of a deal in region r for an investor of h != r,
                                   times integration[h][r] (local deals weigh 1) */
    double deals_seen_month[LM_INVESTOR_KIND_COUNT]; /* most deals screened a month */
    double signal_noise[LM_INVESTOR_KIND_COUNT];     /* sigma of a typical manager */
    double noise_dispersion;    /* log-sd of sigma across managers */
    double hurdle[LM_INVESTOR_KIND_COUNT];           /* least expected multiple */
    double max_deal_loss[LM_INVESTOR_KIND_COUNT];    /* risk appetite: most loss probability */
    double ticket_share[LM_INVESTOR_KIND_COUNT];     /* most of a round one investor takes */
    double max_deal_share;      /* largest deal as a share of a fund's size */
    double insider_noise;       /* existing investors see their firm's signal with this x noise */
    /* funds */
    double fund_life_months;
    double invest_months;       /* investment period */
    double max_team_scale;      /* most a fund behind its deployment pace multiplies its
                                   deals_seen_month by */
    double follow_on_reserve;   /* share of a fund's size kept for follow-on rounds of firms it
                                   holds; follow-ons may run until the fund's life ends */
    double deal_flow_months;    /* window of closed rounds a guidance policy sizes its new
                                   sub-funds from */
    double fee_rate;            /* management fee a year: on commitments (guidance sub-funds: on
                                   invested capital), then on open cost */
    double carry;               /* share of profits above paid-in */
    double subfund_gov_cny;     /* government commitment per guidance sub-fund */
    double gov_share_cap;       /* a sub-fund short of social capital closes at most at this
                                   government share (>= its gov_share) */
    double lp_private_share;    /* share of regional private capital offered to LPs a year */
    double national_lp_cny_year;/* national LPs' commitments available a year, all regions */
    double national_lp_max_share; /* most of a fund national LPs take */
    double vc_capital_share;    /* default vc_capital_cny_year / private capital */
    double vc_fund_cny;         /* size of one market VC fund */
    double vc_early_share;      /* share of VC funds focused on seed-B (others B-growth) */
    double strategic_cny_per_alumnus; /* default strategic capital a year per platform alumnus */
    double strategic_lp_share;  /* share of strategic capital committed as LP to sub-funds */
    double angel_groups;        /* angel investors per region */
    double angel_ticket_cny;    /* largest angel ticket */
} lm_finance_params;

/* Exits (phase 9), MODEL.md 5.7. Revenues are run-rate (12 x smoothed monthly revenue). */
typedef struct lm_exit_params {
    double ipo_min_valuation_cny;
    double ipo_min_revenue_cny_year;
    double ipo_min_age_months;
    double ipo_hazard;          /* a month, once eligible */
    double ipo_revenue_multiple;/* IPO value = max(last post-money, this x revenue) */
    double acq_hazard;          /* a month, with a strategic buyer of the sector in reach */
    double acq_outside_factor;  /* hazard factor when only outside buyers are there */
    double acq_min_revenue_cny_year;
    double acq_min_age_months;
    double acq_revenue_multiple;
    double acq_valuation_share; /* price >= this x last post-money */
    double exit_wealth_share;   /* share of founders' and employees' proceeds that becomes the
                                   region's private capital */
} lm_exit_params;

typedef struct lm_params {
    char name[LM_NAME_MAX];
    char description[256];
    lm_month start, end;        /* period, inclusive of both months */
    lm_month market_base;       /* month at which sectors' market_cny_year and incumbents hold */
    uint64_t seed;              /* default seed when the CLI gives none */
    int n_regions, n_sectors, n_layers;
    char layer_id[LM_MAX_LAYERS][LM_NAME_MAX];
    lm_sector_params sectors[LM_MAX_SECTORS];
    lm_region_params *regions;  /* n_regions, owned by the scenario */
    double *integration;        /* n_regions^2, row-major, 1 on the diagonal */
    lm_entry_params entry;
    lm_rnd_params rnd;
    lm_market_params market;
    lm_cost_params costs;
    lm_talent_params talent;    /* ecosystem issue */
    lm_chain_params chain;
    lm_platform_params platforms;
    lm_tier_params tiers;
    lm_finance_params finance;  /* finance issue */
    lm_exit_params exits;
} lm_params;

#endif
