/* src/model/ecosystem/ecosystem.h -- phase 10: knowledge stocks update with R&D,
 * institutions and spillovers across the integration matrix; failed founders' memory
 * fades (MODEL.md 5.2, 5.9). */
#ifndef LM_MODEL_ECOSYSTEM_H
#define LM_MODEL_ECOSYSTEM_H
#include "core/world.h"
lm_status lm_phase_ecosystem(lm_world *w, lm_month m, lm_error *err);
#endif
