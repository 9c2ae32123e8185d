/* tests/support/lm_test.c -- small worlds built in code (lm_test.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm_test.h"

lm_scenario *lm_test_scenario(int n_regions, double founders_per_month)
{
    lm_scenario *sc = calloc(1, sizeof *sc);
    lm_params *p = &sc->p;
    lm__params_defaults(p);
    snprintf(p->name, sizeof p->name, "test");
    p->start = lm_month_of(2015, 1);
    p->end = lm_month_of(2016, 12);
    p->n_layers = 2;
    snprintf(p->layer_id[0], LM_NAME_MAX, "chip_design");
    snprintf(p->layer_id[1], LM_NAME_MAX, "compute");
    p->costs.compute_layer = 1;
    p->n_sectors = 2;
    for (int s = 0; s < 2; ++s)
        lm__sector_defaults(&p->sectors[s]);
    snprintf(p->sectors[0].id, LM_NAME_MAX, "ai");
    p->sectors[0].skill = LM_SKILL_SOFTWARE;
    p->sectors[0].layers = 3u;
    p->sectors[0].compute_share = 0.4;
    p->sectors[0].model_weight[0] = 1.0;
    p->sectors[0].model_weight[1] = 0.0;
    p->sectors[0].model_weight[2] = 0.0;
    snprintf(p->sectors[1].id, LM_NAME_MAX, "robots");
    p->sectors[1].skill = LM_SKILL_HARDWARE;
    p->sectors[1].model_weight[0] = 0.0;
    p->sectors[1].model_weight[1] = 1.0;
    p->sectors[1].model_weight[2] = 0.0;
    p->n_regions = n_regions;
    p->regions = calloc((size_t)n_regions, sizeof *p->regions);
    p->integration = calloc((size_t)n_regions * (size_t)n_regions, sizeof(double));
    for (int r = 0; r < n_regions; ++r) {
        lm_region_params *rp = &p->regions[r];
        lm__region_defaults(rp);
        snprintf(rp->name, LM_NAME_MAX, "R%d", r);
        rp->population_10k = 1000.0;
        rp->gdp_100m_cny = 15000.0 + 1000.0 * r;
        for (int k = 0; k < LM_SKILL_COUNT; ++k) {
            rp->wage_cny_month[k] = 20000.0 + 1000.0 * k;
            rp->talent[k] = 100000.0;
        }
        rp->chain[0] = 0.4;
        rp->chain[1] = 0.6;
        for (int b = 0; b < LM_MODEL_COUNT; ++b)
            rp->local_market_share[b] = rp->gdp_100m_cny / p->market.national_gdp_100m_cny;
        for (int q = 0; q < n_regions; ++q)
            p->integration[r * n_regions + q] = (q == r) ? 1.0 : 0.5;
    }
    /* base founders only: 500k talent per region at base_rate x gives x*5e5 a month */
    p->entry.base_rate = founders_per_month / (5.0e5 * n_regions);
    p->entry.outside_rate = 0.0;
    p->entry.outside_utility = -30.0; /* founders stay in the scenario */
    return sc;
}

void lm_test_scenario_free(lm_scenario *sc)
{
    if (!sc)
        return;
    free(sc->p.regions);
    free(sc->p.integration);
    free(sc->text);
    free(sc);
}

lm_params *lm_test_params(lm_scenario *sc) { return &sc->p; }

lm_world *lm_test_world(const lm_scenario *sc)
{
    lm_world *w = calloc(1, sizeof *w);
    lm_error err;
    if (lm_world_init(w, &sc->p, 7, 0, 1, 64, &err) != LM_OK) {
        free(w);
        return NULL;
    }
    return w;
}

void lm_test_world_free(lm_world *w)
{
    lm_world_fini(w);
    free(w);
}

size_t lm_test_add_firm(lm_world *w, int region, int sector, int model, int headcount,
                        double cash_cny, double theta)
{
    lm_error err;
    lm_firms_reserve(&w->firms, 1, &err);
    if (w->next_id + 1u > w->where_cap) {
        w->where_cap = w->where_cap ? w->where_cap * 2 : 64;
        w->where = realloc(w->where, w->where_cap * sizeof *w->where);
    }
    const size_t i = lm_firms_push(&w->firms);
    const uint32_t id = w->next_id++;
    w->firms.id[i] = id;
    w->firms.stream[i] = lm_stream_placed(id);
    w->where[id] = (int64_t)i;
    w->firms.region[i] = (uint16_t)region;
    w->firms.sector[i] = (uint8_t)sector;
    w->firms.model[i] = (uint8_t)model;
    w->firms.origin[i] = (int16_t)region;
    w->firms.headcount[i] = headcount;
    w->firms.peak_headcount[i] = headcount;
    w->firms.cash_cny[i] = cash_cny;
    w->firms.theta[i] = theta;
    w->firms.founder_quality[i] = 1.0;
    w->firms.founded[i] = w->month;
    return i;
}
