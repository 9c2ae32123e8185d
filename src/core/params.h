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
    double attraction;      /* all kinds: adds to policy_attraction[r] in founders' utility */

    /* budgets: st_fund, innovation_fund, direct_injection, provincial_fof, rd_subsidy */
    double budget_cny_year;     /* refilled each January */
    bool separate_budget_line;  /* true: carried over, always refilled (Hangzhou 2015);
                                   false: unspent money returns to the treasury each year and
                                   the refill is cut in years of fiscal pressure */

    /* guidance funds (st_fund, innovation_fund, provincial_fof): MODEL.md 5.5 */
    double loss_tolerance;      /* L: admissible expected loss ratio of the portfolio */
    double gov_share;           /* g: government share of a sub-fund */
    double reinvest_ratio;      /* k: local investment as a multiple of the gov commitment */
    double freeze_months;       /* managers frozen after realised loss > L */

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
    char name[LM_NAME_MAX];     /* UTF-8, the key: "杭州" */
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
    double market_cny_year[LM_MODEL_COUNT]; /* national market size at the start */
    double market_growth;    /* yearly growth rate of the national market */
    double incumbents;       /* competitors outside the scenario at the start, as a count of
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
    double w_cap, w_tal, w_chain, w_pol, w_amen, w_cost, w_know;
    double angel_share;      /* share of private capital available to angels */
    double angel_loss_tolerance; /* loss tolerance of angel money in early capital */
    double seed_capital_cny; /* median founders' seed money */
    double seed_capital_sigma;
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
    double visibility_gain[LM_MODEL_COUNT]; /* visibility per unit of revenue over ref */
    double visibility_ref_cny_month;    /* revenue that saturates visibility (To C) */
    double visibility_rate;             /* adjustment speed of visibility per month */
    double breakthrough_visibility;     /* visibility jump of a To C breakthrough */
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
} lm_cost_params;

typedef struct lm_params {
    char name[LM_NAME_MAX];
    char description[256];
    lm_month start, end;        /* period, inclusive of both months */
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
} lm_params;

#endif
