/* src/scenario/scenario_int.h -- private layout of lm_scenario (include/longmen/longmen.h).
 * A scenario is the parsed, validated lm_params plus the text it came from (kept so that the
 * results database records exactly what ran). */
#ifndef LM_SCENARIO_INT_H
#define LM_SCENARIO_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/params.h"
#include "longmen/longmen.h"

struct lm_scenario {
    lm_params p;      /* p.regions and p.integration are owned here */
    char path[512];   /* as typed by the user; "" when loaded from a string */
    char *text;       /* the YAML as read, NUL-terminated */
    size_t text_len;
};

/* Borrowed. */
const lm_params *lm__scenario_params(const lm_scenario *sc);

/* The stop flag the loader of this thread polls (between YAML events, files of an extends:
 * chain and the steps after), so that Ctrl-C or SIGTERM stops even the loading of a 16 MB
 * file or a chain of sixteen, which takes seconds: the load then fails with LM_EINTR. NULL:
 * none. Returns the flag watched before, for the caller to restore. src/scenario/yaml.c. */
const volatile sig_atomic_t *lm__scenario_watch_stop(const volatile sig_atomic_t *flag);
/* LM_EINTR with "interrupted while loading" when the watched flag is raised, else LM_OK. */
lm_status lm__scenario_check_stop(const char *file, lm_error *err);

/* Fills every global parameter (entry, rnd, market, costs) with its documented default and
 * zeroes the rest. src/scenario/defaults.c. */
void lm__params_defaults(lm_params *p);
/* The ecosystem part of those defaults (talent, chain, platforms, tiers); called by it. */
void lm__ecosystem_defaults(lm_params *p);
/* The finance part (finance, exits); called by it. */
void lm__finance_defaults(lm_params *p);
/* Defaults of one sector / region / policy of the given kind, before the YAML fills them. */
void lm__sector_defaults(lm_sector_params *s);
void lm__region_defaults(lm_region_params *r);
void lm__policy_defaults(lm_policy *pol, lm_policy_kind kind);

/* The region a command names: its `name` or `name_en` exactly, else `name_en` ignoring case
 * ("jiashi"); -1 when none (src/scenario/fields.c). */
int lm__region_named(const lm_params *p, const char *name);

/* YAML names of the enums ("software", "to_c", "platform", "st_fund"), NULL when out of
 * range; and the reverse, -1 when unknown. */
const char *lm__skill_name(int skill);
const char *lm__model_name(int model);
const char *lm__source_name(int source);
const char *lm__policy_kind_name(int kind);
int lm__skill_from_name(const char *name);
int lm__model_from_name(const char *name);
int lm__source_from_name(const char *name);
int lm__policy_kind_from_name(const char *name);
/* Finance issue: "seed".."growth" (lm_stage), "gov_st".."angel" (lm_investor_kind). */
const char *lm__stage_name(int stage);
const char *lm__investor_kind_name(int kind);

#endif
