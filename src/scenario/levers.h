/* src/scenario/levers.h -- the levers file of `longmen optimise` (docs/experiments.md,
 * "optimise"): which scenario edits the optimiser may turn, over which range or set, and what
 * each costs a year a priori. Read with the scenario loader's YAML tree and typed readers, so
 * an error is reported as file:line:col: field: message like a scenario error.
 * src/scenario/levers.c. Private to the library.
 *
 *   region: Yishi                      # optional: the default of --region
 *   levers:
 *     - name: st_fund_budget           # [a-z0-9_]+, unique
 *       set: "{region}.st_fund.budget_cny_year"   # a `compare --policy` left side;
 *       min: 2.0e8                     # continuous between min and max, or
 *       max: 3.0e9
 *       start: 5.0e8                   # optional (default: the middle)
 *       step: 1.0e7                    # optional rounding of the value
 *       cost_per_unit: 1               # optional: a-priori CNY a year per unit of the value
 *     - name: matchmaking
 *       set: "{region}.matchmaking.deals_seen_multiplier"
 *       values: [1.0, 1.5, 2.0]        # a discrete set of values, or
 *     - name: talent_rule
 *       options:                       # alternatives, each a list of edits
 *         - label: none
 *         - label: adopt
 *           adopt: "{region}:Jiashi.talent_rule"     # a string or a list
 *           set: ["{region}.talent_rule.start=2018-01"]
 *           cost: 2.0e7                # a-priori CNY a year
 * {region} in any edit is replaced by the region optimised. */
#ifndef LM_SCENARIO_LEVERS_H
#define LM_SCENARIO_LEVERS_H

#include <stdbool.h>
#include <stddef.h>

#include "longmen/error.h"

#define LM_LEVERS_MAX 16          /* levers of one file */
#define LM_LEVER_OPTIONS_MAX 16   /* values or options of one discrete lever */
#define LM_LEVERS_EDITS_MAX 128   /* option edits of one file, all levers */
#define LM_LEVER_EDIT_LEN 240     /* one edit, {region} unexpanded */
#define LM_LEVER_NAME_LEN 64

typedef enum lm__lever_kind {
    LM_LEVER_CONTINUOUS, /* set + min/max */
    LM_LEVER_VALUES,     /* set + values */
    LM_LEVER_OPTIONS     /* options */
} lm__lever_kind;

typedef struct lm__lever_option {
    char label[LM_LEVER_NAME_LEN];
    int first_edit, n_edits; /* into lm__levers.edit */
    double cost;             /* a-priori CNY a year */
} lm__lever_option;

typedef struct lm__lever {
    char name[LM_LEVER_NAME_LEN];
    lm__lever_kind kind;
    char set[LM_LEVER_EDIT_LEN]; /* CONTINUOUS, VALUES: the left side of the edit */
    double lo, hi, start, step;  /* CONTINUOUS; start NaN = the middle, step 0 = none */
    double cost_per_unit;        /* CONTINUOUS, VALUES: a-priori CNY a year per unit */
    int n_options;               /* VALUES, OPTIONS */
    double value[LM_LEVER_OPTIONS_MAX];         /* VALUES */
    lm__lever_option option[LM_LEVER_OPTIONS_MAX]; /* OPTIONS */
    int line, column;            /* of the lever's mapping, for errors found later */
} lm__lever;

typedef struct lm__levers {
    char file[512];
    char region[LM_LEVER_NAME_LEN]; /* "" when the file names none */
    int n;
    lm__lever lever[LM_LEVERS_MAX];
    int n_edits;
    char edit[LM_LEVERS_EDITS_MAX][LM_LEVER_EDIT_LEN];
    bool edit_is_adopt[LM_LEVERS_EDITS_MAX];
    char *text; /* the file as read (kept with the results), NUL-terminated */
    size_t text_len;
} lm__levers;

/* Reads a levers file. New on LM_OK (release: lm__levers_free). */
lm_status lm__levers_load(const char *path, lm__levers **out, lm_error *err);
/* Same from a buffer; name is the file name errors carry. */
lm_status lm__levers_parse(const char *text, size_t len, const char *name, lm__levers **out,
                           lm_error *err);
void lm__levers_free(lm__levers *lv);

/* Replaces every "{region}" of tmpl by region into out (size bytes). False when it does not
 * fit. */
bool lm__levers_expand(const char *tmpl, const char *region, char *out, size_t size);

#endif
