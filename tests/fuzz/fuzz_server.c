/* tests/fuzz/fuzz_server.c -- libFuzzer harness for the request handling of `longmen serve`
 * (src/server/api.c, edit.c): any request the HTTP layer can hand over, with any method,
 * path, content type, query and body, must come back as an answer (2xx, or 4xx/5xx with a
 * JSON error), never as a crash, a leak, an out-of-bounds access or undefined behaviour.
 * A POST /api/runs body goes through JSON parsing, the scenario edits (policies switched
 * off, values set) and the scenario loader; a run it queues is taken by a stub worker that
 * only removes the edited copy, so no simulation runs.
 *
 * Input: four lines, then the body: METHOD, path (as after percent-decoding), content type,
 * query ("region=x&k=v"), body bytes. The harness serves a scratch folder made once at start:
 * scenarios/tiny.yaml (tests/data/tiny.yaml), scenarios/child.yaml (extends tiny.yaml) and
 * runs/tiny-seed42 (a real results folder); the loader is confined to them as under serve.
 * Seed corpus: tests/fuzz/corpus/server/. Run: tests/integration/fuzz.sh. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/store.h"
#include "longmen/job.h"
#include "scenario/confine.h"
#include "server/server_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lm__api api;
static char root[64];
/* Answers by class, printed at exit for tests/integration/fuzz.sh and docs/reliability.md. */
static unsigned long long n_ok, n_client_error, n_server_error;

static void die(const char *what, const lm_error *err)
{
    fprintf(stderr, "fuzz_server: %s: %s\n", what, err ? err->message : "failed");
    exit(1);
}

/* The stub worker: no simulation; an edited copy is removed so the folder does not fill. */
static lm_status stub_runner(lm__job *job, lm_job_progress_fn progress, void *user, lm_error *err)
{
    (void)progress, (void)user, (void)err;
    if (job->edited && job->scenario_path[0])
        unlink(job->scenario_path);
    return LM_OK;
}

static void cleanup(void)
{
    fprintf(stderr, "fuzz_server: %llu requests answered 2xx, %llu 4xx, %llu 5xx\n", n_ok,
            n_client_error, n_server_error);
    lm__jobs_stop(api.jobs);
    lm__runs_close(api.runs);
    pthread_mutex_destroy(&api.mu);
    lm__outdir_abort(root); /* removes the scratch folder and everything in it */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(root, sizeof root, "/tmp/lm-fuzz-server-XXXXXX");
    if (!mkdtemp(root))
        die("mkdtemp", NULL);
    char path[512], runs[256];
    snprintf(api.scenarios_dir, sizeof api.scenarios_dir, "%s/scenarios", root);
    snprintf(runs, sizeof runs, "%s/runs", root);
    if (mkdir(api.scenarios_dir, 0755) != 0 || mkdir(runs, 0755) != 0)
        die("mkdir", NULL);

    /* scenarios/tiny.yaml: a copy of the test scenario. */
    FILE *in = fopen(LM_SOURCE_DIR "/tests/data/tiny.yaml", "rb");
    snprintf(path, sizeof path, "%s/tiny.yaml", api.scenarios_dir);
    FILE *out = fopen(path, "wb");
    if (!in || !out)
        die("copying tiny.yaml", NULL);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    if (fclose(out) != 0)
        die("copying tiny.yaml", NULL);

    /* scenarios/child.yaml extends it: requests may point its extends anywhere. */
    char child[600];
    snprintf(child, sizeof child, "%s/child.yaml", api.scenarios_dir);
    out = fopen(child, "wb");
    if (!out || fputs("name: child\nextends: tiny.yaml\n", out) < 0 || fclose(out) != 0)
        die("writing child.yaml", NULL);

    /* runs/tiny-seed42: one real results folder to list and report on. */
    lm_job_config cfg;
    lm_job_config_init(&cfg);
    cfg.scenario_path = path;
    char res_dir[300];
    snprintf(res_dir, sizeof res_dir, "%s/tiny-seed42", runs);
    cfg.out_dir = res_dir;
    cfg.quiet = true;
    cfg.threads = 1;
    lm_job_result res;
    lm_error err;
    if (lm_job_run(&cfg, &res, &err) != LM_OK)
        die("the seed run", &err);
    lm_job_result_fini(&res);

    if (lm__runs_open(runs, &api.runs, &err) != LM_OK)
        die("lm__runs_open", &err);
    if (lm__jobs_start(1, 4, stub_runner, &api.jobs, &err) != LM_OK)
        die("lm__jobs_start", &err);
    /* As lm_server_start does: the loader opens nothing outside these two folders. */
    char copies[300];
    snprintf(copies, sizeof copies, "%s/.longmen-serve", runs);
    if (lm__scenario_confine(api.scenarios_dir, runs, copies, &err) != LM_OK)
        die("lm__scenario_confine", &err);
    pthread_mutex_init(&api.mu, NULL);
    api.threads = 1;
    api.body_limit = 65536;
    atexit(cleanup);
    return 0;
}

/* Query lookup over "k=v&k2=v2" (no decoding: the HTTP layer decodes before us). */
static const char *query(void *ctx, const char *key)
{
    static char value[256];
    const char *q = ctx;
    const size_t klen = strlen(key);
    while (q && *q) {
        const char *amp = strchr(q, '&');
        const size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > klen && strncmp(q, key, klen) == 0 && q[klen] == '=') {
            snprintf(value, sizeof value, "%.*s", (int)(len - klen - 1), q + klen + 1);
            return value;
        }
        q = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* Splits off the next line of [*p, end) into a new NUL-terminated string. */
static char *next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const size_t len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *s = malloc(len + 1);
    if (!s)
        abort();
    memcpy(s, *p, len);
    s[len] = '\0';
    *p = nl ? nl + 1 : end;
    return s;
}

static bool utf8_valid(const unsigned char *u, size_t n)
{
    for (size_t i = 0; i < n;) {
        const size_t k = u[i] < 0x80           ? 1
                         : (u[i] >> 5) == 6   ? 2
                         : (u[i] >> 4) == 14  ? 3
                         : (u[i] >> 3) == 30  ? 4
                                              : 0;
        if (k == 0 || i + k > n || (k == 2 && u[i] < 0xC2))
            return false;
        for (size_t j = 1; j < k; ++j)
            if ((u[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char *method = next_line(&p, end);
    char *path = next_line(&p, end);
    char *type = next_line(&p, end);
    char *q = next_line(&p, end);
    const size_t body_len = (size_t)(end - p);
    char *body = malloc(body_len + 1); /* a copy, so ASan sees reads past its end */
    if (!body)
        abort();
    memcpy(body, p, body_len);
    body[body_len] = '\0';

    /* The HTTP layer never hands over a NUL inside these, nor a body over the limit. */
    if (body_len <= api.body_limit) {
        const lm__request rq = {.method = method,
                                .path = path,
                                .content_type = type[0] ? type : NULL,
                                .query = query,
                                .query_ctx = q,
                                .body = body_len ? body : NULL,
                                .body_len = body_len};
        lm__response resp;
        memset(&resp, 0, sizeof resp);
        lm__api_handle(&api, &rq, &resp);
        if (resp.status < 100 || resp.status > 599)
            __builtin_trap(); /* every request gets a real answer */
        if (resp.status < 400)
            ++n_ok;
        else if (resp.status < 500)
            ++n_client_error;
        else
            ++n_server_error;
        if (!resp.body && !resp.static_body && resp.len > 0)
            __builtin_trap();
        if (resp.body && resp.content_type && strstr(resp.content_type, "json") &&
            !utf8_valid((const unsigned char *)resp.body, resp.len))
            __builtin_trap(); /* a JSON answer is UTF-8, whatever bytes the request held */
        lm__response_fini(&resp);
    }
    free(body);
    free(q);
    free(type);
    free(path);
    free(method);
    return 0;
}
