/* src/server/jobs.c -- runs started from the dashboard (server_int.h): a fixed pool of worker
 * threads takes jobs from a bounded queue, runs each through the library's job runner (the
 * same lm_job_run as `longmen run`; lm_experiment_replicate / the compare engine for several
 * replications or a compare, api.c), and records its progress, its result folder or its
 * error, so the page can show them. A full queue refuses at once (the API answers 503) rather
 * than letting work pile up; finished jobs are remembered up to a bound, oldest forgotten
 * first. One mutex guards everything here; the simulation itself runs outside it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "longmen/longmen.h"
#include "server/server_int.h"

#define JOBS_KEPT 200 /* finished jobs remembered */

struct lm__jobs {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    lm__job **queue; /* ring of waiting jobs */
    int q_head, q_len, q_cap;
    lm__job **all;   /* every job remembered, oldest first */
    size_t n_all, cap_all;
    pthread_t *workers;
    int n_workers, running;
    bool stopping;
    int next_id;
    lm__job_runner runner;
};

static double now_epoch(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

void lm__job_free(lm__job *job)
{
    if (!job)
        return;
    free(job->edits);
    for (int i = 0; i < job->n_cf_set; ++i)
        free(job->cf_set[i]);
    for (int i = 0; i < job->n_cf_adopt; ++i)
        free(job->cf_adopt[i]);
    for (int i = 0; i < job->n_cf_add; ++i)
        free(job->cf_add[i]);
    free(job);
}

typedef struct progress_ctx {
    lm__jobs *jobs;
    lm__job *job;
} progress_ctx;

static void on_progress(const lm_progress *p, void *user)
{
    progress_ctx *c = user;
    pthread_mutex_lock(&c->jobs->mu);
    c->job->months_done = p->months_done;
    c->job->months_total = p->months_total;
    c->job->month = p->month;
    c->job->firms_alive = p->firms_alive;
    c->job->elapsed_s = p->elapsed_s;
    pthread_mutex_unlock(&c->jobs->mu);
}

static void *worker(void *arg)
{
    lm__jobs *jobs = arg;
    pthread_mutex_lock(&jobs->mu);
    for (;;) {
        while (!jobs->stopping && jobs->q_len == 0)
            pthread_cond_wait(&jobs->wake, &jobs->mu);
        if (jobs->stopping)
            break;
        lm__job *job = jobs->queue[jobs->q_head];
        jobs->q_head = (jobs->q_head + 1) % jobs->q_cap;
        --jobs->q_len;
        job->state = LM_JOB_RUNNING;
        job->started_at = now_epoch();
        ++jobs->running;
        pthread_mutex_unlock(&jobs->mu);

        progress_ctx ctx = {jobs, job};
        lm_error err;
        lm_error_clear(&err);
        const lm_status st = jobs->runner(job, on_progress, &ctx, &err);

        pthread_mutex_lock(&jobs->mu);
        --jobs->running;
        job->finished_at = now_epoch();
        if (st == LM_OK) {
            job->state = LM_JOB_DONE;
        } else {
            job->state = st == LM_EINTR ? LM_JOB_CANCELLED : LM_JOB_FAILED;
            job->error = err;
        }
    }
    pthread_mutex_unlock(&jobs->mu);
    return NULL;
}

lm_status lm__jobs_start(int workers, int queue, lm__job_runner runner, lm__jobs **out,
                         lm_error *err)
{
    *out = NULL;
    if (workers <= 0 || workers > 64 || queue <= 0 || queue > 10000 || !runner)
        LM_FAIL(err, LM_EINVAL, "jobs: workers must be 1 to 64 and the queue 1 to 10000");
    lm__jobs *j = calloc(1, sizeof *j);
    if (!j)
        LM_FAIL(err, LM_ENOMEM, "jobs");
    j->q_cap = queue;
    j->queue = calloc((size_t)j->q_cap, sizeof *j->queue);
    j->workers = calloc((size_t)workers, sizeof *j->workers);
    if (!j->queue || !j->workers) {
        free(j->queue);
        free(j->workers);
        free(j);
        LM_FAIL(err, LM_ENOMEM, "jobs");
    }
    j->runner = runner;
    j->next_id = 1;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->wake, NULL);
    for (int i = 0; i < workers; ++i) {
        if (pthread_create(&j->workers[i], NULL, worker, j) != 0) {
            j->n_workers = i;
            lm__jobs_stop(j);
            LM_FAIL(err, LM_ENOMEM, "jobs: cannot start worker threads");
        }
    }
    j->n_workers = workers;
    *out = j;
    return LM_OK;
}

void lm__jobs_stop(lm__jobs *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    j->stopping = true;
    for (size_t i = 0; i < j->n_all; ++i)
        j->all[i]->stop = 1;
    pthread_cond_broadcast(&j->wake);
    pthread_mutex_unlock(&j->mu);
    for (int i = 0; i < j->n_workers; ++i)
        pthread_join(j->workers[i], NULL);
    for (size_t i = 0; i < j->n_all; ++i)
        lm__job_free(j->all[i]);
    free(j->all);
    free(j->queue);
    free(j->workers);
    pthread_cond_destroy(&j->wake);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

static bool finished(const lm__job *job)
{
    return job->state == LM_JOB_DONE || job->state == LM_JOB_FAILED ||
           job->state == LM_JOB_CANCELLED;
}

/* Makes room in the remembered list: forgets the oldest finished job. */
static bool remember(lm__jobs *j, lm__job *job)
{
    if (j->n_all >= JOBS_KEPT) {
        for (size_t i = 0; i < j->n_all; ++i)
            if (finished(j->all[i])) {
                lm__job_free(j->all[i]);
                memmove(&j->all[i], &j->all[i + 1], (j->n_all - i - 1) * sizeof *j->all);
                --j->n_all;
                break;
            }
    }
    if (j->n_all == j->cap_all) {
        const size_t cap = j->cap_all ? 2 * j->cap_all : 32;
        lm__job **grown = realloc(j->all, cap * sizeof *grown);
        if (!grown)
            return false;
        j->all = grown;
        j->cap_all = cap;
    }
    j->all[j->n_all++] = job;
    return true;
}

lm_status lm__jobs_submit(lm__jobs *j, lm__job *job, int *id, lm_error *err)
{
    pthread_mutex_lock(&j->mu);
    if (j->stopping || j->q_len >= j->q_cap) {
        const int running = j->running, waiting = j->q_len;
        pthread_mutex_unlock(&j->mu);
        lm__job_free(job);
        LM_FAIL(err, LM_ENOMEM,
                "the run queue is full (%d running, %d waiting); try again when a run has "
                "finished",
                running, waiting);
    }
    if (!remember(j, job)) {
        pthread_mutex_unlock(&j->mu);
        lm__job_free(job);
        LM_FAIL(err, LM_ENOMEM, "jobs: out of memory");
    }
    job->id = j->next_id++;
    job->state = LM_JOB_QUEUED;
    job->created_at = now_epoch();
    j->queue[(j->q_head + j->q_len) % j->q_cap] = job;
    ++j->q_len;
    *id = job->id;
    pthread_cond_signal(&j->wake);
    pthread_mutex_unlock(&j->mu);
    return LM_OK;
}

static const char *state_name(lm__job_state s)
{
    switch (s) {
    case LM_JOB_QUEUED: return "queued";
    case LM_JOB_RUNNING: return "running";
    case LM_JOB_DONE: return "done";
    case LM_JOB_FAILED: return "failed";
    case LM_JOB_CANCELLED: return "cancelled";
    }
    return "unknown";
}

/* The job as JSON; called with the lock held. */
static cJSON *job_json(const lm__jobs *j, const lm__job *job)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "id", job->id);
    cJSON_AddStringToObject(o, "state", state_name(job->state));
    cJSON_AddStringToObject(o, "scenario", job->scenario);
    cJSON_AddBoolToObject(o, "edited", job->edited);
    cJSON *edits = job->edits ? cJSON_Parse(job->edits) : NULL;
    if (edits)
        cJSON_AddItemToObject(o, "edits", edits);
    if (job->has_seed)
        cJSON_AddNumberToObject(o, "seed", (double)job->seed);
    cJSON_AddNumberToObject(o, "replications", job->replications);
    cJSON_AddBoolToObject(o, "compare", job->compare);
    if (job->state == LM_JOB_QUEUED) {
        int pos = 0;
        for (int k = 0; k < j->q_len; ++k)
            if (j->queue[(j->q_head + k) % j->q_cap] == job)
                pos = k + 1;
        cJSON_AddNumberToObject(o, "queue_position", pos);
    }
    cJSON *p = cJSON_AddObjectToObject(o, "progress");
    if (p) {
        cJSON_AddNumberToObject(p, "months_done", job->months_done);
        cJSON_AddNumberToObject(p, "months_total", job->months_total);
        char month[16] = "";
        if (job->months_total > 0)
            lm_month_format(job->month, month);
        cJSON_AddStringToObject(p, "month", month);
        cJSON_AddNumberToObject(p, "firms_alive", (double)job->firms_alive);
        cJSON_AddNumberToObject(p, "elapsed_s", job->elapsed_s);
        cJSON_AddNumberToObject(p, "fraction", job->months_total > 0
                                                   ? (double)job->months_done / job->months_total
                                                   : 0.0);
    }
    if (job->state == LM_JOB_DONE)
        cJSON_AddStringToObject(o, "run_id", job->run_id);
    else
        cJSON_AddNullToObject(o, "run_id");
    if (job->state == LM_JOB_FAILED || job->state == LM_JOB_CANCELLED) {
        char line[1200];
        cJSON *e = cJSON_AddObjectToObject(o, "error");
        if (e) {
            cJSON_AddStringToObject(e, "message", lm_error_format(&job->error, line, sizeof line));
            if (job->error.line > 0) {
                cJSON_AddStringToObject(e, "file", job->error.file);
                cJSON_AddNumberToObject(e, "line", job->error.line);
                cJSON_AddNumberToObject(e, "column", job->error.column);
            }
            if (job->error.field[0])
                cJSON_AddStringToObject(e, "field", job->error.field);
        }
    }
    cJSON_AddNumberToObject(o, "created_at", job->created_at);
    if (job->started_at > 0)
        cJSON_AddNumberToObject(o, "started_at", job->started_at);
    if (job->finished_at > 0)
        cJSON_AddNumberToObject(o, "finished_at", job->finished_at);
    return o;
}

cJSON *lm__jobs_get(lm__jobs *j, int id)
{
    cJSON *o = NULL;
    pthread_mutex_lock(&j->mu);
    for (size_t i = 0; i < j->n_all; ++i)
        if (j->all[i]->id == id) {
            o = job_json(j, j->all[i]);
            break;
        }
    pthread_mutex_unlock(&j->mu);
    return o;
}

cJSON *lm__jobs_list(lm__jobs *j)
{
    cJSON *arr = cJSON_CreateArray();
    pthread_mutex_lock(&j->mu);
    for (size_t i = j->n_all; arr && i-- > 0;) {
        cJSON *o = job_json(j, j->all[i]);
        if (!o || !cJSON_AddItemToArray(arr, o))
            cJSON_Delete(o);
    }
    pthread_mutex_unlock(&j->mu);
    return arr;
}

int lm__jobs_cancel(lm__jobs *j, int id)
{
    int rc = -1;
    pthread_mutex_lock(&j->mu);
    for (size_t i = 0; i < j->n_all; ++i) {
        lm__job *job = j->all[i];
        if (job->id != id)
            continue;
        if (finished(job)) {
            rc = 1;
        } else if (job->state == LM_JOB_QUEUED) {
            /* Out of the ring, keeping the order of the others. */
            int k = 0;
            while (k < j->q_len && j->queue[(j->q_head + k) % j->q_cap] != job)
                ++k;
            for (; k + 1 < j->q_len; ++k)
                j->queue[(j->q_head + k) % j->q_cap] = j->queue[(j->q_head + k + 1) % j->q_cap];
            --j->q_len;
            job->state = LM_JOB_CANCELLED;
            job->finished_at = now_epoch();
            lm_error_set(&job->error, LM_EINTR, __FILE__, __LINE__, "cancelled before it started");
            rc = 0;
        } else {
            job->stop = 1; /* the runner stops after the current month */
            rc = 0;
        }
        break;
    }
    pthread_mutex_unlock(&j->mu);
    return rc;
}

void lm__jobs_load(lm__jobs *j, int *running, int *waiting, int *workers, int *capacity)
{
    pthread_mutex_lock(&j->mu);
    *running = j->running;
    *waiting = j->q_len;
    *workers = j->n_workers;
    *capacity = j->q_cap;
    pthread_mutex_unlock(&j->mu);
}
