/* src/io/results.c -- lm_results_write(): a simulation's observations into the results
 * database (include/longmen/longmen.h, MODEL.md 6). Gathers the rows through the public
 * accessors of the scenario and the simulation into an lm_store_input, so the store stays
 * ignorant of the model and can be tested with synthetic rows (store.c, docs/output.md). */
#include <stdlib.h>

#include "io/store.h"
#include "scenario/scenario_int.h"

/* lm_sim_firm has the shape of the store's callback but a typed context. */
static lm_status sim_firm_at(const void *ctx, uint32_t firm_id, lm_firm_record *rec)
{
    return lm_sim_firm((const lm_sim *)ctx, firm_id, rec);
}

/* lm_results_append (one more run in a database). */
static lm_status results_write(const char *db_path, const lm_scenario *sc, const lm_sim *sim,
                               const lm_run_info *info, bool append, lm_error *err)
{
    if (!db_path || !sc || !sim || !info)
        LM_FAIL(err, LM_EINVAL, "lm_results_write: missing database path, scenario, "
                                "simulation or run info");
    const lm_params *p = lm__scenario_params(sc);
    const int n_regions = lm_scenario_region_count(sc);
    const int n_sectors = lm_scenario_sector_count(sc);

    /* One block for the five name arrays; +1 so that zero regions still allocate. */
    const size_t n_names = 3 * (size_t)n_regions + 2 * (size_t)n_sectors + 1;
    const char **names = malloc(n_names * sizeof *names);
    if (!names)
        LM_FAIL(err, LM_ENOMEM, "names of regions and sectors for the results database");
    const char **region_names = names;
    const char **region_names_en = region_names + n_regions;
    const char **region_provinces = region_names_en + n_regions;
    const char **sector_ids = region_provinces + n_regions;
    const char **sector_names = sector_ids + n_sectors;
    for (int r = 0; r < n_regions; ++r) {
        region_names[r] = lm_scenario_region_name(sc, r);
        region_names_en[r] = p->regions[r].name_en;
        region_provinces[r] = p->regions[r].province;
    }
    for (int k = 0; k < n_sectors; ++k) {
        sector_ids[k] = lm_scenario_sector_id(sc, k);
        sector_names[k] = p->sectors[k].name;
    }

    /* What was simulated: from the period's start for the months done, which is the whole
     * period after a full run and a prefix after an interrupted one (end -1, stored as NULL,
     * when no month ran). */
    int32_t start, scenario_end;
    lm_scenario_period(sc, &start, &scenario_end);
    const int months = lm_sim_months_done(sim);

    lm_store_input in = {
        .info = info,
        .scenario_text = lm_scenario_text(sc),
        .start_month = start,
        .end_month = months > 0 ? start + months - 1 : -1,
        .months = months,
        .n_regions = n_regions,
        .region_names = region_names,
        .region_names_en = region_names_en,
        .region_provinces = region_provinces,
        .n_sectors = n_sectors,
        .sector_ids = sector_ids,
        .sector_names = sector_names,
        .n_firms = lm_sim_firms_ever(sim),
        .firm_at = sim_firm_at,
        .firm_ctx = sim,
    };
    in.region_years = lm_sim_region_years(sim, &in.n_region_years);
    /* talent pools and chain layers */
    const char *layer_ids[LM_MAX_LAYERS];
    for (int l = 0; l < p->n_layers; ++l)
        layer_ids[l] = p->layer_id[l];
    in.n_layers = p->n_layers;
    in.layer_ids = layer_ids;
    in.skill_years = lm_sim_skill_years(sim, &in.n_skill_years);
    in.layer_years = lm_sim_layer_years(sim, &in.n_layer_years);
    /* deals, funds (with their policies' names), exits, finance rows */
    in.deals = lm_sim_deals(sim, &in.n_deals);
    in.funds = lm_sim_funds(sim, &in.n_funds);
    in.exits = lm_sim_exits(sim, &in.n_exits);
    in.finance_years = lm_sim_finance_years(sim, &in.n_finance_years);
    in.public_years = lm_sim_public_years(sim, &in.n_public_years);
    const char **policy_names = calloc(in.n_funds + 1, sizeof *policy_names);
    if (!policy_names) {
        free(names);
        LM_FAIL(err, LM_ENOMEM, "fund policy names for the results database");
    }
    for (size_t i = 0; i < in.n_funds; ++i) {
        const lm_fund_record *f = &in.funds[i];
        if (f->policy < 0 || f->region < 0 || f->region >= n_regions)
            continue;
        const lm_policy *pol = &p->regions[f->region].policies[f->policy];
        policy_names[i] = pol->name[0] ? pol->name : lm__policy_kind_name(pol->kind);
    }
    in.fund_policy_names = policy_names;

    in.run_id = info->run_id;
    const lm_status rc = append ? lm__store_append(db_path, &in, err)
                                : lm__store_write(db_path, &in, err);
    free(policy_names);
    free(names);
    return rc;
}

lm_status lm_results_write(const char *db_path, const lm_scenario *sc, const lm_sim *sim,
                           const lm_run_info *info, lm_error *err)
{
    return results_write(db_path, sc, sim, info, false, err);
}

lm_status lm_results_append(const char *db_path, const lm_scenario *sc, const lm_sim *sim,
                            const lm_run_info *info, lm_error *err)
{
    return results_write(db_path, sc, sim, info, true, err);
}
