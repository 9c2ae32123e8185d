/* include/longmen/longmen.h -- the public API of longmen, an agent-based simulator of regional
 * innovation ecosystems (../shared/MODEL.md). Load a scenario, create a simulation, step it
 * month by month, read its observations, write them to a results database.
 *
 * Ownership words: "new" = the caller releases it with the named function; "borrowed" =
 * owned by the object it came from. Every out-parameter is NULL unless the call succeeds.
 * Destroy/free functions accept NULL. */
#ifndef LONGMEN_LONGMEN_H
#define LONGMEN_LONGMEN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "longmen/ecosystem.h"
#include "longmen/error.h"
#include "longmen/results.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LM_VERSION "0.1.0"
/* Version of the results database layout (PRAGMA user_version and run.schema_version). */
#define LM_SCHEMA_VERSION 8

/* Borrowed, static: "0.1.0". */
LM_API const char *lm_version(void);

/* ---- scenarios (src/scenario/) ---- */
typedef struct lm_scenario lm_scenario;

/* Reads and validates a YAML scenario. New on LM_OK (release: lm_scenario_free); on failure
 * err names file, line, column and field. */
LM_API lm_status lm_scenario_load(const char *path, lm_scenario **out, lm_error *err);
/* Same from a buffer; name is used in error messages as the file name. */
LM_API lm_status lm_scenario_load_string(const char *text, size_t len, const char *name,
                                         lm_scenario **out, lm_error *err);
LM_API void lm_scenario_free(lm_scenario *sc);

/* Borrowed, valid until lm_scenario_free(sc). */
LM_API const char *lm_scenario_name(const lm_scenario *sc);
LM_API const char *lm_scenario_path(const lm_scenario *sc); /* "" when loaded from a string */
LM_API const char *lm_scenario_text(const lm_scenario *sc); /* the YAML as read */
LM_API int lm_scenario_region_count(const lm_scenario *sc);
LM_API const char *lm_scenario_region_name(const lm_scenario *sc, int region); /* UTF-8 */
LM_API int lm_scenario_sector_count(const lm_scenario *sc);
LM_API const char *lm_scenario_sector_id(const lm_scenario *sc, int sector);
LM_API uint64_t lm_scenario_seed(const lm_scenario *sc);
/* Period as months since year 0 (year*12 + month-1), inclusive. */
LM_API void lm_scenario_period(const lm_scenario *sc, int32_t *start, int32_t *end);
/* Narrows the period (CLI --from/--to). Fails with LM_EINVAL outside the scenario's period
 * or when from > to. */
LM_API lm_status lm_scenario_set_period(lm_scenario *sc, int32_t start, int32_t end,
                                        lm_error *err);

/* Parses "YYYY-MM" into a month index. Returns false when malformed. */
LM_API bool lm_month_parse(const char *text, int32_t *out);
/* Writes "YYYY-MM" into buf (at least 8 bytes). Returns buf. */
LM_API char *lm_month_format(int32_t m, char *buf);

/* ---- simulation (src/core/) ---- */
typedef struct lm_sim lm_sim;

typedef struct lm_sim_config {
    uint64_t seed;   /* the run's seed; results are bit-identical for a seed */
    uint32_t run;    /* replication index, part of every random-number key */
    int threads;     /* OpenMP threads; 0 = OpenMP's default. Results do not depend on it. */
    /* Polled between the phases of a month (may be NULL): when it holds a non-zero value,
     * lm_sim_step stops mid-month with LM_EINTR and the simulation can only be destroyed.
     * So a signal or a cancelled job stops within a phase, not a month. */
    volatile sig_atomic_t *stop_flag;
} lm_sim_config;

/* New on LM_OK (release: lm_sim_destroy). sc must outlive the simulation. */
LM_API lm_status lm_sim_create(const lm_scenario *sc, const lm_sim_config *cfg, lm_sim **out,
                               lm_error *err);
LM_API void lm_sim_destroy(lm_sim *sim);
/* Runs one month: every phase of MODEL.md section 3 in order. LM_ESTATE after the end. */
LM_API lm_status lm_sim_step(lm_sim *sim, lm_error *err);
LM_API bool lm_sim_done(const lm_sim *sim);
LM_API int32_t lm_sim_month(const lm_sim *sim);       /* the next month to run */
LM_API int lm_sim_months_done(const lm_sim *sim);
LM_API int lm_sim_months_total(const lm_sim *sim);
LM_API size_t lm_sim_firms_alive(const lm_sim *sim);
LM_API size_t lm_sim_firms_ever(const lm_sim *sim);   /* every firm born so far */

/* Observations (section 6). Borrowed, valid until the next step or destroy. */
LM_API const lm_region_year *lm_sim_region_years(const lm_sim *sim, size_t *count);
/* Fills *rec for the firm with id firm_id (0 .. lm_sim_firms_ever()-1). */
LM_API lm_status lm_sim_firm(const lm_sim *sim, uint32_t firm_id, lm_firm_record *rec);
/* A snapshot of the money flows of the last month, for invariant checks. */
LM_API const lm_ledger *lm_sim_ledger(const lm_sim *sim);
/* Talent pools per region, skill and year, and chain layers per region, layer and year
 * (longmen/ecosystem.h), for the years simulated so far. Borrowed, like region years. */
LM_API const lm_region_skill_year *lm_sim_skill_years(const lm_sim *sim, size_t *count);
/* The public purse per region and year (lm_public_year), borrowed like region years. */
LM_API const lm_public_year *lm_sim_public_years(const lm_sim *sim, size_t *count);
LM_API const lm_region_layer_year *lm_sim_layer_years(const lm_sim *sim, size_t *count);

/* ---- results (src/io/) ---- */
typedef struct lm_run_info {
    const char *scenario;   /* scenario name */
    const char *scenario_path;
    uint64_t seed;
    uint32_t run;
    int threads;
    const char *started_at; /* ISO 8601 UTC */
    /* experiments issue (include/longmen/experiments.h): several runs in one database */
    int64_t run_id;  /* the run's row; 0 means 1 */
    const char *arm; /* run.arm: "baseline", "counterfactual"; NULL outside a comparison */
    /* A brief run (run.detail = 0) keeps its region, finance, fund, exit and dragon rows but
     * only the firm rows of dragons, unicorns, platforms and exited firms, and no deal rows:
     * what experiments write for replications past --detail (docs/output.md). */
    bool brief;
} lm_run_info;

/* Writes the simulation's observations into the SQLite database at db_path (created; an
 * existing file is an error). Tables and columns: docs/output.md. */
LM_API lm_status lm_results_write(const char *db_path, const lm_scenario *sc, const lm_sim *sim,
                                  const lm_run_info *info, lm_error *err);
/* experiments issue: adds the simulation's observations as run info->run_id to the database
 * at db_path (created when absent), in one durable transaction: an interrupted job leaves
 * complete runs only. LM_EEXIST when that run_id is there already. */
LM_API lm_status lm_results_append(const char *db_path, const lm_scenario *sc, const lm_sim *sim,
                                   const lm_run_info *info, lm_error *err);

#ifdef __cplusplus
}
#endif
#endif
