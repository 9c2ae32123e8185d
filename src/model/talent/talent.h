/* src/model/talent/talent.h -- phase 2 (MODEL.md 3.2, 2, 5.6): talent pools per region and
 * skill gain graduates and people trained by platforms, lose retirees and emigrants, gain
 * immigrants chosen by a migration logit on wages, amenity, talent policy and openings; wages
 * follow tightness; key-engineer attrition is set (lower under the option-tax rule). Hiring
 * against the pools happens in the costs phase, with lm_talent_fill. */
#ifndef LM_MODEL_TALENT_H
#define LM_MODEL_TALENT_H

#include "core/world.h"

lm_status lm_phase_talent(lm_world *w, lm_month m, lm_error *err);

/* Graduates a month entering pool (r, k): the region's graduates_year / 12, or, when the
 * scenario gives none for the skill, graduate_rate_year x the initial pool / 12. */
double lm_talent_graduates_month(const lm_world *w, int r, int k);

/* Share of the hires wanted in pool (r, k) that firms can make this month:
 *   min(1, hire_share x max(0, talent - employed) / openings)   (1 when nobody is wanted). */
double lm_talent_fill(const lm_world *w, int r, int k, double employed, double openings);

/* Share of a month's product progress kept despite key engineers leaving:
 * 1 - attrition_drag x attrition[r,s] (MODEL.md 5.6: attrition slows progress). */
static inline double lm_talent_retention(const lm_world *w, int r, int s)
{
    return 1.0 - w->p->talent.attrition_drag * w->attrition[r * w->S + s];
}

#endif
