/* include/longmen/job.h -- one complete run, as `longmen run` does it: load a scenario,
 * narrow its period, simulate it month by month, write the results folder crash-safely.
 * The orchestration lives in the library, not the CLI, so the server and the experiment
 * drivers of later issues run exactly the same job. src/experiments/job.c.
 *
 * The results folder holds results.sqlite (docs/output.md), summary.txt (the table
 * lm_job_result.summary holds), report.html and headline.svg (docs/report.md). It appears complete or not at all: it is written into a
 * temporary sibling and renamed into place at the end (src/io/outdir.c). */
#ifndef LONGMEN_JOB_H
#define LONGMEN_JOB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "longmen/error.h"
#include "longmen/longmen.h"
#include "longmen/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called once before the first month and after every month. Must be quick: it runs on the
 * simulation's thread between months. */
typedef void (*lm_job_progress_fn)(const lm_progress *p, void *user);

typedef struct lm_job_config {
    const char *scenario_path; /* NULL: lm_default_scenario_path() */
    uint64_t seed;             /* used when has_seed; else the scenario's seed */
    bool has_seed;
    int threads;         /* OpenMP threads; 0 = OpenMP's default. Results don't vary. */
    const char *out_dir; /* NULL: runs/<scenario name>-seed<N> (relative to the cwd) */
    int32_t from, to;    /* months (year*12 + month-1), used when has_from / has_to */
    bool has_from, has_to;
    bool force;                  /* replace an existing out_dir */
    bool quiet;                  /* no progress callbacks */
    lm_job_progress_fn progress; /* may be NULL */
    void *progress_user;
    /* Polled between months; when it holds a non-zero value the run stops after the current
     * month, removes its temporary folder and fails with LM_EINTR. Set it from a signal
     * handler. May be NULL. */
    volatile sig_atomic_t *stop_flag;
    /* Refuse the run up front (LM_ENOMEM, with the estimate) when lm_job_estimate_memory()
     * exceeds this many bytes. 0: lm_job_default_max_memory(); UINT64_MAX: no limit. */
    uint64_t max_memory;
} lm_job_config;

typedef struct lm_job_result {
    char out_dir[4096];             /* the results folder, as given or defaulted */
    char scenario[64];              /* the scenario's name */
    uint64_t seed;                  /* the seed used */
    int months;                     /* months simulated */
    size_t firms_alive, firms_ever; /* at the end */
    double elapsed_s;               /* wall time of the whole job */
    char *summary;                  /* new: the summary table, exactly as in summary.txt */
} lm_job_result;

/* Fills cfg with the defaults (everything off or NULL, threads 0). */
LM_API void lm_job_config_init(lm_job_config *cfg);

/* Runs the job. On LM_OK res is filled (release: lm_job_result_fini) and the results
 * folder exists. On failure res is zeroed, err says why, and no results folder and no
 * temporary folder is left behind: a scenario that does not load creates nothing at all.
 * Errors: whatever loading, narrowing (LM_EINVAL), simulating or writing reports; LM_EEXIST
 * when out_dir exists and !force; LM_EINTR when *stop_flag was raised. */
LM_API lm_status lm_job_run(const lm_job_config *cfg, lm_job_result *res, lm_error *err);

/* Frees what res owns and zeroes it. NULL is a no-op. */
LM_API void lm_job_result_fini(lm_job_result *res);

/* ---- resource limits (src/experiments/memory.c; docs/reliability.md) ---- */

/* The parts of a run's estimated peak memory, in bytes. */
typedef struct lm_memory_estimate {
    double founders_month; /* expected founders a month at the start, every origin */
    int32_t months;        /* months to simulate */
    double firms;          /* firms the estimate provides for: founders x months x 2 */
    double bytes_per_firm; /* firm arrays, archive, finance state, deals, the deal pool */
    uint64_t firm_state;   /* live firm arrays and the archive of ended firms */
    uint64_t region_state; /* region tables, observations, the month's scratch arena */
    uint64_t database;     /* SQLite's page cache while the results are written */
    uint64_t baseline;     /* the program, its libraries, thread stacks */
    uint64_t total;        /* the sum */
} lm_memory_estimate;

/* Estimated peak memory (bytes) of simulating sc over its (possibly narrowed) period and
 * writing its results; detail may be NULL. Deliberately on the high side: every founder is
 * assumed to found inside the scenario, founder rates to double over the run, and every
 * growing array to have just doubled. */
LM_API uint64_t lm_job_estimate_memory(const lm_scenario *sc, lm_memory_estimate *detail);

/* LM_OK when the estimate fits in max_memory bytes (0: the default below); else LM_ENOMEM
 * and err gives the estimate and the limit in one sentence. lm_job_run calls it before it
 * creates anything. */
LM_API lm_status lm_job_check_memory(const lm_scenario *sc, uint64_t max_memory, lm_error *err);

/* The default --max-memory: 80% of physical memory (or of the cgroup's memory limit when
 * that is lower). */
LM_API uint64_t lm_job_default_max_memory(void);

/* Parses a size: a number with an optional unit K, M, G, T (powers of 1024; "KB", "KiB",
 * "k" work too), e.g. "500M", "8G", "1.5G", "1048576". Returns false when malformed, zero,
 * or beyond 2^64. */
LM_API bool lm_parse_size(const char *text, uint64_t *out);
/* Writes "1.5 GB"-style text (powers of 1024) into buf. Returns buf. */
LM_API char *lm_format_size(uint64_t bytes, char *buf, size_t size);

/* The default scenario: "scenarios/three-capitals.yaml" when it exists under the current
 * directory, else the copy in the source tree longmen was built from. Borrowed, static. */
LM_API const char *lm_default_scenario_path(void);

#ifdef __cplusplus
}
#endif
#endif
