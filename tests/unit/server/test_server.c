/* tests/unit/server/test_server.c -- the server's parts without a socket (src/server/): run
 * ids, scenario edits on YAML text (replacements in place, lines kept, UTF-8 columns, quoted
 * scalars, every refusal), the job queue with a runner the test controls (bounded queue,
 * cancel, failure), and the API's answers to requests in memory: routes, traversal, methods,
 * bodies, edits the loader refuses (with the loader's file:line:col), a full queue; compare
 * requests and the real runner's compare and replications (issue 8). */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "io/store.h"
#include "scenario/confine.h"
#include "server/server_int.h"

/* ---- run ids ---- */

Test(server, run_ids)
{
    cr_assert(lm__run_id_valid("three-capitals-seed20150101"));
    cr_assert(lm__run_id_valid("杭州-seed7"));
    cr_assert(lm__run_id_valid("a b"));
    cr_assert_not(lm__run_id_valid(""));
    cr_assert_not(lm__run_id_valid(NULL));
    cr_assert_not(lm__run_id_valid("."));
    cr_assert_not(lm__run_id_valid(".."));
    cr_assert_not(lm__run_id_valid(".hidden"));
    cr_assert_not(lm__run_id_valid("a/b"));
    cr_assert_not(lm__run_id_valid("..\\x"));
    cr_assert_not(lm__run_id_valid("a\x01"));
    cr_assert_not(lm__run_id_valid("a\x7f"));
    char long_id[260];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    cr_assert_not(lm__run_id_valid(long_id));
}

/* ---- scenario edits ---- */

static const char yaml[] =
    "name: t\n"
    "period: {start: 2015-01, end: 2016-12}\n"
    "regions:\n"
    "  - name: 杭州\n"
    "    amenity: 0.8   # comment kept\n"
    "    province: \"浙江省\"\n"
    "    policies:\n"
    "      - kind: st_fund\n"
    "        start: 2015-01\n"
    "        loss_tolerance: 0.3\n"
    "      - {kind: lab, name: 实验室, start: 2016-01, end: 2016-07}\n"
    "  - {name: 合肥, amenity: 0.5}\n";

static char *edit(const char *json, lm_status want, lm_error *err)
{
    cJSON *edits = cJSON_Parse(json);
    cr_assert_not_null(edits, "test JSON: %s", json);
    char *out = NULL;
    size_t len = 0;
    const lm_status st = lm__scenario_edit(yaml, strlen(yaml), "t.yaml", edits, &out, &len, err);
    cJSON_Delete(edits);
    cr_assert_eq(st, want, "%s: status %d (%s)", json, st, err->message);
    if (st == LM_OK)
        cr_assert_eq(strlen(out), len);
    else
        cr_assert_null(out);
    return out;
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; ++s)
        n += *s == '\n';
    return n;
}

Test(server, switching_policies_off_moves_them_after_the_period)
{
    lm_error err;
    char *out = edit("{\"policies\": [{\"region\": \"杭州\", \"policy\": 0, \"enabled\": false},"
                     "{\"region\": 0, \"policy\": 1, \"enabled\": false}]}",
                     LM_OK, &err);
    cr_assert_eq(lines(out), lines(yaml), "lines are kept");
    cr_assert_not_null(strstr(out, "      - kind: st_fund\n        start: 2017-01\n"), "%s", out);
    cr_assert_not_null(strstr(out, "{kind: lab, name: 实验室, start: 2017-01, end: 2017-02}"),
                       "%s", out);
    cr_assert_not_null(strstr(out, "amenity: 0.8   # comment kept"));
    free(out);
    /* enabled: true changes nothing. */
    out = edit("{\"policies\": [{\"region\": \"Hangzhou\", \"policy\": 0, \"enabled\": true}]}",
               LM_EINVAL, &err); /* no name_en in this file: unknown region */
    cr_assert_str_eq(err.field, "policies[0].region");
    out = edit("{\"policies\": [{\"region\": 0, \"policy\": 0, \"enabled\": true}]}", LM_OK, &err);
    cr_assert_str_eq(out, yaml);
    free(out);
}

Test(server, setting_values_in_place)
{
    lm_error err;
    /* In a flow mapping after a Chinese name: columns count characters, not bytes. */
    char *out = edit("{\"set\": [{\"path\": \"regions[1].amenity\", \"value\": 0.25},"
                     "{\"path\": \"regions[0].province\", \"value\": \"江苏\\\"省\"},"
                     "{\"path\": \"regions[0].policies[0].loss_tolerance\", \"value\": 2.385}]}",
                     LM_OK, &err);
    cr_assert_not_null(strstr(out, "  - {name: 合肥, amenity: 0.25}\n"), "%s", out);
    cr_assert_not_null(strstr(out, "    province: \"江苏\\\"省\"\n"), "%s", out);
    cr_assert_not_null(strstr(out, "loss_tolerance: 2.385\n"), "%s", out);
    cr_assert_eq(lines(out), lines(yaml));
    free(out);
    out = edit("{\"set\": [{\"path\": \"regions[0].amenity\", \"value\": 3}]}", LM_OK, &err);
    cr_assert_not_null(strstr(out, "amenity: 3   # comment kept"), "%s", out);
    free(out);
}

Test(server, edits_that_are_refused)
{
    lm_error err;
    edit("{\"set\": [{\"path\": \"regions[0].talent\", \"value\": 1}]}", LM_EINVAL, &err);
    cr_assert_str_eq(err.field, "regions[0].talent");
    cr_assert_not_null(strstr(err.message, "not in the scenario file"));
    edit("{\"set\": [{\"path\": \"regions[0].policies\", \"value\": 1}]}", LM_EINVAL, &err);
    cr_assert_not_null(strstr(err.message, "a list or a mapping"));
    edit("{\"set\": [{\"path\": \"regions[9].amenity\", \"value\": 1}]}", LM_EINVAL, &err);
    edit("{\"set\": [{\"path\": \"regions[0.amenity\", \"value\": 1}]}", LM_EINVAL, &err);
    edit("{\"set\": [{\"path\": \"regions[0].amenity\", \"value\": [1]}]}", LM_EINVAL, &err);
    cr_assert_str_eq(err.field, "set[0]");
    edit("{\"set\": [{\"path\": \"regions[0].amenity\", \"value\": 1},"
         "{\"path\": \"regions[0].amenity\", \"value\": 2}]}",
         LM_EINVAL, &err);
    cr_assert_not_null(strstr(err.message, "twice"));
    edit("{\"set\": {\"path\": \"name\"}}", LM_EINVAL, &err);
    edit("{\"policies\": [{\"region\": 0, \"policy\": 5, \"enabled\": false}]}", LM_EINVAL, &err);
    cr_assert_str_eq(err.field, "policies[0].policy");
    edit("{\"policies\": [{\"region\": 1, \"policy\": 0, \"enabled\": false}]}", LM_EINVAL, &err);
    edit("{\"policies\": [{\"region\": 0, \"policy\": 0}]}", LM_EINVAL, &err);
    edit("{\"policies\": [{\"region\": 0, \"policy\": 0.5, \"enabled\": false}]}", LM_EINVAL,
         &err);
}

/* ---- the job queue, with a runner the test holds back ---- */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static int gate_open;

static lm_status held_runner(lm__job *job, lm_job_progress_fn progress, void *user,
                             lm_error *err)
{
    const lm_progress p = {.months_done = 1, .months_total = 4, .month = 2015 * 12,
                           .firms_alive = 42, .elapsed_s = 0.5};
    progress(&p, user);
    pthread_mutex_lock(&gate_mu);
    while (!gate_open && !job->stop) {
        pthread_mutex_unlock(&gate_mu);
        usleep(2000);
        pthread_mutex_lock(&gate_mu);
    }
    pthread_mutex_unlock(&gate_mu);
    if (job->stop)
        return lm_error_set(err, LM_EINTR, __FILE__, __LINE__, "interrupted");
    if (strcmp(job->scenario, "bad") == 0)
        return lm_error_set_at(err, LM_EINVAL, "bad.yaml", 3, 7, "regions[0].amenity",
                               "expected a number in [0, 1], got 1.4");
    return LM_OK;
}

static lm__job *new_job(const char *scenario)
{
    lm__job *j = calloc(1, sizeof *j);
    snprintf(j->scenario, sizeof j->scenario, "%s", scenario);
    snprintf(j->run_id, sizeof j->run_id, "%s-run", scenario);
    j->replications = 1;
    return j;
}

static const char *state_of(lm__jobs *jobs, int id)
{
    static char buf[32];
    cJSON *o = lm__jobs_get(jobs, id);
    cr_assert_not_null(o, "job %d unknown", id);
    snprintf(buf, sizeof buf, "%s", cJSON_GetObjectItemCaseSensitive(o, "state")->valuestring);
    cJSON_Delete(o);
    return buf;
}

/* Waits are bounded by the wall clock, not by a count of polls: a loaded machine (the
 * sanitizer build beside other work) stretches every poll, and a state that is due comes
 * however long the machine takes; the bound only ends a test whose state never comes. */
#define WAIT_LIMIT_S 300.0

static double wall_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void wait_state(lm__jobs *jobs, int id, const char *want)
{
    const double t0 = wall_s();
    while (strcmp(state_of(jobs, id), want) != 0 && wall_s() - t0 < WAIT_LIMIT_S)
        usleep(1000);
    cr_assert_str_eq(state_of(jobs, id), want, "job %d", id);
}

/* The running job's first progress report: the runner reports just after the job turns
 * "running", so a slow machine (the sanitizer build) can see the state before the report. */
static void wait_progress(lm__jobs *jobs, int id)
{
    for (const double t0 = wall_s(); wall_s() - t0 < WAIT_LIMIT_S;) {
        cJSON *o = lm__jobs_get(jobs, id);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "progress");
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(p, "firms_alive");
        const bool reported = cJSON_IsNumber(f) && f->valuedouble > 0;
        cJSON_Delete(o);
        if (reported)
            return;
        usleep(1000);
    }
    cr_assert_fail("job %d made no progress report in %.0f s", id, WAIT_LIMIT_S);
}

static void set_gate(int open)
{
    pthread_mutex_lock(&gate_mu);
    gate_open = open;
    pthread_mutex_unlock(&gate_mu);
}

Test(server, a_bounded_queue_refuses_when_full)
{
    set_gate(0);
    lm__jobs *jobs = NULL;
    lm_error err;
    cr_assert_eq(lm__jobs_start(1, 2, held_runner, &jobs, &err), LM_OK);
    int id1, id2, id3, id4;
    cr_assert_eq(lm__jobs_submit(jobs, new_job("a"), &id1, &err), LM_OK);
    wait_state(jobs, id1, "running");
    cr_assert_eq(lm__jobs_submit(jobs, new_job("b"), &id2, &err), LM_OK);
    cr_assert_eq(lm__jobs_submit(jobs, new_job("bad"), &id3, &err), LM_OK);
    cr_assert_eq(lm__jobs_submit(jobs, new_job("d"), &id4, &err), LM_ENOMEM);
    cr_assert_not_null(strstr(err.message, "queue is full (1 running, 2 waiting)"), "%s",
                       err.message);
    /* Progress of the running job, position of the waiting ones. */
    wait_progress(jobs, id1);
    cJSON *o = lm__jobs_get(jobs, id1);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "progress");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(p, "firms_alive")->valuedouble, 42);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(p, "month")->valuestring, "2015-01");
    cJSON_Delete(o);
    o = lm__jobs_get(jobs, id3);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(o, "queue_position")->valuedouble, 2);
    cJSON_Delete(o);
    /* Cancel the waiting b: then there is room again. */
    cr_assert_eq(lm__jobs_cancel(jobs, id2), 0);
    cr_assert_str_eq(state_of(jobs, id2), "cancelled");
    cr_assert_eq(lm__jobs_cancel(jobs, id2), 1, "already finished");
    cr_assert_eq(lm__jobs_cancel(jobs, 999), -1);
    cr_assert_eq(lm__jobs_submit(jobs, new_job("e"), &id4, &err), LM_OK);
    set_gate(1);
    wait_state(jobs, id1, "done");
    wait_state(jobs, id3, "failed");
    wait_state(jobs, id4, "done");
    o = lm__jobs_get(jobs, id3);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring,
                     "bad.yaml:3:7: regions[0].amenity: expected a number in [0, 1], got 1.4");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(e, "line")->valuedouble, 3);
    cJSON_Delete(o);
    o = lm__jobs_get(jobs, id1);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "run_id")->valuestring, "a-run");
    cJSON_Delete(o);
    cJSON *all = lm__jobs_list(jobs);
    cr_assert_eq(cJSON_GetArraySize(all), 4);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(all, 0), "id")->valuedouble,
                 id4, "newest first");
    cJSON_Delete(all);
    lm__jobs_stop(jobs);
}

Test(server, stopping_stops_a_running_job)
{
    set_gate(0);
    lm__jobs *jobs = NULL;
    lm_error err;
    cr_assert_eq(lm__jobs_start(1, 1, held_runner, &jobs, &err), LM_OK);
    int id;
    cr_assert_eq(lm__jobs_submit(jobs, new_job("a"), &id, &err), LM_OK);
    wait_state(jobs, id, "running");
    cr_assert_eq(lm__jobs_cancel(jobs, id), 0);
    wait_state(jobs, id, "cancelled");
    lm__jobs_stop(jobs); /* joins with nothing left running */
    cr_assert_eq(lm__jobs_start(0, 1, held_runner, &jobs, &err), LM_EINVAL);
    cr_assert_eq(lm__jobs_start(1, 0, held_runner, &jobs, &err), LM_EINVAL);
}

/* ---- the API, requests in memory ---- */

static char tmp_root[64];
static lm__api api;

static void api_setup(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/lm_server_XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp: %s", strerror(errno));
    memset(&api, 0, sizeof api);
    lm_error err;
    char runs[128];
    snprintf(runs, sizeof runs, "%s/runs", tmp_root);
    cr_assert_eq(lm__runs_open(runs, &api.runs, &err), LM_OK, "%s", err.message);
    cr_assert_eq(lm__jobs_start(1, 1, held_runner, &api.jobs, &err), LM_OK);
    snprintf(api.scenarios_dir, sizeof api.scenarios_dir, "%s", LM_TEST_DATA);
    api.body_limit = 65536;
    pthread_mutex_init(&api.mu, NULL);
    set_gate(0);
}

static void api_teardown(void)
{
    set_gate(1);
    lm__jobs_stop(api.jobs);
    lm__runs_close(api.runs);
    pthread_mutex_destroy(&api.mu);
    lm__outdir_abort(tmp_root);
}

static const char *no_query(void *ctx, const char *key)
{
    (void)ctx;
    (void)key;
    return NULL;
}

static cJSON *call(const char *method, const char *path, const char *body, int want,
                   lm__response *keep)
{
    const lm__request rq = {.method = method,
                            .path = path,
                            .content_type = body ? "application/json" : NULL,
                            .query = no_query,
                            .body = body,
                            .body_len = body ? strlen(body) : 0};
    lm__response r;
    lm__api_handle(&api, &rq, &r);
    const char *text = r.body ? r.body : (const char *)r.static_body;
    cr_assert_eq(r.status, want, "%s %s: %d, expected %d: %.300s", method, path, r.status, want,
                 text ? text : "");
    cJSON *json = NULL;
    if (r.content_type && strncmp(r.content_type, "application/json", 16) == 0) {
        json = cJSON_ParseWithLength(text, r.len);
        cr_assert_not_null(json, "%s %s: not JSON", method, path);
        if (want >= 400) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(json, "error");
            cr_assert(cJSON_IsObject(e), "%s %s: no error object", method, path);
            cr_assert_eq(cJSON_GetObjectItemCaseSensitive(e, "status")->valuedouble, want);
        }
    }
    if (keep)
        *keep = r;
    else
        lm__response_fini(&r);
    return json;
}

TestSuite(api, .init = api_setup, .fini = api_teardown);

Test(api, routes_and_refusals)
{
    cJSON_Delete(call("GET", "/api", NULL, 200, NULL));
    cJSON_Delete(call("GET", "/api/health", NULL, 200, NULL));
    cJSON_Delete(call("HEAD", "/api/health", NULL, 200, NULL));
    cJSON_Delete(call("GET", "/nope", NULL, 404, NULL));
    cJSON_Delete(call("GET", "/api/runs/../../etc/passwd", NULL, 400, NULL));
    cJSON_Delete(call("GET", "/static/../etc/passwd", NULL, 400, NULL));
    cJSON_Delete(call("GET", "/api/runs/./x", NULL, 400, NULL));
    cJSON_Delete(call("GET", "/api/runs/a\\b", NULL, 400, NULL));
    cJSON_Delete(call("GET", "relative", NULL, 400, NULL));
    cJSON_Delete(call("GET", "/api/runs/.hidden", NULL, 400, NULL));
    cJSON_Delete(call("GET", "/api/runs/nothing", NULL, 404, NULL));
    cJSON_Delete(call("GET", "/a/b/c/d/e/f/g/h/i/j", NULL, 404, NULL));
    cJSON_Delete(call("GET", "/api/jobs/x", NULL, 400, NULL));
    cJSON_Delete(call("GET", "/api/jobs/7", NULL, 404, NULL));
    lm__response r;
    cJSON_Delete(call("DELETE", "/api/runs", NULL, 405, &r));
    cr_assert_str_eq(r.allow, "GET, POST");
    lm__response_fini(&r);
    cJSON *s = call("GET", "/api/scenarios", NULL, 200, NULL);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, "scenarios");
    cr_assert_eq(cJSON_GetArraySize(list), 1, "tests/data holds tiny.yaml only");
    cJSON_Delete(s);
    s = call("GET", "/api/scenarios/tiny", NULL, 200, NULL);
    const cJSON *regions = cJSON_GetObjectItemCaseSensitive(s, "regions");
    cr_assert_eq(cJSON_GetArraySize(regions), 2);
    cJSON_Delete(s);
    cJSON_Delete(call("GET", "/api/scenarios/nope", NULL, 404, NULL));
    cJSON_Delete(call("GET", "/api/scenarios/..", NULL, 400, NULL));
    cJSON_Delete(call("GET", "/api/runs", NULL, 200, NULL));
}

Test(api, run_requests)
{
    cJSON_Delete(call("POST", "/api/runs", "", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\":", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "{} x", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "[]", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"tiny\", \"x\": 1}", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"tiny\", \"seed\": -2}", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"../x\"}", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"none\"}", 404, NULL));
    /* The loader's verdict on an edit, located in the edited text. */
    cJSON *e = call("POST", "/api/runs",
                    "{\"scenario\": \"tiny\", \"set\": [{\"path\": \"regions[0].amenity\", "
                    "\"value\": 1.4}]}",
                    422, NULL);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(e, "error");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(err, "field")->valuestring,
                     "regions[0].amenity");
    cr_assert_gt(cJSON_GetObjectItemCaseSensitive(err, "line")->valuedouble, 10);
    cr_assert_not_null(strstr(cJSON_GetObjectItemCaseSensitive(err, "file")->valuestring,
                              "tiny.yaml (edited)"));
    cJSON_Delete(e);
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"tiny\", \"to\": \"2040-01\"}", 422,
                      NULL));
    /* Accepted: 202 with the job; the second waits; the third finds the queue full. */
    cJSON *a = call("POST", "/api/runs",
                    "{\"scenario\": \"tiny\", \"seed\": 9, \"replications\": 3, \"policies\": "
                    "[{\"region\": 0, \"policy\": 0, \"enabled\": false}]}",
                    202, NULL);
    const cJSON *job = cJSON_GetObjectItemCaseSensitive(a, "job");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(job, "edited")));
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(job, "replications")->valuedouble, 3);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(job, "seed")->valuedouble, 9);
    const int id = (int)cJSON_GetObjectItemCaseSensitive(job, "id")->valuedouble;
    cJSON_Delete(a);
    wait_state(api.jobs, id, "running");
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"tiny\"}", 202, NULL));
    lm__response r;
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"tiny\"}", 503, &r));
    cr_assert_eq(r.retry_after_s, 10);
    lm__response_fini(&r);
    /* The edited copy of the scenario waits in the runs folder's hidden folder. */
    char hidden[160];
    snprintf(hidden, sizeof hidden, "%s/runs/.longmen-serve", tmp_root);
    cr_assert_eq(access(hidden, F_OK), 0);
    cJSON_Delete(call("DELETE", "/api/jobs/1", NULL, 202, NULL));
    wait_state(api.jobs, id, "cancelled");
}

/* ---- compare (issue 8) ---- */

static const char *error_field(const cJSON *answer, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(answer, "error"), key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

Test(api, compare_requests)
{
    /* Library edits only with compare, in their shapes. */
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"policy\": [\"甲市.st_fund.loss_tolerance=0.4\"]}",
                      400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"tiny\", \"compare\": 1}", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"policy\": \"x=1\"}", 400,
                      NULL));
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"policy\": [\"nodot=1\"]}",
                      400, NULL));
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"policy\": [\"a.b.c\"]}", 400,
                      NULL));
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"adopt\": [{\"region\": "
                      "\"a:b\", \"from\": \"甲市\", \"kind\": \"st_fund\"}]}",
                      400, NULL));
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"adopt\": [{\"region\": "
                      "\"乙市\", \"kind\": \"st_fund\"}]}",
                      400, NULL));
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"replications\": 0}", 400,
                      NULL));
    /* The loader's verdict on the counterfactual, located in the file. */
    cJSON *e = call("POST", "/api/runs",
                    "{\"scenario\": \"tiny\", \"compare\": true, \"policy\": "
                    "[\"甲市.st_fund.loss_tolerance=1.5\"]}",
                    422, NULL);
    cr_assert_str_eq(error_field(e, "field"), "regions[0].policies[0].loss_tolerance");
    cr_assert_not_null(strstr(error_field(e, "file"), "tiny.yaml"));
    cr_assert_gt(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "error"),
                                                  "line")
                     ->valuedouble,
                 10);
    cJSON_Delete(e);
    e = call("POST", "/api/runs",
             "{\"scenario\": \"tiny\", \"compare\": true, \"adopt\": [{\"region\": \"丙市\", "
             "\"from\": \"甲市\", \"kind\": \"st_fund\"}]}",
             422, NULL);
    cr_assert_str_eq(error_field(e, "field"), "--adopt");
    cr_assert_not_null(strstr(error_field(e, "message"), "丙市"));
    cJSON_Delete(e);
    e = call("POST", "/api/runs",
             "{\"scenario\": \"tiny\", \"compare\": true, \"adopt\": [\"甲市:乙市.st_fund\"]}",
             422, NULL); /* 乙市 has no st_fund */
    cr_assert_str_eq(error_field(e, "field"), "--adopt");
    cJSON_Delete(e);
    /* "add": true goes to --add (the region keeps its own), "month" to @YYYY-MM */
    e = call("POST", "/api/runs",
             "{\"scenario\": \"tiny\", \"compare\": true, \"adopt\": [{\"region\": \"丙市\", "
             "\"from\": \"甲市\", \"kind\": \"st_fund\", \"month\": \"2016-03\", \"add\": true}]}",
             422, NULL);
    cr_assert_str_eq(error_field(e, "field"), "--add");
    cr_assert_not_null(strstr(error_field(e, "message"), "丙市:甲市.st_fund@2016-03"),
                       "%s", error_field(e, "message"));
    cJSON_Delete(e);
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"adopt\": [{\"region\": "
                      "\"乙市\", \"from\": \"甲市\", \"kind\": \"st_fund\", \"add\": \"yes\"}]}",
                      400, NULL));
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"adopt\": [{\"region\": "
                      "\"乙市\", \"from\": \"甲市\", \"kind\": \"st_fund\", \"month\": \"2016-13\"}]}",
                      400, NULL));
    /* No edited copy stays behind for refused compares with in-place edits. */
    cJSON_Delete(call("POST", "/api/runs",
                      "{\"scenario\": \"tiny\", \"compare\": true, \"policies\": [{\"region\": 0, "
                      "\"policy\": 0, \"enabled\": false}], \"adopt\": [\"甲市:乙市.st_fund\"]}",
                      422, NULL));
    char hidden[160];
    snprintf(hidden, sizeof hidden, "%s/runs/.longmen-serve", tmp_root);
    DIR *d = opendir(hidden);
    int files = 0;
    for (const struct dirent *de; d && (de = readdir(d)) != NULL;)
        files += de->d_name[0] != '.';
    if (d)
        closedir(d);
    cr_assert_eq(files, 0, "%d edited copies left behind", files);
    /* Accepted: the job says compare, its replications and its edits; the same bounded queue. */
    cJSON *a = call("POST", "/api/runs",
                    "{\"scenario\": \"tiny\", \"compare\": true, \"replications\": 2, \"adopt\": "
                    "[{\"region\": \"乙市\", \"from\": \"甲市\", \"kind\": \"st_fund\"}], "
                    "\"policy\": [\"甲市.st_fund.loss_tolerance=0.4\"]}",
                    202, NULL);
    const cJSON *job = cJSON_GetObjectItemCaseSensitive(a, "job");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(job, "compare")));
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(job, "replications")->valuedouble, 2);
    const cJSON *edits = cJSON_GetObjectItemCaseSensitive(job, "edits");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(edits, "adopt")), 1);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(edits, "policy")), 1);
    const int id = (int)cJSON_GetObjectItemCaseSensitive(job, "id")->valuedouble;
    cJSON_Delete(a);
    wait_state(api.jobs, id, "running");
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"tiny\", \"compare\": true}", 202,
                      NULL));
    lm__response r;
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"tiny\", \"compare\": true}", 503, &r));
    cr_assert_eq(r.retry_after_s, 10);
    lm__response_fini(&r);
}

static int progress_calls;
static void count_progress(const lm_progress *p, void *user)
{
    (void)p;
    (void)user;
    ++progress_calls;
}

/* The real runner: a compare of tiny (2 replications per arm) and 3 replications of a run,
 * each into a results folder the API then serves. */
Test(api, the_default_runner_compares_and_replicates)
{
    lm__job *job = new_job("tiny");
    job->compare = true;
    job->replications = 2;
    job->threads = 1;
    snprintf(job->base_path, sizeof job->base_path, "%s/tiny.yaml", LM_TEST_DATA);
    snprintf(job->scenario_path, sizeof job->scenario_path, "%s/tiny.yaml", LM_TEST_DATA);
    job->cf_adopt[job->n_cf_adopt++] = strdup("乙市:甲市.st_fund");
    snprintf(job->out_dir, sizeof job->out_dir, "%s/runs/cmp", tmp_root);
    lm_error err;
    lm_error_clear(&err);
    progress_calls = 0;
    cr_assert_eq(lm__api_default_runner()(job, count_progress, NULL, &err), LM_OK, "%s",
                 err.message);
    cr_assert_gt(progress_calls, 0);
    lm__job_free(job);
    lm__response r;
    cJSON_Delete(call("GET", "/api/runs/cmp/compare.csv", NULL, 200, &r));
    cr_assert_str_eq(r.content_type, "text/csv; charset=utf-8");
    cr_assert_not_null(strstr(r.body, "region,metric,runs,baseline_mean,counterfactual_mean"));
    /* 2 regions + total, 5 metrics, a header. */
    cr_assert_eq(lines(r.body), 16);
    lm__response_fini(&r);
    cJSON *rep = call("GET", "/api/runs/cmp", NULL, 200, NULL);
    const cJSON *arms =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rep, "report"), "arms");
    cr_assert_eq(cJSON_GetArraySize(arms), 2);
    /* the same data in three parts: each has its own keys, and together they are the whole */
    static const char *const parts[] = {"core", "sections", "tables"};
    static const char *const key[] = {"region_year", "sections", "tables"};
    const cJSON *whole = cJSON_GetObjectItemCaseSensitive(rep, "report");
    for (int i = 0; i < 3; ++i) {
        char path[64];
        snprintf(path, sizeof path, "/api/runs/cmp/data/%s", parts[i]);
        cJSON *part = call("GET", path, NULL, 200, NULL);
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(part, "report");
        cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(part, "part")->valuestring, parts[i]);
        for (int k = 0; k < 3; ++k)
            cr_assert_eq(cJSON_HasObjectItem(data, key[k]), k == i, "%s has %s", parts[i], key[k]);
        cr_assert(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(data, key[i]),
                                cJSON_GetObjectItemCaseSensitive(whole, key[i]), 1),
                  "%s differs from the whole data's", key[i]);
        cJSON_Delete(part);
    }
    cJSON_Delete(call("GET", "/api/runs/cmp/data/everything", NULL, 404, NULL));
    cJSON_Delete(rep);

    job = new_job("tiny");
    job->replications = 3;
    job->threads = 1;
    snprintf(job->scenario_path, sizeof job->scenario_path, "%s/tiny.yaml", LM_TEST_DATA);
    snprintf(job->out_dir, sizeof job->out_dir, "%s/runs/reps", tmp_root);
    cr_assert_eq(lm__api_default_runner()(job, count_progress, NULL, &err), LM_OK, "%s",
                 err.message);
    lm__job_free(job);
    cJSON *runs = call("GET", "/api/runs", NULL, 200, NULL);
    bool found = false;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(runs, "runs"))
    {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(it, "id")->valuestring, "reps") == 0) {
            found = true;
            cr_assert_eq(cJSON_GetObjectItemCaseSensitive(it, "runs")->valuedouble, 3);
        }
    }
    cr_assert(found, "the replications' folder is not listed");
    cJSON_Delete(runs);
    cJSON_Delete(call("GET", "/api/runs/reps/summary.txt", NULL, 200, NULL));
    cJSON_Delete(call("GET", "/api/runs/reps/compare.csv", NULL, 404, NULL));

    /* A compare stopped before its first month keeps nothing: no folder, no DIR.partial. */
    job = new_job("tiny");
    job->compare = true;
    job->replications = 2;
    job->threads = 1;
    job->stop = 1;
    snprintf(job->base_path, sizeof job->base_path, "%s/tiny.yaml", LM_TEST_DATA);
    snprintf(job->scenario_path, sizeof job->scenario_path, "%s/tiny.yaml", LM_TEST_DATA);
    snprintf(job->out_dir, sizeof job->out_dir, "%s/runs/stopped", tmp_root);
    cr_assert_eq(lm__api_default_runner()(job, count_progress, NULL, &err), LM_EINTR);
    lm__job_free(job);
    char left[160];
    snprintf(left, sizeof left, "%s/runs/stopped.partial", tmp_root);
    cr_assert_neq(access(left, F_OK), 0, "%s is left behind", left);
    snprintf(left, sizeof left, "%s/runs/stopped", tmp_root);
    cr_assert_neq(access(left, F_OK), 0, "%s exists", left);
}

/* ---- files read through extends: (confine.c) ---- */

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* A scenarios folder with child.yaml extending tiny.yaml, a FIFO and a secret outside it;
 * the API confined to it and the runs folder, as lm_server_start does. */
static void serve_extends(void)
{
    char d[4400], runs[160], copies[200];
    snprintf(api.scenarios_dir, sizeof api.scenarios_dir, "%s/scen", tmp_root);
    cr_assert_eq(mkdir(api.scenarios_dir, 0777), 0);
    FILE *f = fopen(LM_TEST_DATA "/tiny.yaml", "r");
    cr_assert_not_null(f);
    static char tiny[1 << 16];
    tiny[fread(tiny, 1, sizeof tiny - 1, f)] = '\0';
    fclose(f);
    snprintf(d, sizeof d, "%s/tiny.yaml", api.scenarios_dir);
    put_file(d, tiny);
    snprintf(d, sizeof d, "%s/child.yaml", api.scenarios_dir);
    put_file(d, "name: tiny-child\nextends: tiny.yaml\n");
    snprintf(d, sizeof d, "%s/fifo.yaml", api.scenarios_dir);
    cr_assert_eq(mkfifo(d, 0600), 0);
    snprintf(d, sizeof d, "%s/secret.yaml", tmp_root);
    put_file(d, "hunter2_key: hunter2_value\n");
    snprintf(runs, sizeof runs, "%s/runs", tmp_root);
    snprintf(copies, sizeof copies, "%s/.longmen-serve", runs);
    lm_error err;
    cr_assert_eq(lm__scenario_confine(api.scenarios_dir, runs, copies, &err), LM_OK);
}

static void refused_extends(const char *value)
{
    char body[600];
    snprintf(body, sizeof body,
             "{\"scenario\": \"child\", \"set\": [{\"path\": \"extends\", \"value\": \"%s\"}]}",
             value);
    cJSON *e = call("POST", "/api/runs", body, 422, NULL);
    const char *msg = error_field(e, "message");
    cr_assert_not_null(strstr(msg, "not a scenario file of the served folders"), "%s: %s", value,
                       msg);
    cr_assert_null(strstr(msg, "hunter2"), "%s", msg);
    cr_assert_null(strstr(msg, "root:"), "%s", msg);
    cr_assert_str_eq(error_field(e, "field"), "extends");
    cJSON_Delete(e);
}

Test(api, extends_reads_only_the_served_folders, .timeout = 30)
{
    serve_extends();
    char secret[200];
    snprintf(secret, sizeof secret, "%s/secret.yaml", tmp_root);
    refused_extends("/etc/passwd");
    refused_extends("/etc/shadow");
    refused_extends(secret);
    refused_extends("../secret.yaml");
    refused_extends("fifo.yaml"); /* used to block the HTTP thread for ever */
    refused_extends("/dev/zero");
    lm__scenario_unconfine();
}

/* An edited copy of an extends scenario, written to runs/.longmen-serve/, still finds its
 * parent next to the original: the job's file loads. */
Test(api, an_edited_extends_scenario_runs, .timeout = 30)
{
    serve_extends();
    cJSON *a = call("POST", "/api/runs",
                    "{\"scenario\": \"child\", \"set\": [{\"path\": \"name\", \"value\": "
                    "\"child-edited\"}]}",
                    202, NULL);
    cJSON_Delete(a);
    char dir[160];
    snprintf(dir, sizeof dir, "%s/runs/.longmen-serve", tmp_root);
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    const struct dirent *e;
    int copies = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[480];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        lm_scenario *sc = NULL;
        lm_error err;
        char line[1200];
        cr_assert_eq(lm_scenario_load(path, &sc, &err), LM_OK, "%s",
                     lm_error_format(&err, line, sizeof line));
        cr_assert_str_eq(lm_scenario_name(sc), "child-edited");
        cr_assert_eq(lm_scenario_region_count(sc), 2);
        lm_scenario_free(sc);
        ++copies;
    }
    closedir(d);
    cr_assert_eq(copies, 1);
    lm__scenario_unconfine();
}

/* ---- Host and Origin (origin.c) ---- */

Test(server, host_names_the_server)
{
    cr_assert(lm__host_allowed("127.0.0.1:8080", "127.0.0.1", 8080, NULL));
    cr_assert(lm__host_allowed("127.0.0.1", "127.0.0.1", 8080, NULL));
    cr_assert(lm__host_allowed("localhost:8080", "127.0.0.1", 8080, NULL));
    cr_assert(lm__host_allowed("LocalHost:8080", "127.0.0.1", 8080, NULL));
    cr_assert(lm__host_allowed("[::1]:8080", "::1", 8080, NULL));
    cr_assert(lm__host_allowed("[0:0::1]:8080", "::1", 8080, NULL));
    cr_assert(lm__host_allowed(NULL, "127.0.0.1", 8080, NULL), "HTTP/1.0");
    /* DNS rebinding: a name that resolves to us is still not ours. */
    cr_assert_not(lm__host_allowed("evil.example", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__host_allowed("evil.example:8080", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__host_allowed("localhost.evil.example:8080", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__host_allowed("127.0.0.1:9090", "127.0.0.1", 8080, NULL), "another port");
    cr_assert_not(lm__host_allowed("10.0.0.5:8080", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__host_allowed("", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__host_allowed("127.0.0.1:", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__host_allowed("::1:8080", "::1", 8080, NULL), "v6 without brackets");
    cr_assert_not(lm__host_allowed("127.0.0.1:80x", "127.0.0.1", 80, NULL));
    /* Listening on every address: any IP literal, never a name. */
    cr_assert(lm__host_allowed("192.168.1.20:8080", "0.0.0.0", 8080, NULL));
    cr_assert(lm__host_allowed("[fe80::1]:8080", "::", 8080, NULL));
    cr_assert_not(lm__host_allowed("dash.example.org:8080", "0.0.0.0", 8080, NULL));
    /* --allow-origin adds a proxy's name. */
    const char *allow = "https://dash.example.org, http://lab:9000/";
    cr_assert(lm__host_allowed("dash.example.org", "127.0.0.1", 8080, allow));
    cr_assert(lm__host_allowed("LAB:9000", "127.0.0.1", 8080, allow));
    cr_assert_not(lm__host_allowed("lab", "127.0.0.1", 8080, allow));
    cr_assert_not(lm__host_allowed("example.org", "127.0.0.1", 8080, allow));
}

Test(server, origin_of_state_changing_requests)
{
    cr_assert(lm__origin_allowed(NULL, "127.0.0.1", 8080, NULL), "curl sends none");
    cr_assert(lm__origin_allowed("http://127.0.0.1:8080", "127.0.0.1", 8080, NULL));
    cr_assert(lm__origin_allowed("http://localhost:8080", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__origin_allowed("http://evil.example", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__origin_allowed("http://evil.example:8080", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__origin_allowed("null", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__origin_allowed("https://127.0.0.1:8080", "127.0.0.1", 8080, NULL));
    cr_assert_not(lm__origin_allowed("http://127.0.0.1:8081", "127.0.0.1", 8080, NULL));
    const char *allow = "https://dash.example.org";
    cr_assert(lm__origin_allowed("https://dash.example.org", "127.0.0.1", 8080, allow));
    cr_assert_not(lm__origin_allowed("https://dash.example.org.evil", "127.0.0.1", 8080, allow));
    cr_assert_not(lm__origin_allowed("http://dash.example.org", "127.0.0.1", 8080, allow));
}

/* ---- JSON is UTF-8, and a NUL cannot hide in it ---- */

static bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = u[i] < 0x80 ? 1 : (u[i] >> 5) == 6 ? 2 : (u[i] >> 4) == 14 ? 3
                                 : (u[i] >> 3) == 30 ? 4 : 0;
        if (k == 0 || i + k > n || (k == 2 && u[i] < 0xC2))
            return false;
        for (size_t j = 1; j < k; ++j)
            if ((u[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

static const char *bad_region(void *ctx, const char *key)
{
    (void)ctx;
    return strcmp(key, "region") == 0 ? "\xff\xfe-\xe6\x9d" : NULL;
}

Test(api, answers_are_utf8_even_for_bytes_that_are_not)
{
    lm__response r;
    cJSON_Delete(call("GET", "/api/runs/\xff\xfe", NULL, 404, &r));
    cr_assert(utf8_valid(r.body, r.len), "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\xef\xbf\xbd\xef\xbf\xbd"), "%s", r.body);
    lm__response_fini(&r);
    /* A query value reaches an error text too (whole, not cut at the bad byte). */
    lm__job *job = new_job("tiny");
    job->threads = 1;
    snprintf(job->scenario_path, sizeof job->scenario_path, "%s/tiny.yaml", LM_TEST_DATA);
    snprintf(job->out_dir, sizeof job->out_dir, "%s/runs/u", tmp_root);
    job->to = 2015 * 12 + 1; /* 2015-02 */
    job->has_to = true;
    lm_error err;
    cr_assert_eq(lm__api_default_runner()(job, count_progress, NULL, &err), LM_OK, "%s",
                 err.message);
    lm__job_free(job);
    const lm__request rq = {.method = "GET", .path = "/api/runs/u/region_year",
                            .query = bad_region};
    lm__api_handle(&api, &rq, &r);
    cr_assert_eq(r.status, 404, "%d %s", r.status, r.body);
    cr_assert(utf8_valid(r.body, r.len), "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd"), "%s", r.body);
    lm__response_fini(&r);
}

Test(api, nul_in_a_json_string_is_an_error)
{
    cJSON *e = call("POST", "/api/runs", "{\"scenario\": \"tiny\\u0000../../x\"}", 400, NULL);
    cr_assert_str_eq(error_field(e, "code"), "malformed_json");
    cr_assert_not_null(strstr(error_field(e, "message"), "NUL"));
    cJSON_Delete(e);
    e = call("POST", "/api/runs",
             "{\"scenario\": \"tiny\", \"set\": [{\"path\": \"name\", \"value\": \"a\\u0000b\"}]}",
             400, NULL);
    cJSON_Delete(e);
    /* An escaped backslash before u0000 is no NUL: the name is just unknown. */
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"x\\\\u0000\"}", 400, NULL));
    cJSON_Delete(call("POST", "/api/runs", "{\"scenario\": \"\xff\"}", 400, NULL));
}

/* A 404 says what is missing, not where the server keeps its folders. */
Test(api, not_found_texts_name_no_folder)
{
    cJSON *e = call("GET", "/api/runs/nothing", NULL, 404, NULL);
    cr_assert_str_eq(error_field(e, "message"), "no run 'nothing' in the runs folder");
    cJSON_Delete(e);
    e = call("GET", "/api/scenarios/nope", NULL, 404, NULL);
    cr_assert_str_eq(error_field(e, "message"), "no scenario 'nope' in the scenarios folder");
    cJSON_Delete(e);
    e = call("POST", "/api/runs", "{\"scenario\": \"nope\"}", 404, NULL);
    cr_assert_null(strstr(error_field(e, "message"), LM_TEST_DATA), "%s",
                   error_field(e, "message"));
    cJSON_Delete(e);
}
