/* src/server/server_int.h -- the parts of `longmen serve` (include/longmen/server.h), split
 * so that each can be tested without a socket: scenario edits (edit.c), the runs folder
 * (runs.c), the job queue and its workers (jobs.c), the API's routes and answers (api.c),
 * and the HTTP glue over libmicrohttpd (http.c). Private to the library. */
#ifndef LM_SERVER_SERVER_INT_H
#define LM_SERVER_SERVER_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "longmen/error.h"
#include "longmen/job.h"
#include "longmen/server.h"

/* ---- answers ---- */

typedef struct lm__response {
    int status;
    char *body;               /* new (free()), or NULL with static_body */
    const void *static_body;  /* borrowed, static (embedded assets) */
    size_t len;
    const char *content_type; /* static string */
    int retry_after_s;        /* > 0: a Retry-After header (503) */
    const char *allow;        /* 405: the Allow header */
    bool page;                /* an HTML page: gets the page's Content-Security-Policy */
} lm__response;

void lm__response_fini(lm__response *r);
/* {"error": {"status", "code", "message"}} with status; extra (may be NULL) is merged into
 * the error object and consumed. */
void lm__respond_error(lm__response *r, int status, const char *code, cJSON *extra,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* json is consumed. */
void lm__respond_json(lm__response *r, int status, cJSON *json);

/* ---- scenario edits (edit.c) ---- */

/* Applies the edits of a POST /api/runs body to a scenario's YAML text:
 *   "policies": [{"region": <name or index>, "policy": <index>, "enabled": false}, ...]
 *   "set":      [{"path": "regions[1].policies[0].loss_tolerance", "value": 0.4}, ...]
 * A switched-off policy starts (and ends) after the scenario's period, so it never acts.
 * Only values present in the file can be set. New text in *out (free()). On failure err says
 * which edit is wrong (field = the edit, e.g. "set[0].path") and *out is NULL. The edited text
 * keeps every line where it was, so errors of the loader point at the same line as in the
 * original file. */
lm_status lm__scenario_edit(const char *text, size_t len, const char *file, const cJSON *edits,
                            char **out, size_t *out_len, lm_error *err);

/* The regions of a scenario text with their policies, as the page shows them:
 * [{"index", "name", "name_en", "policies": [{"index", "kind", "name", "start", "end"}]}].
 * New on LM_OK (cJSON_Delete). */
lm_status lm__scenario_outline(const char *text, size_t len, const char *file, cJSON **out,
                               lm_error *err);

/* ---- the runs folder (runs.c) ---- */

/* A run id is the name of a results folder directly inside the runs folder: 1 to 200 bytes
 * of UTF-8, no '/', '\\', NUL or control characters, not starting with '.'. */
bool lm__run_id_valid(const char *id);

typedef struct lm__runs lm__runs;
lm_status lm__runs_open(const char *dir, lm__runs **out, lm_error *err);
void lm__runs_close(lm__runs *runs);
const char *lm__runs_dir(const lm__runs *runs);
/* [{id, scenario, seed, start_month, end_month, months, started_at, regions, firms...}],
 * newest first. New. */
cJSON *lm__runs_list(lm__runs *runs);
/* The report data of run id (cached while the database does not change): new JSON text in
 * *json. LM_EINVAL for a bad id, LM_EIO (not found) when it is no results folder. */
lm_status lm__runs_report(lm__runs *runs, const char *id, char **json, lm_error *err);
/* One part of it (LM_REPORT_PART_* of report_int.h, CORE, SECTIONS or TABLES), cached the
 * same way: the dashboard asks for them one by one. */
lm_status lm__runs_report_part(lm__runs *runs, const char *id, unsigned parts, char **json,
                               lm_error *err);
/* region_year rows of one region (name or index) as objects. New in *out. */
lm_status lm__runs_region_year(lm__runs *runs, const char *id, const char *region, cJSON **out,
                               lm_error *err);
/* Reads file name (report.html, headline.svg) of run id. New in *data. */
lm_status lm__runs_file(lm__runs *runs, const char *id, const char *name, char **data,
                        size_t *len, lm_error *err);

/* ---- jobs (jobs.c) ---- */

#define LM__CF_EDITS_MAX 32 /* "policy" and "adopt" edits of one compare, each */

typedef enum lm__job_state {
    LM_JOB_QUEUED,
    LM_JOB_RUNNING,
    LM_JOB_DONE,
    LM_JOB_FAILED,
    LM_JOB_CANCELLED
} lm__job_state;

typedef struct lm__job {
    int id;
    lm__job_state state;
    char scenario[64];        /* the scenario's name as the page offers it */
    char scenario_path[4096]; /* the file the job runs (an edited copy when edited) */
    char out_dir[4096];
    char run_id[256];         /* the results folder's name inside the runs folder */
    bool edited;
    char *edits;              /* the edits as JSON text (new), NULL when none */
    uint64_t seed;
    bool has_seed;
    int32_t from, to;
    bool has_from, has_to;
    int replications;         /* R: replications (per arm for a compare) */
    /* compare (issue 8): baseline = base_path as it is, counterfactual = scenario_path (the
     * page's in-place edits) with the library's edits cf_set ("REGION.KIND.FIELD=VALUE") and
     * cf_adopt ("X:Y.KIND") applied by lm_scenario_load_edited. */
    bool compare;
    char base_path[4096];
    char *cf_set[LM__CF_EDITS_MAX];
    int n_cf_set;
    char *cf_adopt[LM__CF_EDITS_MAX];
    int n_cf_adopt;
    char *cf_add[LM__CF_EDITS_MAX]; /* "X:Y.KIND[@YYYY-MM]" added beside X's own (--add) */
    int n_cf_add;
    int threads;
    uint64_t max_memory;
    /* progress, written by the worker under the jobs' lock */
    int months_done, months_total;
    int32_t month;
    size_t firms_alive;
    double elapsed_s;
    lm_error error;           /* when failed */
    volatile sig_atomic_t stop;
    double created_at, started_at, finished_at; /* seconds since the epoch */
} lm__job;

/* Runs one job; the default calls lm_job_run. Tests plug in their own. */
typedef lm_status (*lm__job_runner)(lm__job *job, lm_job_progress_fn progress, void *progress_user,
                                    lm_error *err);

typedef struct lm__jobs lm__jobs;
lm_status lm__jobs_start(int workers, int queue, lm__job_runner runner, lm__jobs **out,
                         lm_error *err);
/* Cancels what waits, stops what runs, joins the workers, frees. */
void lm__jobs_stop(lm__jobs *jobs);
/* Takes job (owned by the queue from then on) and gives it an id. LM_ENOMEM when the queue is
 * full (the job is then freed and err says so). */
lm_status lm__jobs_submit(lm__jobs *jobs, lm__job *job, int *id, lm_error *err);
/* A snapshot of job id as JSON, NULL when unknown. New. */
cJSON *lm__jobs_get(lm__jobs *jobs, int id);
/* All jobs, newest first. New. */
cJSON *lm__jobs_list(lm__jobs *jobs);
/* Cancels a queued job or asks a running one to stop. 0 ok, -1 unknown, 1 already finished. */
int lm__jobs_cancel(lm__jobs *jobs, int id);
/* Running and waiting counts, capacities. */
void lm__jobs_load(lm__jobs *jobs, int *running, int *waiting, int *workers, int *capacity);
void lm__job_free(lm__job *job);

/* ---- whom the server answers (origin.c) ---- */

/* The Host header host (NULL: none) names this server, listening on bind:port: the bound
 * address or a localhost form (any IP literal when bind is 0.0.0.0 or ::), with our port or
 * none, or the host[:port] of an origin in allow (comma-separated origins, may be NULL). */
bool lm__host_allowed(const char *host, const char *bind, int port, const char *allow);
/* A state-changing request's Origin (NULL: none, allowed) is http:// and a host that
 * lm__host_allowed accepts, or an origin listed in allow. */
bool lm__origin_allowed(const char *origin, const char *bind, int port, const char *allow);

/* ---- the API (api.c) ---- */

typedef struct lm__api {
    lm__runs *runs;
    lm__jobs *jobs;
    char scenarios_dir[4096];
    int threads;     /* OpenMP threads of each run */
    uint64_t max_memory;
    size_t body_limit;
    pthread_mutex_t mu; /* guards next_file below */
    unsigned next_file;
} lm__api;

typedef struct lm__request {
    const char *method;  /* "GET", "POST", ... */
    const char *path;    /* percent-decoded, without the query */
    const char *content_type;
    /* the query's value for key, NULL when absent */
    const char *(*query)(void *ctx, const char *key);
    void *query_ctx;
    const char *body;
    size_t body_len;
} lm__request;

/* The runner of real jobs: lm_job_run with the job's settings. */
lm__job_runner lm__api_default_runner(void);

/* Answers one request. Never fails: every problem is an answer (4xx/5xx with a JSON error). */
void lm__api_handle(lm__api *api, const lm__request *rq, lm__response *resp);

#endif
