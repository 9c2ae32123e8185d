/* src/model/observe/observe.h -- phase 11: the month's events, money and stocks go into the
 * region-year observations (MODEL.md 6). */
#ifndef LM_MODEL_OBSERVE_H
#define LM_MODEL_OBSERVE_H
#include "core/world.h"
lm_status lm_phase_observe(lm_world *w, lm_month m, lm_error *err);
/* The ecosystem rows (ecosystem_rows.c): talent, tiers, platforms, chains of year index yi. */
lm_status lm_observe_ecosystem(lm_world *w, lm_month m, int yi, lm_error *err);
#endif
