/* src/experiments/job.c -- one complete run: scenario in, results folder out
 * (include/longmen/job.h). This is the orchestration `longmen run` needs, kept in the
 * library so that every front end (CLI now, server and experiment drivers later) runs the
 * same sequence: load and narrow the scenario, create the simulation, reserve a temporary
 * results folder, step month by month (reporting progress and honouring a stop request),
 * write results.sqlite and summary.txt, and rename the folder into place.
 *
 * Order matters for the user: everything that can fail on bad input (loading, narrowing,
 * creating the simulation) runs before anything is created on disk, so a bad scenario leaves
 * no trace; the out folder is checked before the simulation, so a run that would be refused
 * for an existing folder is refused at once, not after twenty simulated years. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "experiments/experiments_int.h"
#include "experiments/lifecycle.h"
#include "experiments/parallel.h"
#include "io/store.h"
#include "io/table.h"
#include "longmen/job.h"
#include "longmen/longmen.h"
#include "longmen/report.h"

#define DEFAULT_SCENARIO "scenarios/three-capitals.yaml"

void lm_job_config_init(lm_job_config *cfg) { memset(cfg, 0, sizeof *cfg); }

void lm_job_result_fini(lm_job_result *res)
{
    if (!res)
        return;
    free(res->summary);
    memset(res, 0, sizeof *res);
}

const char *lm_default_scenario_path(void)
{
    /* The cwd first: a user working in a checkout (or a copy of the scenarios folder) means
     * that file; the source tree is the fallback that makes `longmen run` work anywhere. */
    if (access(DEFAULT_SCENARIO, R_OK) == 0)
        return DEFAULT_SCENARIO;
#ifdef LM_SOURCE_DIR
    static const char installed[] = LM_SOURCE_DIR "/" DEFAULT_SCENARIO;
    if (access(installed, R_OK) == 0)
        return installed;
#endif
    return DEFAULT_SCENARIO; /* so the error names the path a user would look for */
}

/* The scenario name as a folder name: separators and blanks become '-', UTF-8 stays (a
 * Chinese scenario name gives a Chinese folder name); an empty name gives fallback. */
void lm__folder_safe(char *dst, size_t size, const char *name, const char *fallback)
{
    size_t k = 0;
    for (const char *p = name; p && *p && k + 1 < size; ++p) {
        const unsigned char c = (unsigned char)*p;
        dst[k++] = (c == '/' || c == '\\' || c <= ' ' || c == ':') ? '-' : (char)c;
    }
    dst[k] = '\0';
    if (k == 0 || strcmp(dst, ".") == 0 || strcmp(dst, "..") == 0)
        snprintf(dst, size, "%s", fallback);
}

static void report(const lm_job_config *cfg, const lm_sim *sim, int32_t month, double t0)
{
    if (!cfg->progress || cfg->quiet)
        return;
    const lm_progress p = {
        .months_done = lm_sim_months_done(sim),
        .months_total = lm_sim_months_total(sim),
        .month = month,
        .firms_alive = lm_sim_firms_alive(sim),
        .elapsed_s = lm__now_s() - t0,
    };
    cfg->progress(&p, cfg->progress_user);
}

static lm_status simulate(const lm_scenario *sc, lm_sim *sim, const lm_job_config *cfg, double t0,
                          lm_error *err)
{
    report(cfg, sim, lm_sim_month(sim), t0);
    while (!lm_sim_done(sim)) {
        if (lm__stop_requested(cfg))
            LM_FAIL(err, LM_EINTR, "interrupted");
        const int32_t month = lm_sim_month(sim);
        lm_status st = lm_sim_step(sim, err);
        if (st == LM_OK)
            st = lm__job_check_memory_now(sc, sim, cfg->max_memory, err);
        if (st != LM_OK)
            return st;
        report(cfg, sim, month, t0);
    }
    /* A stop that arrived during the last month still means "keep nothing". */
    if (lm__stop_requested(cfg))
        LM_FAIL(err, LM_EINTR, "interrupted");
    return LM_OK;
}

/* Writes the summary into a new string (for the terminal) and into summary.txt. */
static lm_status write_summary(const lm_scenario *sc, const lm_sim *sim, uint64_t seed,
                               const char *tmp_dir, const char *out_dir, char **text, lm_error *err)
{
    const int n = lm_scenario_region_count(sc);
    const char **names = calloc(n > 0 ? (size_t)n : 1, sizeof *names);
    if (!names)
        LM_FAIL(err, LM_ENOMEM, "region names");
    for (int r = 0; r < n; ++r)
        names[r] = lm_scenario_region_name(sc, r);
    lm_summary s = {.scenario = lm_scenario_name(sc),
                    .seed = seed,
                    .n_regions = n,
                    .region_names = names,
                    .out_dir = out_dir};
    lm_scenario_period(sc, &s.start, &s.end);
    s.years = lm_sim_region_years(sim, &s.n_years);

    lm__out o;
    lm_status st = lm__out_open(&o, tmp_dir, "summary.txt", err);
    if (st == LM_OK)
        st = lm__out_close(&o, lm__summary_write(o.f, &s, err), text, err);
    free(names);
    return st;
}

static int effective_threads(int threads)
{
#ifdef _OPENMP
    if (threads <= 0)
        return omp_get_max_threads();
#endif
    return threads > 0 ? threads : 1;
}

/* Simulates and writes every file into the job's temporary folder tmp. */
static lm_status run_into(const lm_scenario *sc, lm_sim *sim, const lm_job_config *cfg,
                          uint64_t seed, const char *tmp, lm_job_result *res, double t0,
                          lm_error *err)
{
    char started_at[32];
    lm__utc_now(started_at, sizeof started_at);
    lm_status st = simulate(sc, sim, cfg, t0, err);
    if (st != LM_OK)
        return st;

    char db[4200];
    snprintf(db, sizeof db, "%s/results.sqlite", tmp);
    const lm_run_info info = {.scenario = lm_scenario_name(sc),
                              .scenario_path = lm_scenario_path(sc),
                              .seed = seed,
                              .run = 0,
                              .threads = effective_threads(cfg->threads),
                              .started_at = started_at};
    if ((st = lm_results_write(db, sc, sim, &info, err)) != LM_OK)
        return st;
    if ((st = write_summary(sc, sim, seed, tmp, res->out_dir, &res->summary, err)) != LM_OK)
        return st;
    /* report.html and headline.svg from the database just written (src/report/). */
    return lm_report_write_dir(tmp, err);
}

static lm_status job_run_one(const lm_job_config *cfg, lm_job_result *res, lm_error *err)
{
    const double t0 = lm__now_s();
    memset(res, 0, sizeof *res);
    lm_error_clear(err);

    lm_scenario *sc = NULL;
    lm_sim *sim = NULL;
    lm__xp_dir dir;
    lm_status st = lm__xp_load(cfg, NULL, NULL, &sc, err);
    if (st != LM_OK)
        return st;
    const uint64_t seed = cfg->has_seed ? cfg->seed : lm_scenario_seed(sc);
    const lm_sim_config sim_cfg = {
        .seed = seed, .run = 0, .threads = cfg->threads, .stop_flag = cfg->stop_flag};
    /* Refused before anything is allocated or created (src/experiments/memory.c); the folder
     * is made once the simulation is, so that nothing is left on disk by a bad input. */
    if ((cfg->max_memory == UINT64_MAX ||
         (st = lm_job_check_memory(sc, cfg->max_memory, err)) == LM_OK) &&
        (st = lm_sim_create(sc, &sim_cfg, &sim, err)) == LM_OK &&
        (st = lm__xp_dir_open_once(&dir, cfg, sc, "run", seed, err)) == LM_OK) {
        snprintf(res->out_dir, sizeof res->out_dir, "%s", dir.final);
        st = run_into(sc, sim, cfg, seed, dir.partial, res, t0, err);
        st = lm__xp_dir_close(&dir, st, false, cfg, err);
    }
    if (st == LM_OK) {
        snprintf(res->scenario, sizeof res->scenario, "%s", lm_scenario_name(sc));
        res->seed = seed;
        res->months = lm_sim_months_done(sim);
        res->firms_alive = lm_sim_firms_alive(sim);
        res->firms_ever = lm_sim_firms_ever(sim);
        res->elapsed_s = lm__now_s() - t0;
    }
    lm_sim_destroy(sim);
    lm_scenario_free(sc);
    if (st != LM_OK)
        lm_job_result_fini(res);
    return st;
}

/* One run is one rank's work; under mpirun rank 0 runs it and the others wait
 * for its status and summary (docs/scaling.md). */
lm_status lm_job_run(const lm_job_config *cfg, lm_job_result *res, lm_error *err)
{
    if (lm__par_size() < 2)
        return job_run_one(cfg, res, err);
    lm_status st = LM_OK;
    if (lm__par_rank() == 0) {
        st = job_run_one(cfg, res, err);
    } else {
        memset(res, 0, sizeof *res);
        lm_error_clear(err);
    }
    st = lm__par_agree(st, err);
    if (st == LM_OK) {
        char *summary = res->summary;
        st = lm__par_bcast(res, sizeof *res, err);
        res->summary = lm__par_rank() == 0 ? summary : NULL;
        if (st == LM_OK)
            st = lm__par_bcast_text(&res->summary, err);
    }
    if (st != LM_OK && lm__par_rank() == 0)
        lm_job_result_fini(res);
    return st;
}
