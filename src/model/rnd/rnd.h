/* src/model/rnd/rnd.h -- phase 4: R&D progress, launches, breakthroughs, quality
 * (MODEL.md 5.2). */
#ifndef LM_MODEL_RND_H
#define LM_MODEL_RND_H
#include "core/world.h"
lm_status lm_phase_rnd(lm_world *w, lm_month m, lm_error *err);
/* Progress of one month for a team of `headcount` (exposed for tests). */
double lm_rnd_progress(const lm_world *w, int r, int s, double headcount);
#endif
