/* src/model/costs/unit_costs.h -- what one firm pays this month for staff, compute and
 * office (MODEL.md 5.6). A pure function of the firm and the region's prices, shared by the
 * R&D phase (which spends it on progress) and the costs phase (which books and pays it), so
 * the two can never disagree. */
#ifndef LM_MODEL_UNIT_COSTS_H
#define LM_MODEL_UNIT_COSTS_H

#include <math.h>

#include "core/minmax.h"
#include "core/world.h"

typedef struct lm_unit_costs {
    double payroll, compute, rent;
    double rd; /* the R&D effort: tech staff's work (paid or not) at its pay, and all compute */
    double unpaid; /* what the founders' unpaid work would cost at the going pay (no money
                      moves: they live on their savings) */
    /* what policies give up for this firm (the public purse's tax expenditures): income tax
       offset on option pay, rent a park forgoes */
    double option_offset, rent_relief;
} lm_unit_costs;

/* The numbers of lm_unit_costs_at's expression that depend on the region, the sector and
 * the month only, each kept as the separate number the expression uses, so that a firm
 * loop can look them up once per (region, sector) a month and lm_unit_costs_of gives the
 * same bits as lm_unit_costs_at. */
typedef struct lm_unit_factors {
    double wage;      /* of the sector's skill in the region */
    double overhead;  /* 1 + payroll_overhead */
    double option;    /* 1 - option_effect: cash pay per unit of pay */
    double share;     /* the sector's compute_share */
    double other;     /* 1 - compute_share */
    double price;     /* compute price index */
    double rent_head; /* rent per employee */
    double rent_paid; /* 1 - rent_discount */
    double tech;      /* tech_share */
} lm_unit_factors;

static inline lm_unit_factors lm_unit_factors_at(const lm_world *w, int r, int s)
{
    const lm_params *p = w->p;
    const int rs = r * w->S + s;
    const lm_sector_params *sec = &p->sectors[s];
    lm_unit_factors u;
    u.wage = w->wage[r * LM_SKILL_COUNT + sec->skill];
    u.overhead = 1.0 + p->costs.payroll_overhead;
    u.option = 1.0 - w->option_effect[rs];
    u.share = sec->compute_share;
    u.other = 1.0 - sec->compute_share;
    u.price = 1.0 - p->costs.compute_discount_max * w->compute_index[r];
    u.rent_head = p->regions[r].rent_cny_head_month;
    u.rent_paid = 1.0 - w->rent_discount[rs];
    u.tech = p->costs.tech_share;
    return u;
}

/* What a firm with h staff, of whom `unpaid` founders draw no pay, pays a month where the
 * factors are u (lm_unit_costs_at, which says why). */
static inline lm_unit_costs lm_unit_costs_of(const lm_unit_factors *u, double h, double unpaid)
{
    lm_unit_costs c;
    const double base_payroll = h * u->wage * u->overhead;
    const double paid_payroll = (h - unpaid) * u->wage * u->overhead;
    c.payroll = paid_payroll * u->option;
    c.unpaid = unpaid * u->wage * u->overhead;
    c.compute = base_payroll * u->share / u->other * u->price;
    const double rent = h * u->rent_head;
    c.rent = rent * u->rent_paid;
    c.option_offset = paid_payroll - c.payroll;
    c.rent_relief = rent - c.rent;
    c.rd = u->tech * (c.payroll + c.unpaid) + c.compute;
    return c;
}

/* What a firm of sector s with h staff, of whom `unpaid` founders draw no pay, pays a month
 * in region r: with unpaid = 0 also the burn a founder expects of her team once it is staffed
 * (entry, docs/model.md 7.2). */
static inline lm_unit_costs lm_unit_costs_at(const lm_world *w, int r, int s, double h,
                                             double unpaid)
{
    /* The option-tax rule lets part of pay come as options whose income tax is offset, so
       the firm's cash cost per engineer falls (the West Lake talent plan, 2020).
       compute_share is compute's share of costs at price index 1 (measured against pay before
       any option saving, and for unpaid founders too: the rule makes engineers cheaper, not
       GPUs, and a founder's work needs its compute as an employee's does); local compute clusters
       and a complete chain lower the price (why DeepSeek's compute was cheap). */
    const lm_unit_factors u = lm_unit_factors_at(w, r, s);
    return lm_unit_costs_of(&u, h, unpaid);
}

/* The staff a firm needs (docs/model.md 7.5, Staffing): the sector's team before its revenue
 * keeps more busy, then the staff its revenue keeps busy at revenue_per_head. The staffing
 * rule grows toward it; a round is raised for it (7.9). */
static inline double lm_staff_needed(const lm_cost_params *c, double team, double revenue)
{
    return lm_fmax(team, revenue / c->revenue_per_head_cny_month);
}

/* Founders still unpaid in month m of a firm with h staff whose founders draw pay from
 * unpaid_until, of a founding team of `founders` (floor of the entry parameter). */
static inline double lm_unpaid_founders_of(lm_month m, int32_t unpaid_until, double founders,
                                           double h)
{
    if (m >= unpaid_until)
        return 0.0;
    return founders < h ? founders : h;
}

/* Founders of firm i who still work without pay in the month being simulated: the founding
 * team, until their savings run out (unpaid_until, set at founding: docs/model.md 7.5). */
static inline double lm_firm_unpaid_founders(const lm_world *w, size_t i)
{
    const lm_firms *f = &w->firms;
    if (w->month >= f->unpaid_until[i])
        return 0.0;
    const double founders = floor(w->p->entry.founders);
    const double h = (double)f->headcount[i];
    return founders < h ? founders : h;
}

static inline lm_unit_costs lm_firm_unit_costs(const lm_world *w, size_t i)
{
    const lm_firms *f = &w->firms;
    return lm_unit_costs_at(w, f->region[i], f->sector[i], (double)f->headcount[i],
                            lm_firm_unpaid_founders(w, i));
}

#endif
