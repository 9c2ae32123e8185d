/* src/core/sim.c -- the monthly schedule (MODEL.md section 3) and the public lm_sim API.
 * A month runs the phases in the order of the table below; each is a module with one entry
 * point under src/model/. Phases that belong to later work (talent, finance, tiers, exits)
 * take their places in this table when they exist; nothing stands in for them meanwhile.
 * Between months the scheduler resets scratch, compacts ended firms away and keeps the
 * month's ledger for invariant checks. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/sim_int.h"
#include "core/world.h"
#include "model/costs/costs.h"
#include "model/ecosystem/ecosystem.h"
#include "model/entry/entry.h"
#include "model/exits/exits.h"
#include "model/finance/finance.h"
#include "model/market/market.h"
#include "model/observe/observe.h"
#include "model/policy/policy.h"
#include "model/rnd/rnd.h"
#include "model/talent/talent.h"
#include "model/tiers/tiers.h"
#include "scenario/scenario_int.h"

typedef lm_status (*lm_phase_fn)(lm_world *w, lm_month m, lm_error *err);

static const struct {
    const char *name;
    lm_phase_fn run;
} schedule[] = {
    {"policy", lm_phase_policy},       /* 1 */
    {"talent", lm_phase_talent},       /* 2 */
    {"entry", lm_phase_entry},         /* 3 */
    {"rnd", lm_phase_rnd},             /* 4 */
    {"market", lm_phase_market},       /* 5 */
    {"finance", lm_phase_finance},     /* 6 */
    {"costs", lm_phase_costs},         /* 7 */
    {"tiers", lm_phase_tiers},         /* 8 */
    {"exits", lm_phase_exits},         /* 9 */
    {"ecosystem", lm_phase_ecosystem}, /* 10 */
    {"observe", lm_phase_observe},     /* 11 */
};

enum { LEDGER_ARRAYS = 19 };

struct lm_sim {
    lm_world w;
    const lm_scenario *sc;
    int months_total, months_done;
    volatile sig_atomic_t *stop; /* lm_sim_config.stop_flag */
    bool broken;                 /* stopped mid-month: the world is half a month on */
    lm_ledger ledger;
    double *ledger_data; /* LEDGER_ARRAYS * R */
};

lm_status lm_sim_create(const lm_scenario *sc, const lm_sim_config *cfg, lm_sim **out,
                        lm_error *err)
{
    *out = NULL;
    if (!sc || !cfg)
        LM_FAIL(err, LM_EINVAL, "no scenario or configuration");
    const lm_params *p = lm__scenario_params(sc);
    lm_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        LM_FAIL(err, LM_ENOMEM, "simulation state");
    const int threads = cfg->threads > 0 ? cfg->threads : omp_get_max_threads();
    lm_status st = lm_world_init(&sim->w, p, cfg->seed, cfg->run, threads, 4096, err);
    if (st != LM_OK)
        goto fail;
    if ((st = lm_finance_start(&sim->w, err)) != LM_OK) /* finance issue */
        goto fail;
    sim->sc = sc;
    sim->stop = cfg->stop_flag;
    sim->months_total = p->end - p->start + 1;
    sim->ledger_data = calloc((size_t)LEDGER_ARRAYS * (size_t)p->n_regions, sizeof(double));
    if (!sim->ledger_data) {
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "ledger");
        goto fail;
    }
    *out = sim;
    return LM_OK;
fail:
    lm_world_fini(&sim->w);
    free(sim);
    return st;
}

void lm_sim_destroy(lm_sim *sim)
{
    if (!sim)
        return;
    lm_world_fini(&sim->w);
    free(sim->ledger_data);
    free(sim);
}

static void begin_month(lm_world *w)
{
    lm_arena_reset(&w->scratch);
    memset(w->events, 0, sizeof(lm_month_events) * (size_t)w->R);
    memset(w->money, 0, sizeof(lm_money) * (size_t)w->R);
    w->firm_cash_before = 0.0;
    w->firm_cash_after = 0.0;
}

/* Copies the month's money into the public ledger view. */
static void keep_ledger(lm_sim *sim)
{
    const lm_world *w = &sim->w;
    const size_t R = (size_t)w->R;
    double *d = sim->ledger_data;
    for (size_t r = 0; r < R; ++r) {
        const lm_money *m = &w->money[r];
        const double v[LEDGER_ARRAYS] = {
            m->firms_paid_payroll,  m->households_received,  m->firms_paid_compute,
            m->compute_received,    m->firms_paid_rent,      m->landlords_received,
            m->firms_paid_tax,      m->state_received_tax,   m->state_paid_subsidy,
            m->firms_received_subsidy, m->customers_paid,    m->firms_received_revenue,
            m->founders_paid_seed,  m->firms_received_seed,
            m->investors_paid,      m->firms_received_investment, /* finance issue */
            m->exit_buyers_paid,    m->exit_holders_received,
            m->creditors_wrote_off};
        for (size_t k = 0; k < LEDGER_ARRAYS; ++k)
            d[k * R + r] = v[k];
    }
    lm_ledger *l = &sim->ledger;
    l->month = w->month;
    l->n_regions = w->R;
    const double **fields[LEDGER_ARRAYS] = {
        &l->firms_paid_payroll,  &l->households_received, &l->firms_paid_compute,
        &l->compute_received,    &l->firms_paid_rent,     &l->landlords_received,
        &l->firms_paid_tax,      &l->state_received_tax,  &l->state_paid_subsidy,
        &l->firms_received_subsidy, &l->customers_paid,   &l->firms_received_revenue,
        &l->founders_paid_seed,  &l->firms_received_seed,
        &l->investors_paid,      &l->firms_received_investment, /* finance issue */
        &l->exit_buyers_paid,    &l->exit_holders_received,
        &l->creditors_wrote_off};
    for (size_t k = 0; k < LEDGER_ARRAYS; ++k)
        *fields[k] = d + k * R;
    l->firm_cash_before = w->firm_cash_before;
    l->firm_cash_after = w->firm_cash_after;
}

lm_status lm_sim_step(lm_sim *sim, lm_error *err)
{
    if (lm_sim_done(sim))
        LM_FAIL(err, LM_ESTATE, "the simulation has reached the end of its period");
    if (sim->broken)
        LM_FAIL(err, LM_ESTATE, "the simulation was stopped in the middle of a month");
    lm_world *w = &sim->w;
    const lm_month m = w->month;
    begin_month(w);
    for (size_t k = 0; k < sizeof schedule / sizeof schedule[0]; ++k) {
        if (sim->stop && *sim->stop) {
            sim->broken = true;
            LM_FAIL(err, LM_EINTR, "interrupted");
        }
        lm_status st = schedule[k].run(w, m, err);
        if (st != LM_OK)
            return st;
    }
    for (int r = 0; r < w->R; ++r)
        w->ended_in_slots += (size_t)(w->events[r].deaths + w->events[r].ipos +
                                      w->events[r].acquisitions); /* exits: finance issue */
    keep_ledger(sim);
    w->month++;
    sim->months_done++;
    /* Compacting costs one pass over every array: do it when ended firms fill a sixteenth
       of the slots, and at the end so that the final state is tidy. */
    if (w->ended_in_slots * 16 > w->firms.n || lm_sim_done(sim))
        return lm_world_compact(w, err);
    return LM_OK;
}

bool lm_sim_done(const lm_sim *sim) { return sim->months_done >= sim->months_total; }
int32_t lm_sim_month(const lm_sim *sim) { return sim->w.month; }
int lm_sim_months_done(const lm_sim *sim) { return sim->months_done; }
int lm_sim_months_total(const lm_sim *sim) { return sim->months_total; }
size_t lm_sim_firms_alive(const lm_sim *sim) { return sim->w.firms.n - sim->w.ended_in_slots; }
size_t lm_sim_firms_ever(const lm_sim *sim) { return sim->w.next_id; }

const lm_region_year *lm_sim_region_years(const lm_sim *sim, size_t *count)
{
    /* Only years that have been simulated (at least one month). */
    size_t years = 0;
    for (int y = 0; y < sim->w.n_years; ++y)
        if (sim->w.region_years[(size_t)y * (size_t)sim->w.R].months > 0)
            years = (size_t)y + 1;
    *count = years * (size_t)sim->w.R;
    return sim->w.region_years;
}

/* Years with at least one simulated month, as in lm_sim_region_years. */
static size_t years_done(const lm_sim *sim)
{
    size_t years = 0;
    for (int y = 0; y < sim->w.n_years; ++y)
        if (sim->w.region_years[(size_t)y * (size_t)sim->w.R].months > 0)
            years = (size_t)y + 1;
    return years;
}

const lm_public_year *lm_sim_public_years(const lm_sim *sim, size_t *count)
{
    *count = years_done(sim) * (size_t)sim->w.R;
    return sim->w.public_years;
}

const lm_region_skill_year *lm_sim_skill_years(const lm_sim *sim, size_t *count)
{
    *count = years_done(sim) * (size_t)sim->w.R * LM_SKILL_COUNT;
    return sim->w.skill_years;
}

const lm_region_layer_year *lm_sim_layer_years(const lm_sim *sim, size_t *count)
{
    *count = years_done(sim) * (size_t)sim->w.R * (size_t)sim->w.L;
    return sim->w.layer_years;
}

lm_status lm_sim_firm(const lm_sim *sim, uint32_t firm_id, lm_firm_record *rec)
{
    const lm_world *w = &sim->w;
    if (firm_id >= w->next_id)
        return lm_error_set(NULL, LM_EINVAL, __FILE__, __LINE__, "no firm %u", firm_id);
    const int64_t at = w->where[firm_id];
    if (at >= 0)
        lm_world_firm_record(w, (size_t)at, rec);
    else
        *rec = w->archive[-at - 1];
    return LM_OK;
}

const lm_ledger *lm_sim_ledger(const lm_sim *sim) { return &sim->ledger; }

lm_world *lm__sim_world(lm_sim *sim) { return &sim->w; }
