/* src/scenario/edits_int.h -- counterfactual edits on the parsed tree (edits.c, experiments
 * issue), applied by the loader (load.c) between merging extends: and reading the tree. */
#ifndef LM_SCENARIO_EDITS_INT_H
#define LM_SCENARIO_EDITS_INT_H

#include "longmen/experiments.h"
#include "scenario/yaml.h"

/* Replaces *root by an edited tree (new nodes in doc's arena); LM_OK with nothing done when
 * edits is NULL. Errors name the node an edit could not apply to (file:line:col). */
lm_status lm__scenario_apply_edits(lm__ydoc *doc, const lm__ynode **root, const char *file,
                                   const lm_scenario_edits *edits, lm_error *err);

/* calibration issue: applies the `set:` list of the (merged) root, "NAME=VALUE" edits as
 * above, and removes the key (set.c). LM_OK with nothing done when root has no `set`. */
lm_status lm__scenario_apply_set(lm__ydoc *doc, const lm__ynode **root, const char *file,
                                 lm_error *err);

/* lm_scenario_load with edits applied (NULL: none). */
lm_status lm__scenario_load_with(const char *path, const lm_scenario_edits *edits,
                                 lm_scenario **out, lm_error *err);

#endif
