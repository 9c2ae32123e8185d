/* src/scenario/set.c -- the `set:` key of a scenario file (calibration issue): a list of edits
 * "NAME=VALUE" with NAME as in `longmen compare --policy` (REGION.KIND.FIELD, REGION.FIELD,
 * params.GROUP.FIELD), applied to the merged tree after an extends: chain and before the
 * loader reads it, exactly as --policy edits are (edits.c). It lets a short overlay change
 * one field of a policy, which plain extends: cannot (a child's `policies` list replaces the
 * parent's whole); `longmen calibrate` writes its fitted values this way (calibrated.yaml),
 * so the overlay loads to exactly the scenario the calibration simulated.
 *
 * In a chain of extends every file's `set` applies, the most distant ancestor's first
 * (extends.c concatenates the lists), so a child's edit of the same field wins. */
#include <stdio.h>
#include <string.h>

#include "scenario/edits_int.h"
#include "scenario/load_int.h"

/* root without its `set` key (a new mapping in doc's arena); NULL when out of memory. */
static const lm__ynode *without_set(lm__ydoc *doc, const lm__ynode *root)
{
    lm__ynode *m = lm__yaml_alloc(doc, sizeof *m);
    if (!m)
        return NULL;
    *m = *root;
    m->n = 0;
    m->item = root->n ? lm__yaml_alloc(doc, 2 * root->n * sizeof *m->item) : NULL;
    if (root->n && !m->item)
        return NULL;
    for (size_t i = 0; i < root->n; ++i) {
        const lm__ynode *k = root->item[2 * i];
        if (k->kind == LM_Y_SCALAR && strcmp(k->text, "set") == 0)
            continue;
        m->item[2 * m->n] = root->item[2 * i];
        m->item[2 * m->n + 1] = root->item[2 * i + 1];
        m->n++;
    }
    return m;
}

lm_status lm__scenario_apply_set(lm__ydoc *doc, const lm__ynode **root, const char *file,
                                 lm_error *err)
{
    const lm__ynode *r = *root;
    const lm__ynode *set = r && r->kind == LM_Y_MAP ? lm__ymap_get(r, "set") : NULL;
    if (!set)
        return LM_OK;
    const char *set_file = set->file ? set->file : file;
    if (lm__ynull(set)) {
        /* `set:` with nothing: no edits */
    } else if (set->kind != LM_Y_SEQ) {
        return lm_error_set_at(err, LM_EINVAL, set_file, set->line, set->column, "set",
                               "expected a list of edits \"NAME=VALUE\" (NAME as in "
                               "--policy: REGION.KIND.FIELD, REGION.FIELD or "
                               "params.GROUP.FIELD)");
    }
    const lm__ynode *edited = without_set(doc, r);
    if (!edited)
        return lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "set", "out of memory");
    for (size_t i = 0; set->kind == LM_Y_SEQ && i < set->n; ++i) {
        const lm__ynode *it = set->item[i];
        char field[32];
        snprintf(field, sizeof field, "set[%zu]", i);
        const char *it_file = it->file ? it->file : file;
        if (it->kind != LM_Y_SCALAR || lm__ynull(it) || !strchr(it->text, '='))
            return lm_error_set_at(err, LM_EINVAL, it_file, it->line, it->column, field,
                                   "expected an edit \"NAME=VALUE\", e.g. "
                                   "\"params.rnd.spillover=0.004\"");
        if (it->len >= 250)
            return lm_error_set_at(err, LM_EINVAL, it_file, it->line, it->column, field,
                                   "an edit longer than 250 bytes");
        const char *one[1] = {it->text};
        const lm_scenario_edits e = {.set = one, .n_set = 1};
        lm_status st = lm__scenario_apply_edits(doc, &edited, it_file, &e, err);
        if (st != LM_OK) {
            /* A name that matches nothing is the item's fault: point at it. A bad value is
             * reported later by the loader, at the node it replaces. */
            snprintf(err->field, sizeof err->field, "%s", field);
            snprintf(err->file, sizeof err->file, "%s", it_file);
            err->line = it->line;
            err->column = it->column;
            return st;
        }
    }
    *root = edited;
    return LM_OK;
}
