/* src/model/entry/entry.h -- phase 3: founders arrive from their sources, pick a region, and
 * firms are born (MODEL.md 5.1). */
#ifndef LM_MODEL_ENTRY_H
#define LM_MODEL_ENTRY_H
#include "core/world.h"
lm_status lm_phase_entry(lm_world *w, lm_month m, lm_error *err);
/* Founders' utility U[r,s] of locating in region r for sector s (exposed for tests). */
double lm_entry_utility(const lm_world *w, int r, int s);
/* What U is made of (docs/model.md 7.2): the expected first round in CNY, the team's burn
 * over the same team's in the rest of the country, the chance a failed founder restarts. */
double lm_entry_prospect(const lm_world *w, int r, int s);
double lm_entry_burn_ratio(const lm_world *w, int r, int s);
double lm_entry_restart_chance(const lm_world *w, int r);
#endif
