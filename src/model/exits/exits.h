/* src/model/exits/exits.h -- phase 9 (MODEL.md 3.9, 5.7): IPOs and acquisitions, write-offs
 * of dead firms, proceeds through cap tables to investors and founders, sanctions of guidance
 * funds whose realised losses exceed their tolerance, exit wealth into private capital. */
#ifndef LM_MODEL_EXITS_H
#define LM_MODEL_EXITS_H

#include "core/world.h"

lm_status lm_phase_exits(lm_world *w, lm_month m, lm_error *err);

#endif
