/* src/model/talent/talent.c -- phase 2 (MODEL.md 3.2): talent pools, migration, wages and
 * key-engineer attrition. Pools are aggregates per region and skill (MODEL.md 2), moved as
 * real numbers, without random draws. Each month, from the pools as they stand:
 *
 *   graduates  = graduates_year[r,k] / 12
 *   trained    = platforms.training x platform_staff[r,k]
 *   exits      = exit_rate_year / 12 x talent[r,k]
 *   movers     = mobility_year / 12 x max(0, talent[r,k] - employed[r,k])
 *
 * Movers (people not working at the scenario's firms) choose a region d, staying included,
 * or the rest of the country, by a logit on
 *   V[d,k] = beta_wage log(wage[d,k] / outside_wage[k]) + beta_amenity amenity[d]
 *          + beta_policy talent_policy[d] + beta_openings openings[d,k] / talent[d,k]
 * less move_cost + distance_cost (1 - I[o,d]) for any move: integration lowers the cost of
 * moving. People elsewhere in China (outside_movers_month) choose the same way, or stay. What
 * leaves one region arrives in another or in the rest of the country, so the sum of all
 * pools changes only by graduates + trained - exits + outside_in - outside_out.
 *
 * Wages move toward wage0 (1 + wage_elasticity x tightness), tightness = (employed + openings)
 * / talent (at most 2), closing wage_speed of the gap a month. Key engineers leave at
 * key_attrition (1 - attrition_cut[r,s]), the cut being the option-tax rule's retention
 * (policy phase); rnd.c slows progress with it. Staff and openings come from last month's
 * costs phase, which is where firms hire against these pools (lm_talent_fill). */
#include <math.h>
#include <string.h>

#include "model/talent/talent.h"
#include "core/detmath.h"

double lm_talent_graduates_month(const lm_world *w, int r, int k)
{
    const lm_region_params *rp = &w->p->regions[r];
    const double g = rp->graduates_year[k];
    return (g >= 0.0 ? g : w->p->talent.graduate_rate_year * rp->talent[k]) / 12.0;
}

double lm_talent_fill(const lm_world *w, int r, int k, double employed, double openings)
{
    if (!(openings > 0.0))
        return 1.0;
    const double free = fmax(0.0, w->talent[r * LM_SKILL_COUNT + k] - employed);
    const double fill = w->p->talent.hire_share * free / openings;
    return fill < 1.0 ? fill : 1.0;
}

/* What drew a mover to region d (skill k), before the cost of moving. */
static double destination_value(const lm_world *w, int d, int k)
{
    const lm_talent_params *t = &w->p->talent;
    const int idx = d * LM_SKILL_COUNT + k;
    const double pool = w->talent[idx] > 1.0 ? w->talent[idx] : 1.0;
    return t->beta_wage * lm_log(w->wage[idx] / t->outside_wage_cny_month[k]) +
           t->beta_amenity * w->p->regions[d].amenity + t->beta_policy * w->talent_policy[d] +
           t->beta_openings * w->openings[idx] / pool;
}

/* Spreads `movers` from origin o (o = R: the rest of the country) over the regions and the
 * outside option by the logit, into the month's flows. x[0..R] is scratch. */
static void spread(lm_world *w, int o, int k, double movers, const double *value, double *x)
{
    const lm_talent_params *t = &w->p->talent;
    const int R = w->R;
    const bool from_outside = (o == R);
    const double outside_move = t->move_cost + t->distance_cost * (1.0 - t->outside_integration);
    double xmax = -INFINITY;
    for (int d = 0; d <= R; ++d) {
        if (d < R) {
            const double cost =
                from_outside ? outside_move
                : d == o     ? 0.0
                             : t->move_cost +
                               t->distance_cost * (1.0 - w->p->integration[o * R + d]);
            x[d] = value[d] - cost;
        } else {
            x[d] = t->beta_amenity * t->outside_amenity - (from_outside ? 0.0 : outside_move);
        }
        if (x[d] > xmax)
            xmax = x[d];
    }
    double sum = 0.0;
    for (int d = 0; d <= R; ++d) {
        x[d] = lm_exp(x[d] - xmax);
        sum += x[d];
    }
    for (int d = 0; d <= R; ++d) {
        if (d == o)
            continue; /* stayers: no flow */
        const double flow = movers * x[d] / sum;
        if (d < R) {
            lm_talent_flows *in = &w->talent_flows[d * LM_SKILL_COUNT + k];
            if (from_outside)
                in->outside_in += flow;
            else
                in->migrants_in += flow;
        }
        if (!from_outside) {
            lm_talent_flows *out = &w->talent_flows[o * LM_SKILL_COUNT + k];
            if (d < R)
                out->migrants_out += flow;
            else
                out->outside_out += flow;
        }
    }
}

static void move_pools(lm_world *w, double *value, double *x)
{
    const lm_talent_params *t = &w->p->talent;
    const int R = w->R, K = LM_SKILL_COUNT;
    for (int k = 0; k < K; ++k) {
        for (int d = 0; d < R; ++d)
            value[d] = destination_value(w, d, k);
        for (int o = 0; o < R; ++o) {
            const int idx = o * K + k;
            lm_talent_flows *fl = &w->talent_flows[idx];
            fl->graduates = lm_talent_graduates_month(w, o, k);
            fl->trained = w->p->platforms.training * w->platform_staff[idx];
            fl->exits = t->exit_rate_year / 12.0 * w->talent[idx];
            const double movers =
                t->mobility_year / 12.0 * fmax(0.0, w->talent[idx] - w->employed[idx]);
            if (movers > 0.0)
                spread(w, o, k, movers, value, x);
        }
        if (t->outside_movers_month[k] > 0.0)
            spread(w, R, k, t->outside_movers_month[k], value, x);
    }
    for (int idx = 0; idx < R * K; ++idx) {
        const lm_talent_flows *fl = &w->talent_flows[idx];
        w->talent[idx] += fl->graduates + fl->trained + fl->migrants_in + fl->outside_in -
                          fl->exits - fl->migrants_out - fl->outside_out;
    }
}

static void adjust_wages(lm_world *w)
{
    const lm_talent_params *t = &w->p->talent;
    for (int r = 0; r < w->R; ++r)
        for (int k = 0; k < LM_SKILL_COUNT; ++k) {
            const int idx = r * LM_SKILL_COUNT + k;
            const double demand = w->employed[idx] + w->openings[idx];
            double tight = demand > 0.0 ? 2.0 : 0.0; /* demand for an empty pool */
            if (w->talent[idx] > 0.0 && demand / w->talent[idx] < 2.0)
                tight = demand / w->talent[idx];
            const double target =
                w->p->regions[r].wage_cny_month[k] * (1.0 + t->wage_elasticity * tight);
            w->wage[idx] += t->wage_speed * (target - w->wage[idx]);
        }
}

lm_status lm_phase_talent(lm_world *w, lm_month m, lm_error *err)
{
    (void)m;
    const int R = w->R, S = w->S;
    double *value = lm_world_scratch(w, sizeof(double) * (size_t)(R + 1));
    double *x = lm_world_scratch(w, sizeof(double) * (size_t)(R + 1));
    if (!value || !x)
        LM_FAIL(err, LM_ENOMEM, "talent scratch");
    const double base = w->p->talent.key_attrition;
    for (int rs = 0; rs < R * S; ++rs)
        w->attrition[rs] = base * (1.0 - w->attrition_cut[rs]);
    memset(w->talent_flows, 0, sizeof *w->talent_flows * (size_t)R * LM_SKILL_COUNT);
    move_pools(w, value, x);
    adjust_wages(w);
    return LM_OK;
}
