/* src/model/entry/entry.c -- phase 3 (MODEL.md 5.1): founders arrive, choose a region, and
 * firms are born.
 *
 * Founders from each origin region arrive as Poisson with rate
 *   lambda = base*talent + alumni_rate*platform_alumni + spinout_rate*institution_strength
 *          + restart_rate*failure_tolerance*recent_failed + returnee_rate*talent_policy,
 * and from the rest of the country at outside_rate. The term a founder came from is her
 * source. She picks region r with probability proportional to
 *   exp(beta*U[r,s] - moving_cost*[r != origin] - distance_cost*(1 - integration[o,r]))
 * where U is built only of what she can observe there (docs/model.md 7.2): her first-round
 * prospect from the region's recent seed rounds, the talent pool, the chain, her team's
 * burn, the region's record of restarts after failure, amenity, cost of living, knowledge.
 * No policy enters U but through these.
 * or founds outside the scenario (utility outside_utility), and is then lost to it. Firms
 * are appended in order (origin, source, arrival), so ids do not depend on threads.
 *
 * Arrivals are counted per source (independent Poisson counts add up to the Poisson total),
 * each count by inversion of one uniform, and each founder draws from her own stream keyed
 * by (origin, source, month, arrival index). So a policy that changes one source's rate
 * leaves the other sources' founders as they were, and one founder's choices never shift
 * another's random numbers between counterfactual runs; the firm keeps her key for life. */
#include <math.h>
#include <stdlib.h>

#include "model/entry/entry.h"
#include "core/detmath.h"
#include "model/costs/unit_costs.h"

#define OUTSIDE_ORIGIN(w) ((w)->R) /* entity index of the rest of the country */
#define ARRIVALS_MAX 4000000u     /* per origin, source and month; rates are validated far below */

/* What a founder of sector s can expect from a first round in region r, from the region's
 * recent seed rounds: the chance that a round she seeks closes before her runway ends,
 * 1 - (1 - h)^T with h the share of first-round attempts that closed a month and T the runway
 * at which firms seek (finance.seek_runway_months), times the typical amount those rounds
 * raised. A sector's own record is thin in small cities: it is weighed against the region's
 * record over all sectors as if that were prospect_prior attempts. */
double lm_entry_prospect(const lm_world *w, int r, int s)
{
    const lm_entry_params *e = &w->p->entry;
    const int S = w->S;
    double sought = 0.0, closed = 0.0, raised = 0.0;
    for (int q = 0; q < S; ++q) {
        sought += w->first_sought[r * S + q];
        closed += w->first_closed[r * S + q];
        raised += w->first_raised[r * S + q];
    }
    const double n = e->prospect_months, n0 = e->prospect_prior; /* averages to attempts */
    /* a record of a handful of attempts is no evidence: the region's odds are weighed
       against n0 attempts that found nothing, so one lucky round in a thin market (or in a
       run's first months) does not promise every founder a round */
    const double h_r = n * sought + n0 > 0.0 ? n * closed / (n * sought + n0) : 0.0;
    const double a_r = closed > 0.0 ? raised / closed : 0.0;
    const int rs = r * S + s;
    const double den_h = n * w->first_sought[rs] + n0;
    const double den_a = n * w->first_closed[rs] + n0;
    const double h = den_h > 0.0 ? (n * w->first_closed[rs] + n0 * h_r) / den_h : 0.0;
    const double amount = den_a > 0.0 ? (n * w->first_raised[rs] + n0 * a_r) / den_a : 0.0;
    if (!(h > 0.0) || !(amount > 0.0))
        return 0.0;
    const double chance =
        h >= 1.0 ? 1.0 : -lm_expm1(w->p->finance.seek_runway_months * lm_log1p(-h));
    return chance * amount;
}

/* The founding team's monthly burn in region r (pay net of the option-tax offset, compute at
 * the local price, office rent net of a park's discount), over what the same team's pay and
 * compute cost in the rest of the country (its wages, compute at full price, no office):
 * the log of it is what founding here costs more than founding elsewhere. */
double lm_entry_burn_ratio(const lm_world *w, int r, int s)
{
    const lm_params *p = w->p;
    const lm_sector_params *sec = &p->sectors[s];
    const lm_unit_costs c = lm_unit_costs_at(w, r, s, sec->team_size, 0.0);
    const double ref = sec->team_size * p->talent.outside_wage_cny_month[sec->skill] *
                       (1.0 + p->costs.payroll_overhead) / (1.0 - sec->compute_share);
    const double burn = c.payroll + c.compute + c.rent;
    return ref > 0.0 && burn > 0.0 ? burn / ref : 1.0;
}

/* The chance a failed founder of region r founds again, as the region's recent record shows
 * it: serial founders a month over the founders who failed recently, a hazard, over the
 * months a failure stays recent. */
double lm_entry_restart_chance(const lm_world *w, int r)
{
    /* likewise, a handful of failed founders is no record: weighed against prospect_prior
       failed founders who did not restart */
    const double failed = w->failed_seen[r] + w->p->entry.prospect_prior;
    if (!(failed > 0.0))
        return 0.0;
    const double hazard = w->restarts[r] / failed;
    return -lm_expm1(-hazard * w->p->entry.failed_memory_months);
}

double lm_entry_utility(const lm_world *w, int r, int s)
{
    const lm_entry_params *e = &w->p->entry;
    const lm_region_params *rp = &w->p->regions[r];
    const int rs = r * w->S + s;
    const int skill = w->p->sectors[s].skill;
    /* the first round against the founders' own seed money: "how many times what I bring
       can I hope to raise here" */
    return e->w_round * lm_log1p(lm_entry_prospect(w, r, s) / e->seed_capital_cny) +
           e->w_tal * lm_log1p(w->talent[r * LM_SKILL_COUNT + skill]) +
           e->w_chain * lm_world_sector_chain(w, r, s) -
           e->w_burn * lm_log(lm_entry_burn_ratio(w, r, s)) +
           e->w_restart * lm_entry_restart_chance(w, r) + e->w_amen * rp->amenity -
           e->w_cost * rp->cost_index + e->w_know * lm_log1p(w->knowledge[rs]);
}

/* The five source terms of lambda for an origin region. */
static void source_rates(const lm_world *w, int o, double rates[LM_SOURCE_COUNT])
{
    const lm_entry_params *e = &w->p->entry;
    rates[LM_SOURCE_OTHER] = e->base_rate * lm_world_talent_total(w, o);
    rates[LM_SOURCE_PLATFORM] = e->alumni_rate * w->platform_alumni[o];
    rates[LM_SOURCE_SPINOUT] = e->spinout_rate * w->institution_strength[o];
    rates[LM_SOURCE_SERIAL] = e->restart_rate * w->failure_tolerance[o] * w->recent_failed[o];
    rates[LM_SOURCE_RETURNEE] = e->returnee_rate * w->talent_policy[o];
}

/* weight[0] + ... + weight[n-1], added in that order. */
static double weights_total(const double *weight, int n)
{
    double total = 0.0;
    for (int i = 0; i < n; ++i)
        total += weight[i];
    return total;
}

/* Index drawn with probability weight[i] / total, total = weights_total(weight, n) (worked
 * out once for the many draws from the same weights); -1 when every weight is 0. */
static int draw_discrete_of(lm_rng *g, const double *weight, int n, double total)
{
    if (!(total > 0.0))
        return -1;
    const double u = lm_rng_u01(g) * total;
    double acc = 0.0;
    int last = -1;
    for (int i = 0; i < n; ++i) {
        if (weight[i] <= 0.0)
            continue;
        acc += weight[i];
        last = i;
        if (u < acc)
            return i;
    }
    return last; /* rounding at the top end */
}

static int draw_discrete(lm_rng *g, const double *weight, int n)
{
    return draw_discrete_of(g, weight, n, weights_total(weight, n));
}

/* Sector of a founder: platform alumni found in the platforms' sectors, spin-outs where the
 * institutions are, others by the origin's sector strengths. Outside founders follow the
 * size of national markets. */
static void sector_weights(const lm_world *w, int o, lm_source src, double *weight)
{
    const int S = w->S;
    const lm_params *p = w->p;
    for (int s = 0; s < S; ++s) {
        if (o == OUTSIDE_ORIGIN(w)) {
            const double *mk = p->sectors[s].market_cny_year;
            weight[s] = mk[0] + mk[1] + mk[2];
            continue;
        }
        const lm_region_params *rp = &p->regions[o];
        weight[s] = rp->sector_strength[s];
        if (src == LM_SOURCE_PLATFORM && w->platform_sectors[o] != 0)
            weight[s] = (w->platform_sectors[o] & (1u << s)) ? weight[s] + 1e-9 : 0.0;
        else if (src == LM_SOURCE_SPINOUT)
            weight[s] *= w->institutions[o * S + s] + 1e-9;
    }
}

/* weight: sector_weights of the founder's origin and source; total: their sum. */
static int draw_sector(const lm_world *w, lm_rng *g, const double *weight, double total)
{
    const int S = w->S;
    int s = draw_discrete_of(g, weight, S, total);
    if (s < 0) { /* every weight was 0: any sector */
        s = (int)(lm_rng_u32(g) % (uint32_t)S);
    }
    return s;
}

/* Location logit weights of a founder from origin o in sector s, v[0..R] (R: outside the
 * scenario), exp of the utilities less their maximum. They depend on (o, s) and the month
 * only, so the entry phase computes them once a month for every pair. */
static void location_weights(const lm_world *w, int o, int s, const double *utility, double *v)
{
    const lm_entry_params *e = &w->p->entry;
    const int R = w->R;
    const bool from_outside = (o == OUTSIDE_ORIGIN(w));
    double vmax = -INFINITY;
    for (int r = 0; r <= R; ++r) {
        double x;
        if (r < R) {
            const double integ = from_outside ? e->outside_integration : w->p->integration[o * R + r];
            x = e->beta * utility[r * w->S + s] - (r != o ? e->moving_cost : 0.0) -
                e->distance_cost * (1.0 - integ);
        } else {
            x = e->beta * e->outside_utility;
            if (!from_outside)
                x -= e->moving_cost + e->distance_cost * (1.0 - e->outside_integration);
        }
        v[r] = x;
        if (x > vmax)
            vmax = x;
    }
    for (int r = 0; r <= R; ++r)
        v[r] = lm_exp(v[r] - vmax);
}

/* Location choice from location_weights (their sum: total). Returns a region, or -1 for
 * "outside the scenario". */
static int choose_region(const lm_world *w, lm_rng *g, const double *v, double total)
{
    const int R = w->R;
    const int pick = draw_discrete_of(g, v, R + 1, total);
    return (pick < 0 || pick == R) ? -1 : pick;
}

static lm_status birth(lm_world *w, lm_rng *g, uint64_t stream, int o, int r, int s,
                       lm_source src, double fq, lm_error *err)
{
    const lm_params *p = w->p;
    const lm_sector_params *sec = &p->sectors[s];
    lm_firms *f = &w->firms;
    const int model = draw_discrete(g, sec->model_weight, LM_MODEL_COUNT);
    const double theta = fmin(fq * lm_rng_pareto(g, sec->pareto_alpha, 1.0), p->rnd.theta_max);
    /* the founders' savings: what they put into the firm, and in the same proportion the
       months they can live on them unpaid */
    const double wealth = lm_exp(p->entry.seed_capital_sigma * lm_rng_gaussian(g));
    const double seed = p->entry.seed_capital_cny * wealth;
    if (w->next_id == UINT32_MAX)
        LM_FAIL(err, LM_ENOMEM, "more than 4 billion firms in one run");
    const size_t i = lm_firms_push(f);
    const uint32_t id = w->next_id++;
    f->id[i] = id;
    f->stream[i] = stream;
    w->where[id] = (int64_t)i;
    f->region[i] = (uint16_t)r;
    f->origin[i] = (int16_t)(o == OUTSIDE_ORIGIN(w) ? -1 : o);
    f->sector[i] = (uint8_t)s;
    f->model[i] = (uint8_t)(model < 0 ? LM_MODEL_TO_B : model);
    f->source[i] = (uint8_t)src;
    f->status[i] = LM_FIRM_ALIVE;
    f->founded[i] = w->month;
    {
        /* the scenario's years; a world stepped by hand outside them counts no cohort */
        const int c = lm_month_year(w->month) - w->cohort_year0;
        if (c >= 0 && c < w->n_cohorts)
            w->cohort_births[c] += 1.0;
    }
    /* the founders alone: they hire toward the sector's team as money allows (costs) */
    f->headcount[i] = (int32_t)lround(fmin(floor(p->entry.founders), sec->team_size));
    if (f->headcount[i] < 1)
        f->headcount[i] = 1;
    f->peak_headcount[i] = f->headcount[i];
    f->founder_quality[i] = fq;
    f->theta[i] = theta;
    f->cash_cny[i] = seed;
    {
        const double unpaid = fmin(p->costs.founder_unpaid_months * wealth, 1200.0);
        f->unpaid_until[i] = w->month + (int32_t)lround(unpaid);
    }
    lm_month_events *ev = &w->events[r];
    ev->births++;
    ev->births_by_source[src]++;
    if (o != r)
        ev->births_nonlocal++;
    w->money[r].founders_paid_seed += seed;
    w->money[r].firms_received_seed += seed;
    return LM_OK;
}

static lm_status arrivals_from(lm_world *w, int o, lm_month m, const double *location,
                               const double *location_total, double *sectors, lm_error *err)
{
    const lm_entry_params *e = &w->p->entry;
    const bool outside = (o == OUTSIDE_ORIGIN(w));
    double rates[LM_SOURCE_COUNT] = {0};
    if (outside)
        rates[LM_SOURCE_OTHER] = e->outside_rate;
    else
        source_rates(w, o, rates);
    unsigned count[LM_SOURCE_COUNT];
    uint64_t n = 0;
    for (int k = 0; k < LM_SOURCE_COUNT; ++k) {
        lm_rng g;
        lm_rng_init(&g, w->key, (uint64_t)(o * LM_SOURCE_COUNT + k), LM_PURPOSE_ENTRY_COUNT, m);
        count[k] = lm_rng_poisson_inv(&g, rates[k]);
        if (count[k] > ARRIVALS_MAX)
            count[k] = ARRIVALS_MAX;
        n += count[k];
    }
    if (!outside) { /* the record next month's founders read */
        const double a = 1.0 / e->prospect_months;
        w->restarts[o] += a * ((double)count[LM_SOURCE_SERIAL] - w->restarts[o]);
        w->failed_seen[o] += a * (w->recent_failed[o] - w->failed_seen[o]);
    }
    lm_status st = lm_firms_reserve(&w->firms, n, err);
    if (st != LM_OK)
        return st;
    if (w->next_id + n > w->where_cap) {
        size_t cap = w->where_cap ? w->where_cap : 1024;
        while (cap < w->next_id + n)
            cap *= 2;
        int64_t *p = realloc(w->where, cap * sizeof *p);
        if (!p)
            LM_FAIL(err, LM_ENOMEM, "cannot grow the firm index to %zu", cap);
        w->where = p;
        w->where_cap = cap;
    }
    for (int k = 0; k < LM_SOURCE_COUNT; ++k) {
        const lm_source source = (lm_source)k;
        double sectors_total = 0.0;
        if (count[k] > 0) {
            sector_weights(w, o, source, sectors);
            sectors_total = weights_total(sectors, w->S);
        }
        for (unsigned j = 0; j < count[k]; ++j) {
            const uint64_t key = lm_stream_founder(o, k, m, j);
            lm_rng fg;
            lm_rng_init(&fg, w->key, key, LM_PURPOSE_FOUNDER, m);
            const double fq =
                lm_exp(e->quality_mu[source] + e->quality_sigma * lm_rng_gaussian(&fg));
            const int s = draw_sector(w, &fg, sectors, sectors_total);
            const size_t os = (size_t)o * (size_t)w->S + (size_t)s;
            const int r = choose_region(w, &fg, location + os * (size_t)(w->R + 1),
                                        location_total[os]);
            /* A serial founder is no longer "recently failed" once she founds again. */
            if (source == LM_SOURCE_SERIAL && !outside && w->recent_failed[o] >= 1.0)
                w->recent_failed[o] -= 1.0;
            if (r < 0) {
                if (!outside)
                    w->events[o].founders_elsewhere++;
                continue;
            }
            if ((st = birth(w, &fg, key, o, r, s, source, fq, err)) != LM_OK)
                return st;
        }
    }
    return LM_OK;
}

lm_status lm_phase_entry(lm_world *w, lm_month m, lm_error *err)
{
    const int R = w->R, S = w->S;
    const size_t R1 = (size_t)R + 1;
    double *utility = lm_world_scratch(w, sizeof(double) * (size_t)R * (size_t)S);
    double *location = lm_world_scratch(w, sizeof(double) * R1 * (size_t)S * R1);
    double *location_total = lm_world_scratch(w, sizeof(double) * R1 * (size_t)S);
    double *sectors = lm_world_scratch(w, sizeof(double) * (size_t)S);
    if (!utility || !location || !location_total || !sectors)
        LM_FAIL(err, LM_ENOMEM, "entry scratch");
    for (int r = 0; r < R; ++r)
        for (int s = 0; s < S; ++s)
            utility[r * S + s] = lm_entry_utility(w, r, s);
    for (int o = 0; o <= R; ++o)
        for (int s = 0; s < S; ++s) {
            const size_t os = (size_t)o * (size_t)S + (size_t)s;
            location_weights(w, o, s, utility, location + os * R1);
            location_total[os] = weights_total(location + os * R1, (int)R1);
        }
    for (int o = 0; o <= R; ++o) {
        lm_status st = arrivals_from(w, o, m, location, location_total, sectors, err);
        if (st != LM_OK)
            return st;
    }
    return LM_OK;
}
