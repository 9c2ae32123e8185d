/* include/longmen/server.h -- `longmen serve`: a local web dashboard and its JSON API
 * (docs/api.md). Lists the runs of a folder, shows any run's report, and starts runs of an
 * edited scenario (policies switched off, values changed) in a pool of worker threads with a
 * bounded queue, reporting their progress. HTTP by libmicrohttpd, bound to 127.0.0.1 unless
 * told otherwise. src/server/. */
#ifndef LONGMEN_SERVER_H
#define LONGMEN_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "longmen/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lm_server lm_server;

typedef struct lm_server_config {
    const char *bind;          /* address to listen on; NULL: "127.0.0.1" */
    int port;                  /* 0: any free port (lm_server_port tells which) */
    const char *runs_dir;      /* results folders to list, and where new runs go; NULL: "runs" */
    const char *scenarios_dir; /* scenarios the page offers; NULL: "scenarios" in the cwd when
                                  it exists, else the source tree's */
    int workers;               /* runs executing at once; 0: 1 */
    int queue;                 /* runs waiting at most; beyond: 503. 0: 8 */
    int threads;               /* OpenMP threads of each run; 0: OpenMP's default */
    size_t body_limit;         /* largest request body in bytes; 0: 65536 */
    int timeout_s;             /* idle connection timeout in seconds; 0: 15 */
    int connections;           /* simultaneous connections at most; 0: 128 */
    int http_threads;          /* threads answering requests; 0: 4 */
    uint64_t max_memory;       /* each run's memory limit (lm_job_config.max_memory); 0: the
                                  default, 80% of physical memory */
    const char *allow_origins; /* comma-separated origins ("https://dash.example.org") whose
                                  pages may use the API and whose host may be the Host header,
                                  besides the bound address and localhost; NULL: none */
} lm_server_config;

/* Fills cfg with the defaults (all zero / NULL). */
LM_API void lm_server_config_init(lm_server_config *cfg);

/* Starts listening and answering in background threads. New on LM_OK (release:
 * lm_server_stop). Fails with LM_EIO when the address cannot be bound, LM_EINVAL for a bad
 * address or runs folder. Creates runs_dir when missing. */
LM_API lm_status lm_server_start(const lm_server_config *cfg, lm_server **out, lm_error *err);

/* The port it listens on (useful after port 0). */
LM_API int lm_server_port(const lm_server *srv);

/* The address it listens on, as given ("127.0.0.1"). Borrowed. */
LM_API const char *lm_server_bind(const lm_server *srv);

/* Stops listening, asks running jobs to stop (their temporary folders are removed), waits for
 * the workers and frees everything. NULL is a no-op. */
LM_API void lm_server_stop(lm_server *srv);

#ifdef __cplusplus
}
#endif
#endif
