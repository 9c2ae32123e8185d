/* src/server/api.c -- what `longmen serve` answers (docs/api.md): the dashboard's page and
 * scripts, and the JSON API behind it. No sockets here (http.c brings the requests), so every
 * route can be tested by calling lm__api_handle with a request in memory.
 *
 * Every problem is an answer, never a crash: a path with "." or ".." segments, a run id that
 * is no folder name, an unknown route or method, a body that is not JSON or not what the
 * route expects, a scenario edit the loader refuses (with the loader's file:line:col: field:
 * message), a full queue (503 with Retry-After). Errors have one shape:
 *   {"error": {"status": 422, "code": "invalid_scenario", "message": "...", ...}} */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "experiments/experiments_int.h"
#include "io/store.h"
#include "longmen/experiments.h"
#include "longmen/longmen.h"
#include "longmen/report.h"
#include "report/assets.h"
#include "report/report_int.h"
#include "server/server_int.h"

#define SCENARIO_MAX (4u << 20) /* largest scenario file read */
#define SEGMENTS_MAX 8
#define REPLICATIONS_MAX 1000

/* ---- answers ---- */

void lm__response_fini(lm__response *r)
{
    if (!r)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 when malformed (RFC 3629:
 * no overlong forms, surrogates or code points above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    const unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; ++i)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* text with every malformed byte replaced by U+FFFD. cJSON copies the bytes of strings as
 * they are, and a request path or query (percent-decoded) can put any byte into a message
 * ("no run '\xff'"); a JSON text must be UTF-8. Consumes text; new (NULL: out of memory). */
static char *utf8_clean(char *text, size_t *len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t bad = 0;
    for (size_t i = 0, k; i < *len; i += k ? k : 1)
        bad += (k = utf8_len(s + i, *len - i)) == 0;
    if (bad == 0)
        return text;
    char *out = malloc(*len + 2 * bad + 1);
    if (!out) {
        free(text);
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0, k; i < *len; i += k ? k : 1) {
        if ((k = utf8_len(s + i, *len - i)) == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
        }
    }
    out[o] = '\0';
    free(text);
    *len = o;
    return out;
}

void lm__respond_json(lm__response *r, int status, cJSON *json)
{
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    size_t len = text ? strlen(text) : 0;
    if (text)
        text = utf8_clean(text, &len);
    cJSON_Delete(json);
    free(r->body);
    r->body = NULL;
    r->static_body = NULL;
    if (!text) {
        static const char oom[] =
            "{\"error\":{\"status\":500,\"code\":\"out_of_memory\",\"message\":\"out of memory\"}}";
        r->status = 500;
        r->static_body = oom;
        r->len = sizeof oom - 1;
    } else {
        r->status = status;
        r->body = text;
        r->len = len;
    }
    r->content_type = "application/json; charset=utf-8";
}

void lm__respond_error(lm__response *r, int status, const char *code, cJSON *extra,
                       const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *root = cJSON_CreateObject();
    cJSON *e = root ? cJSON_AddObjectToObject(root, "error") : NULL;
    if (e) {
        cJSON_AddNumberToObject(e, "status", status);
        cJSON_AddStringToObject(e, "code", code);
        cJSON_AddStringToObject(e, "message", msg);
        cJSON *it = extra ? extra->child : NULL;
        while (it) {
            cJSON *next = it->next;
            cJSON_AddItemToObject(e, it->string, cJSON_DetachItemViaPointer(extra, it));
            it = next;
        }
    }
    cJSON_Delete(extra);
    lm__respond_json(r, status, root);
}

/* The fields of an lm_error as members of an error object. */
static cJSON *error_fields(const lm_error *err)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    char line[1200];
    cJSON_AddStringToObject(o, "text", lm_error_format(err, line, sizeof line));
    if (err->file[0])
        cJSON_AddStringToObject(o, "file", err->file);
    if (err->line > 0) {
        cJSON_AddNumberToObject(o, "line", err->line);
        cJSON_AddNumberToObject(o, "column", err->column);
    }
    if (err->field[0])
        cJSON_AddStringToObject(o, "field", err->field);
    return o;
}

static void respond_text(lm__response *r, int status, const char *type, char *text, size_t len)
{
    free(r->body);
    r->status = status;
    r->body = text;
    r->static_body = NULL;
    r->len = len;
    r->content_type = type;
}

static void respond_asset(lm__response *r, const char *name, const char *type)
{
    const lm__asset *a = lm__asset_get(name);
    if (!a || !a->present) {
        lm__respond_error(r, 404, "not_found", NULL,
                          "%s was not built into this longmen (run `npm ci` in the source tree "
                          "and rebuild)",
                          name);
        return;
    }
    r->status = 200;
    r->static_body = a->data;
    r->len = a->len;
    r->content_type = type;
    r->page = strcmp(name, "index_html") == 0;
}

/* ---- scenarios ---- */

static bool scenario_name_valid(const char *s)
{
    if (!s || !*s || strlen(s) > 60 || s[0] == '.' || s[0] == '-')
        return false;
    for (const char *p = s; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

/* Reads scenarios_dir/name.yaml. */
static lm_status read_scenario(const lm__api *api, const char *name, char *path, size_t size,
                               char **text, size_t *len, lm_error *err)
{
    *text = NULL;
    *len = 0;
    if (!scenario_name_valid(name))
        return lm_error_set_at(err, LM_EINVAL, "", 0, 0, "scenario",
                               "not a scenario name (letters, digits, '-', '_', '.')");
    snprintf(path, size, "%s/%s.yaml", api->scenarios_dir, name);
    const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        sb.st_size > (off_t)SCENARIO_MAX) {
        if (fd >= 0)
            close(fd);
        return lm_error_set_at(err, LM_EIO, "", 0, 0, "scenario",
                               "no scenario '%s' in the scenarios folder", name);
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)sb.st_size) {
        const ssize_t k = read(fd, buf + got, (size_t)sb.st_size - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (!buf || got != (size_t)sb.st_size) {
        free(buf);
        LM_FAIL(err, LM_EIO, "%s: cannot read", path);
    }
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return LM_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The scenario names (file stems of *.yaml) of the scenarios folder, sorted. */
static int scenario_names(const lm__api *api, char ***out)
{
    *out = NULL;
    DIR *d = opendir(api->scenarios_dir);
    if (!d)
        return 0;
    char **names = NULL;
    int n = 0, cap = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 500) {
        const size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        char stem[256];
        snprintf(stem, sizeof stem, "%.*s", (int)(len - 5), e->d_name);
        if (!scenario_name_valid(stem))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(names, (size_t)cap * sizeof *grown);
            if (!grown)
                break;
            names = grown;
        }
        names[n] = strdup(stem);
        if (names[n])
            ++n;
    }
    closedir(d);
    if (names)
        qsort(names, (size_t)n, sizeof *names, by_name);
    *out = names;
    return n;
}

static void add_period(cJSON *o, const lm_scenario *sc)
{
    int32_t start, end;
    lm_scenario_period(sc, &start, &end);
    char a[16], b[16];
    cJSON *p = cJSON_AddObjectToObject(o, "period");
    if (p) {
        cJSON_AddStringToObject(p, "start", lm_month_format(start, a));
        cJSON_AddStringToObject(p, "end", lm_month_format(end, b));
    }
}

static void list_scenarios(lm__api *api, lm__response *resp)
{
    char **names = NULL;
    const int n = scenario_names(api, &names);
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; ++i) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            continue;
        }
        cJSON_AddStringToObject(o, "name", names[i]);
        char path[4400];
        snprintf(path, sizeof path, "%s/%s.yaml", api->scenarios_dir, names[i]);
        lm_scenario *sc = NULL;
        lm_error err;
        if (lm_scenario_load(path, &sc, &err) == LM_OK) {
            cJSON_AddBoolToObject(o, "valid", 1);
            cJSON_AddStringToObject(o, "scenario", lm_scenario_name(sc));
            cJSON_AddNumberToObject(o, "regions", lm_scenario_region_count(sc));
            cJSON_AddNumberToObject(o, "seed", (double)lm_scenario_seed(sc));
            add_period(o, sc);
            lm_scenario_free(sc);
        } else {
            char line[1200];
            cJSON_AddBoolToObject(o, "valid", 0);
            cJSON_AddStringToObject(o, "error", lm_error_format(&err, line, sizeof line));
        }
        free(names[i]);
    }
    free(names);
    cJSON *root = cJSON_CreateObject();
    if (root) {
        cJSON_AddStringToObject(root, "dir", api->scenarios_dir);
        cJSON_AddItemToObject(root, "scenarios", arr);
    } else {
        cJSON_Delete(arr);
    }
    lm__respond_json(resp, 200, root);
}

static void scenario_detail(lm__api *api, const char *name, lm__response *resp)
{
    char path[4400];
    char *text = NULL;
    size_t len = 0;
    lm_error err;
    lm_status st = read_scenario(api, name, path, sizeof path, &text, &len, &err);
    if (st != LM_OK) {
        lm__respond_error(resp, st == LM_EINVAL ? 400 : 404,
                          st == LM_EINVAL ? "bad_scenario_name" : "not_found", NULL, "%s",
                          err.message);
        return;
    }
    lm_scenario *sc = NULL;
    if ((st = lm_scenario_load(path, &sc, &err)) != LM_OK) {
        free(text);
        char line[1200];
        lm__respond_error(resp, 422, "invalid_scenario", error_fields(&err), "%s",
                          lm_error_format(&err, line, sizeof line));
        return;
    }
    cJSON *regions = NULL;
    st = lm__scenario_outline(text, len, path, &regions, &err);
    free(text);
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "scenario", lm_scenario_name(sc));
        cJSON_AddNumberToObject(o, "seed", (double)lm_scenario_seed(sc));
        add_period(o, sc);
        cJSON_AddItemToObject(o, "regions", regions ? regions : cJSON_CreateArray());
    } else {
        cJSON_Delete(regions);
    }
    lm_scenario_free(sc);
    lm__respond_json(resp, 200, o);
}

/* ---- starting a run ---- */

static lm_status default_runner(lm__job *job, lm_job_progress_fn progress, void *user,
                                lm_error *err)
{
    lm_job_config cfg;
    lm_job_config_init(&cfg);
    cfg.scenario_path = job->scenario_path;
    cfg.seed = job->seed;
    cfg.has_seed = job->has_seed;
    cfg.threads = job->threads;
    cfg.out_dir = job->out_dir;
    cfg.from = job->from;
    cfg.has_from = job->has_from;
    cfg.to = job->to;
    cfg.has_to = job->has_to;
    cfg.progress = progress;
    cfg.progress_user = user;
    cfg.stop_flag = &job->stop;
    cfg.max_memory = job->max_memory;
    if (job->compare || job->replications > 1) {
        /* issue 8: R replications (replicate.c), or baseline against counterfactual with
         * common random numbers (compare.c), through the same engine as the CLI. */
        lm_experiment_config xc;
        lm_experiment_config_init(&xc);
        xc.job = cfg;
        xc.job.quiet = false;
        xc.runs = job->replications;
        if (job->compare)
            xc.detail = LM_DETAIL_COMPARE_DEFAULT;
        lm_experiment_result xr;
        lm_status xs;
        if (job->compare) {
            xc.job.scenario_path = job->base_path;
            const lm_scenario_edits edits = {.set = (const char *const *)job->cf_set,
                                             .n_set = job->n_cf_set,
                                             .adopt = (const char *const *)job->cf_adopt,
                                             .n_adopt = job->n_cf_adopt,
                                             .add = (const char *const *)job->cf_add,
                                             .n_add = job->n_cf_add};
            xs = lm__experiment_compare_files(&xc, job->scenario_path, &edits, &xr, err);
        } else {
            xs = lm_experiment_replicate(&xc, &xr, err);
        }
        if (xs == LM_OK) {
            lm_experiment_result_fini(&xr);
        } else {
            /* The page cannot resume: a stopped or failed job keeps nothing, as a run. */
            char partial[4200];
            if (snprintf(partial, sizeof partial, "%s.partial", job->out_dir) <
                (int)sizeof partial)
                lm__outdir_abort(partial);
        }
        return xs;
    }
    lm_job_result res;
    const lm_status st = lm_job_run(&cfg, &res, err);
    if (st == LM_OK)
        lm_job_result_fini(&res);
    return st;
}

lm__job_runner lm__api_default_runner(void) { return default_runner; }

static bool json_int(const cJSON *v, double lo, double hi, double *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < lo || v->valuedouble > hi)
        return false;
    *out = v->valuedouble;
    return true;
}

static bool has_edits(const cJSON *body)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(body, "policies");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(body, "set");
    return cJSON_GetArraySize(p) > 0 || cJSON_GetArraySize(s) > 0 ||
           (p && !cJSON_IsArray(p)) || (s && !cJSON_IsArray(s));
}

/* ---- compare edits (issue 8) ---- */

/* A name that can stand in the library's edit grammar (REGION.KIND.FIELD=V, X:Y.KIND). */
static bool edit_word(const cJSON *v, bool dots)
{
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > 120)
        return false;
    for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; ++p)
        if (*p < ' ' || *p == 0x7f || *p == ':' || *p == '=' || (!dots && *p == '.'))
            return false;
    return true;
}

/* "policy": ["REGION.KIND.FIELD=VALUE", ...] and "adopt": [{"region": X, "from": Y, "kind":
 * KIND}, ...] (or "X:Y.KIND" strings) into job->cf_set / cf_adopt; only with compare. */
static bool read_cf_edits(const cJSON *body, lm__job *job, lm__response *resp)
{
    const cJSON *pol = cJSON_GetObjectItemCaseSensitive(body, "policy");
    const cJSON *ado = cJSON_GetObjectItemCaseSensitive(body, "adopt");
    if ((pol || ado) && !job->compare) {
        lm__respond_error(resp, 400, "bad_field", NULL,
                          "policy and adopt edit the counterfactual of a compare: send them "
                          "with \"compare\": true (or use policies/set for a run)");
        return false;
    }
    if ((pol && !cJSON_IsArray(pol)) || cJSON_GetArraySize(pol) > LM__CF_EDITS_MAX) {
        lm__respond_error(resp, 400, "bad_field", NULL,
                          "policy: expected an array of at most %d strings "
                          "\"REGION.KIND.FIELD=VALUE\"",
                          LM__CF_EDITS_MAX);
        return false;
    }
    if ((ado && !cJSON_IsArray(ado)) || cJSON_GetArraySize(ado) > LM__CF_EDITS_MAX) {
        lm__respond_error(resp, 400, "bad_field", NULL,
                          "adopt: expected an array of at most %d objects {\"region\", "
                          "\"from\", \"kind\"}",
                          LM__CF_EDITS_MAX);
        return false;
    }
    int k = 0;
    for (const cJSON *it = pol ? pol->child : NULL; it; it = it->next, ++k) {
        const char *v = cJSON_IsString(it) ? it->valuestring : NULL;
        const char *eq = v ? strchr(v, '=') : NULL;
        bool ok = v && eq && eq > v && strlen(v) <= 400 && memchr(v, '.', (size_t)(eq - v));
        for (const unsigned char *p = (const unsigned char *)v; ok && *p; ++p)
            ok = *p >= ' ' && *p != 0x7f;
        if (!ok) {
            lm__respond_error(resp, 400, "bad_field", NULL,
                              "policy[%d]: expected \"REGION.KIND.FIELD=VALUE\" (e.g. "
                              "\"REGION.st_fund.loss_tolerance=0.4\")",
                              k);
            return false;
        }
        if (!(job->cf_set[job->n_cf_set] = strdup(v))) {
            lm__respond_error(resp, 500, "out_of_memory", NULL, "out of memory");
            return false;
        }
        ++job->n_cf_set;
    }
    k = 0;
    for (const cJSON *it = ado ? ado->child : NULL; it; it = it->next, ++k) {
        char line[400];
        line[0] = '\0';
        bool adds = false;
        if (cJSON_IsString(it) && strlen(it->valuestring) < sizeof line &&
            strchr(it->valuestring, ':') && strchr(it->valuestring, '.')) {
            snprintf(line, sizeof line, "%s", it->valuestring);
        } else if (cJSON_IsObject(it)) {
            const cJSON *x = cJSON_GetObjectItemCaseSensitive(it, "region");
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(it, "from");
            const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
            /* "month": "YYYY-MM" adopts from that month (--adopt X:Y.KIND@YYYY-MM) */
            const cJSON *month = cJSON_GetObjectItemCaseSensitive(it, "month");
            int32_t m;
            bool month_ok = !month || cJSON_IsNull(month) ||
                                  (cJSON_IsString(month) && (!month->valuestring[0] ||
                                                             lm_month_parse(month->valuestring, &m)));
            const bool dated = month_ok && cJSON_IsString(month) && month->valuestring[0];
            /* "add": true keeps X's own policy of the kind (--add) */
            const cJSON *add = cJSON_GetObjectItemCaseSensitive(it, "add");
            if (add && !cJSON_IsBool(add))
                month_ok = false;
            adds = cJSON_IsTrue(add);
            if (month_ok && edit_word(x, false) && edit_word(y, false) && edit_word(kind, false))
                snprintf(line, sizeof line, "%s:%s.%s%s%s", x->valuestring, y->valuestring,
                         kind->valuestring, dated ? "@" : "", dated ? month->valuestring : "");
        }
        if (!line[0]) {
            lm__respond_error(resp, 400, "bad_field", NULL,
                              "adopt[%d]: expected {\"region\": X, \"from\": Y, \"kind\": "
                              "KIND[, \"month\": \"YYYY-MM\", \"add\": true]} (region names "
                              "without ':', '=' or '.') or \"X:Y.KIND[@YYYY-MM]\"",
                              k);
            return false;
        }
        char **slot = adds ? &job->cf_add[job->n_cf_add] : &job->cf_adopt[job->n_cf_adopt];
        if (!(*slot = strdup(line))) {
            lm__respond_error(resp, 500, "out_of_memory", NULL, "out of memory");
            return false;
        }
        ++*(adds ? &job->n_cf_add : &job->n_cf_adopt);
    }
    return true;
}

/* Checks the body's members and fills job; false after answering. */
static bool read_options(const cJSON *body, lm__job *job, lm__response *resp)
{
    static const char *const known[] = {"scenario", "seed", "replications", "from",  "to",
                                        "policies", "set",  "compare",      "policy", "adopt"};
    for (const cJSON *it = body->child; it; it = it->next) {
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof known[0] && !ok; ++k)
            ok = strcmp(it->string, known[k]) == 0;
        if (!ok) {
            lm__respond_error(resp, 400, "unknown_field", NULL,
                              "unknown field '%.60s'; expected scenario, seed, replications, "
                              "from, to, policies, set, compare, policy or adopt",
                              it->string);
            return false;
        }
    }
    const cJSON *compare = cJSON_GetObjectItemCaseSensitive(body, "compare");
    if (compare && !cJSON_IsBool(compare)) {
        lm__respond_error(resp, 400, "bad_field", NULL, "compare: expected true or false");
        return false;
    }
    job->compare = cJSON_IsTrue(compare);
    if (!read_cf_edits(body, job, resp))
        return false;
    double v;
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(body, "seed");
    if (seed && !cJSON_IsNull(seed)) {
        /* Doubles hold integers exactly up to 2^53; larger seeds go through the CLI. */
        if (!json_int(seed, 0, 9007199254740992.0, &v)) {
            lm__respond_error(resp, 400, "bad_field", NULL,
                              "seed: expected an integer from 0 to 9007199254740992");
            return false;
        }
        job->seed = (uint64_t)v;
        job->has_seed = true;
    }
    job->replications = 1;
    const cJSON *reps = cJSON_GetObjectItemCaseSensitive(body, "replications");
    if (reps) {
        if (!json_int(reps, 1, REPLICATIONS_MAX, &v)) {
            lm__respond_error(resp, 400, "bad_field", NULL,
                              "replications: expected an integer from 1 to %d", REPLICATIONS_MAX);
            return false;
        }
        job->replications = (int)v;
    }
    static const char *const months[] = {"from", "to"};
    for (int k = 0; k < 2; ++k) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(body, months[k]);
        if (!m || cJSON_IsNull(m) || (cJSON_IsString(m) && !m->valuestring[0]))
            continue;
        int32_t month;
        if (!cJSON_IsString(m) || !lm_month_parse(m->valuestring, &month)) {
            lm__respond_error(resp, 400, "bad_field", NULL, "%s: expected \"YYYY-MM\"", months[k]);
            return false;
        }
        if (k == 0) {
            job->from = month;
            job->has_from = true;
        } else {
            job->to = month;
            job->has_to = true;
        }
    }
    return true;
}

/* Writes the edited scenario where the job can read it: <runs>/.longmen-serve/. */
static lm_status write_edited(lm__api *api, const char *name, unsigned n, const char *text,
                              size_t len, char *path, size_t size, lm_error *err)
{
    char dir[4400];
    snprintf(dir, sizeof dir, "%s/.longmen-serve", lm__runs_dir(api->runs));
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        LM_FAIL(err, LM_EIO, "cannot create %s: %s", dir, strerror(errno));
    const time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    if (snprintf(path, size, "%s/%s-edited-%s-%u.yaml", dir, name, stamp, n) >= (int)size)
        LM_FAIL(err, LM_EINVAL, "path too long");
    return lm__report_write_atomic(path, text, len, err);
}

/* The offset of the first thing in a request body that cJSON would take silently but no
 * name or value here may hold: a byte that is not UTF-8, or an escaped NUL (\u0000) in a
 * string, which would cut the C string short ("tiny\u0000x" is not "tiny"). -1 when none. */
static long body_problem(const char *body, size_t len)
{
    const unsigned char *s = (const unsigned char *)body;
    bool in_string = false;
    for (size_t i = 0, k; i < len; i += k) {
        if ((k = utf8_len(s + i, len - i)) == 0 || s[i] == 0)
            return (long)i;
        if (s[i] == '"')
            in_string = !in_string;
        else if (in_string && s[i] == '\\' && i + 1 < len) {
            if (s[i + 1] == 'u' && i + 5 < len && memcmp(body + i + 2, "0000", 4) == 0)
                return (long)i;
            k = 2; /* the escaped character, a quote included */
        }
    }
    return -1;
}

static void start_run(lm__api *api, const lm__request *rq, lm__response *resp)
{
    if (!rq->content_type || strncmp(rq->content_type, "application/json", 16) != 0) {
        lm__respond_error(resp, 415, "unsupported_media_type", NULL,
                          "send the run as JSON with Content-Type: application/json");
        return;
    }
    if (!rq->body || rq->body_len == 0) {
        lm__respond_error(resp, 400, "empty_body", NULL,
                          "expected a JSON object such as {\"scenario\": \"three-capitals\"}");
        return;
    }
    const long bad = body_problem(rq->body, rq->body_len);
    if (bad >= 0) {
        cJSON *extra = cJSON_CreateObject();
        if (extra)
            cJSON_AddNumberToObject(extra, "offset", (double)bad);
        lm__respond_error(resp, 400, "malformed_json", extra, "%s (near byte %ld)",
                          rq->body[bad] == '\\'
                              ? "a JSON string holds a NUL (\\u0000)"
                              : "the body holds a NUL byte or bytes that are not UTF-8",
                          bad);
        return;
    }
    const char *end = NULL;
    cJSON *body = cJSON_ParseWithLengthOpts(rq->body, rq->body_len, &end, 0);
    if (!body || (end && (size_t)(end - rq->body) < rq->body_len &&
                  strspn(end, " \t\r\n") != rq->body_len - (size_t)(end - rq->body))) {
        const size_t at = end ? (size_t)(end - rq->body) : 0;
        cJSON_Delete(body);
        cJSON *extra = cJSON_CreateObject();
        if (extra)
            cJSON_AddNumberToObject(extra, "offset", (double)at);
        lm__respond_error(resp, 400, "malformed_json", extra,
                          "the body is not valid JSON (near byte %zu)", at);
        return;
    }
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        lm__respond_error(resp, 400, "bad_body", NULL, "expected a JSON object");
        return;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "scenario");
    if (!cJSON_IsString(name)) {
        cJSON_Delete(body);
        lm__respond_error(resp, 400, "bad_field", NULL,
                          "scenario: expected the name of a scenario (GET /api/scenarios)");
        return;
    }
    lm__job *job = calloc(1, sizeof *job);
    if (!job) {
        cJSON_Delete(body);
        lm__respond_error(resp, 500, "out_of_memory", NULL, "out of memory");
        return;
    }
    if (!read_options(body, job, resp)) {
        lm__job_free(job);
        cJSON_Delete(body);
        return;
    }
    char path[4400];
    char *text = NULL;
    size_t len = 0;
    lm_error err;
    lm_status st = read_scenario(api, name->valuestring, path, sizeof path, &text, &len, &err);
    if (st != LM_OK) {
        lm__respond_error(resp, st == LM_EINVAL ? 400 : 404,
                          st == LM_EINVAL ? "bad_scenario_name" : "unknown_scenario",
                          error_fields(&err), "%s", err.message);
        lm__job_free(job);
        cJSON_Delete(body);
        return;
    }
    /* Edits, then the loader's verdict on the result, before anything is queued. */
    job->edited = has_edits(body);
    const bool cf_edits = job->n_cf_set > 0 || job->n_cf_adopt > 0 || job->n_cf_add > 0;
    char display[4500];
    snprintf(display, sizeof display, "%s%s", path, job->edited ? " (edited)" : "");
    if (job->edited) {
        char *edited = NULL;
        size_t edited_len = 0;
        st = lm__scenario_edit(text, len, display, body, &edited, &edited_len, &err);
        free(text);
        text = edited;
        len = edited_len;
    }
    lm_scenario *sc = NULL;
    if (st == LM_OK)
        st = lm_scenario_load_string(text, len, display, &sc, &err);
    if (st == LM_OK && (job->has_from || job->has_to)) {
        int32_t a, b;
        lm_scenario_period(sc, &a, &b);
        st = lm_scenario_set_period(sc, job->has_from ? job->from : a, job->has_to ? job->to : b,
                                    &err);
    }
    if (st == LM_OK && !job->has_seed) {
        job->seed = lm_scenario_seed(sc);
        job->has_seed = true;
    }
    lm_scenario_free(sc);
    if (st != LM_OK) {
        char line[1200];
        lm__respond_error(resp, 422, "invalid_scenario", error_fields(&err), "%s",
                          lm_error_format(&err, line, sizeof line));
        free(text);
        lm__job_free(job);
        cJSON_Delete(body);
        return;
    }
    pthread_mutex_lock(&api->mu);
    const unsigned n = ++api->next_file;
    pthread_mutex_unlock(&api->mu);
    snprintf(job->scenario, sizeof job->scenario, "%s", name->valuestring);
    if (job->edited || cf_edits) {
        cJSON *edits = cJSON_CreateObject();
        static const char *const keys[] = {"policies", "set", "policy", "adopt"};
        for (int k = 0; edits && k < 4; ++k) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(body, keys[k]);
            if (e)
                cJSON_AddItemToObject(edits, keys[k], cJSON_Duplicate(e, 1));
        }
        job->edits = edits ? cJSON_PrintUnformatted(edits) : NULL;
        cJSON_Delete(edits);
    }
    if (job->edited)
        st = write_edited(api, name->valuestring, n, text, len, job->scenario_path,
                          sizeof job->scenario_path, &err);
    else
        snprintf(job->scenario_path, sizeof job->scenario_path, "%.4000s", path);
    snprintf(job->base_path, sizeof job->base_path, "%.4000s", path);
    free(text);
    cJSON_Delete(body);
    if (st != LM_OK) {
        lm__respond_error(resp, 500, "io_error", NULL, "%s", err.message);
        lm__job_free(job);
        return;
    }
    if (cf_edits) {
        /* The counterfactual's library edits, checked by the loader before anything queues. */
        const lm_scenario_edits edits = {.set = (const char *const *)job->cf_set,
                                         .n_set = job->n_cf_set,
                                         .adopt = (const char *const *)job->cf_adopt,
                                         .n_adopt = job->n_cf_adopt,
                                         .add = (const char *const *)job->cf_add,
                                         .n_add = job->n_cf_add};
        lm_scenario *cf = NULL;
        st = lm_scenario_load_edited(job->scenario_path, &edits, &cf, &err);
        lm_scenario_free(cf);
        if (st != LM_OK) {
            if (job->edited)
                unlink(job->scenario_path);
            char line[1200];
            lm__respond_error(resp, 422, "invalid_scenario", error_fields(&err), "%s",
                              lm_error_format(&err, line, sizeof line));
            lm__job_free(job);
            return;
        }
    }
    const time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(job->run_id, sizeof job->run_id, "%s%s-seed%llu-%s-%u", job->scenario,
             job->compare ? "-compare" : job->edited ? "-edited" : "",
             (unsigned long long)job->seed, stamp, n);
    snprintf(job->out_dir, sizeof job->out_dir, "%s/%s", lm__runs_dir(api->runs), job->run_id);
    job->threads = api->threads;
    job->max_memory = api->max_memory;
    char edited_path[4096];
    snprintf(edited_path, sizeof edited_path, "%s", job->edited ? job->scenario_path : "");
    int id = 0;
    if (lm__jobs_submit(api->jobs, job, &id, &err) != LM_OK) {
        if (edited_path[0])
            unlink(edited_path);
        resp->retry_after_s = 10;
        lm__respond_error(resp, 503, "queue_full", NULL, "%s", err.message);
        resp->retry_after_s = 10;
        return;
    }
    cJSON *o = lm__jobs_get(api->jobs, id);
    cJSON *root = cJSON_CreateObject();
    if (root && o) {
        cJSON_AddItemToObject(root, "job", o);
        char link[64];
        snprintf(link, sizeof link, "/api/jobs/%d", id);
        cJSON_AddStringToObject(root, "href", link);
    } else {
        cJSON_Delete(o);
    }
    lm__respond_json(resp, 202, root);
}

/* ---- routes ---- */

static void health(lm__api *api, lm__response *resp)
{
    int running, waiting, workers, capacity;
    lm__jobs_load(api->jobs, &running, &waiting, &workers, &capacity);
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddStringToObject(o, "status", "ok");
        cJSON_AddStringToObject(o, "version", lm_version());
        cJSON_AddBoolToObject(o, "charts", lm_report_has_charts());
        cJSON_AddStringToObject(o, "runs_dir", lm__runs_dir(api->runs));
        cJSON_AddStringToObject(o, "scenarios_dir", api->scenarios_dir);
        cJSON_AddNumberToObject(o, "body_limit", (double)api->body_limit);
        cJSON *j = cJSON_AddObjectToObject(o, "jobs");
        if (j) {
            cJSON_AddNumberToObject(j, "running", running);
            cJSON_AddNumberToObject(j, "waiting", waiting);
            cJSON_AddNumberToObject(j, "workers", workers);
            cJSON_AddNumberToObject(j, "queue_capacity", capacity);
        }
    }
    lm__respond_json(resp, 200, o);
}

static void api_index(lm__response *resp)
{
    static const char *const routes[] = {
        "GET /api/health",
        "GET /api/scenarios",
        "GET /api/scenarios/{name}",
        "GET /api/runs",
        "POST /api/runs",
        "GET /api/runs/{id}",
        "GET /api/runs/{id}/data/{core|sections|tables}",
        "GET /api/runs/{id}/region_year?region={name or index}",
        "GET /api/runs/{id}/report.html",
        "GET /api/runs/{id}/headline.svg",
        "GET /api/runs/{id}/compare.csv",
        "GET /api/runs/{id}/summary.txt",
        "GET /api/jobs",
        "GET /api/jobs/{id}",
        "DELETE /api/jobs/{id}",
    };
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = o ? cJSON_AddArrayToObject(o, "routes") : NULL;
    for (size_t i = 0; arr && i < sizeof routes / sizeof routes[0]; ++i)
        cJSON_AddItemToArray(arr, cJSON_CreateString(routes[i]));
    if (o)
        cJSON_AddStringToObject(o, "documentation", "docs/api.md in the source tree");
    lm__respond_json(resp, 200, o);
}

static void run_error(lm__response *resp, lm_status st, const lm_error *err)
{
    if (st == LM_EINVAL)
        lm__respond_error(resp, 400, "bad_request", error_fields(err), "%s", err->message);
    else if (st == LM_EIO)
        lm__respond_error(resp, 404, "not_found", error_fields(err), "%s", err->message);
    else
        lm__respond_error(resp, 500, "internal", error_fields(err), "%s", err->message);
}

static void run_routes(lm__api *api, const lm__request *rq, char **seg, int n,
                       lm__response *resp)
{
    const char *id = seg[2];
    lm_error err;
    lm_error_clear(&err);
    /* the whole report data, or one part of it: /data/core, /data/sections, /data/tables */
    unsigned parts = 0;
    if (n == 3)
        parts = LM_REPORT_PART_ALL;
    else if (n == 5 && strcmp(seg[3], "data") == 0)
        parts = strcmp(seg[4], "core") == 0       ? LM_REPORT_PART_CORE
                : strcmp(seg[4], "sections") == 0 ? LM_REPORT_PART_SECTIONS
                : strcmp(seg[4], "tables") == 0   ? LM_REPORT_PART_TABLES
                                                  : 0;
    if (n == 5 && strcmp(seg[3], "data") == 0 && !parts) {
        lm__respond_error(resp, 404, "not_found", NULL,
                          "no such part of a run's report data: %.40s (core, sections or tables)",
                          seg[4]);
        return;
    }
    if (parts) {
        char *json = NULL;
        const lm_status st = lm__runs_report_part(api->runs, id, parts, &json, &err);
        if (st != LM_OK) {
            run_error(resp, st, &err);
            return;
        }
        /* {"id": ..., "part": ..., "report": <the report data>}, spliced as text: no re-parse. */
        cJSON *idj = cJSON_CreateString(id);
        char *idtext = idj ? cJSON_PrintUnformatted(idj) : NULL;
        cJSON_Delete(idj);
        char *text = NULL;
        size_t len = 0;
        FILE *f = idtext ? open_memstream(&text, &len) : NULL;
        if (f) {
            fprintf(f, "{\"id\":%s,\"part\":\"%s\",\"href\":{\"report\":\"report.html\","
                       "\"figure\":\"headline.svg\"},\"report\":%s}",
                    idtext, n == 3 ? "all" : seg[4], json);
            fclose(f);
        }
        free(idtext);
        free(json);
        if (!text)
            lm__respond_error(resp, 500, "out_of_memory", NULL, "out of memory");
        else
            respond_text(resp, 200, "application/json; charset=utf-8", text, len);
        return;
    }
    if (n == 4 && strcmp(seg[3], "region_year") == 0) {
        const char *region = rq->query ? rq->query(rq->query_ctx, "region") : NULL;
        cJSON *out = NULL;
        const lm_status st = lm__runs_region_year(api->runs, id, region, &out, &err);
        if (st != LM_OK)
            run_error(resp, st, &err);
        else
            lm__respond_json(resp, 200, out);
        return;
    }
    if (n == 4 && (strcmp(seg[3], "compare.csv") == 0 || strcmp(seg[3], "summary.txt") == 0)) {
        /* issue 8: the paired comparison table (compare runs) and the printed summary. */
        char *data = NULL;
        size_t len = 0;
        const lm_status st = lm__runs_file(api->runs, id, seg[3], &data, &len, &err);
        if (st != LM_OK)
            run_error(resp, st, &err);
        else
            respond_text(resp, 200,
                         seg[3][0] == 'c' ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8",
                         data, len);
        return;
    }
    if (n == 4 && (strcmp(seg[3], "report.html") == 0 || strcmp(seg[3], "headline.svg") == 0)) {
        char *data = NULL;
        size_t len = 0;
        const lm_status st = lm__runs_file(api->runs, id, seg[3], &data, &len, &err);
        if (st != LM_OK) {
            run_error(resp, st, &err);
            return;
        }
        const bool html = seg[3][0] == 'r';
        respond_text(resp, 200, html ? "text/html; charset=utf-8" : "image/svg+xml", data, len);
        return;
    }
    lm__respond_error(resp, 404, "not_found", NULL, "no such resource of a run: %s", rq->path);
}

static bool method_is(const lm__request *rq, const char *m)
{
    return strcmp(rq->method, m) == 0 || (strcmp(m, "GET") == 0 && strcmp(rq->method, "HEAD") == 0);
}

static void not_allowed(lm__response *resp, const char *allow, const char *method)
{
    lm__respond_error(resp, 405, "method_not_allowed", NULL, "%.16s is not allowed here; use %s",
                      method, allow);
    resp->allow = allow;
}

static void job_routes(lm__api *api, const lm__request *rq, char **seg, int n,
                       lm__response *resp)
{
    if (n == 2) {
        if (!method_is(rq, "GET")) {
            not_allowed(resp, "GET", rq->method);
            return;
        }
        cJSON *o = cJSON_CreateObject();
        if (o)
            cJSON_AddItemToObject(o, "jobs", lm__jobs_list(api->jobs));
        lm__respond_json(resp, 200, o);
        return;
    }
    char *end = NULL;
    errno = 0;
    const long id = strtol(seg[2], &end, 10);
    if (n != 3 || !*seg[2] || *end || errno || id <= 0 || id > 1000000000) {
        lm__respond_error(resp, n == 3 ? 400 : 404, n == 3 ? "bad_job_id" : "not_found", NULL,
                          n == 3 ? "a job id is a positive integer" : "no such resource");
        return;
    }
    if (method_is(rq, "GET")) {
        cJSON *o = lm__jobs_get(api->jobs, (int)id);
        if (!o)
            lm__respond_error(resp, 404, "not_found", NULL, "no job %ld", id);
        else
            lm__respond_json(resp, 200, o);
    } else if (strcmp(rq->method, "DELETE") == 0) {
        const int rc = lm__jobs_cancel(api->jobs, (int)id);
        if (rc < 0)
            lm__respond_error(resp, 404, "not_found", NULL, "no job %ld", id);
        else if (rc > 0)
            lm__respond_error(resp, 409, "finished", NULL, "job %ld has already finished", id);
        else
            lm__respond_json(resp, 202, lm__jobs_get(api->jobs, (int)id));
    } else {
        not_allowed(resp, "GET, DELETE", rq->method);
    }
}

/* Splits path into segments (in buf); -1 when a segment is "." or ".." or the path is not
 * absolute, -2 when it has too many segments. */
static int split(const char *path, char *buf, size_t size, char **seg)
{
    if (path[0] != '/')
        return -1;
    snprintf(buf, size, "%s", path + 1);
    int n = 0;
    char *save = NULL;
    for (char *s = strtok_r(buf, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
        if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strchr(s, '\\'))
            return -1;
        if (n == SEGMENTS_MAX)
            return -2;
        seg[n++] = s;
    }
    return n;
}

void lm__api_handle(lm__api *api, const lm__request *rq, lm__response *resp)
{
    memset(resp, 0, sizeof *resp);
    if (!rq->path || !rq->method) {
        lm__respond_error(resp, 400, "bad_request", NULL, "no path or method");
        return;
    }
    const size_t plen = strlen(rq->path);
    if (plen > 2048) {
        lm__respond_error(resp, 414, "uri_too_long", NULL, "the path is longer than 2048 bytes");
        return;
    }
    char buf[2100];
    char *seg[SEGMENTS_MAX];
    const int n = split(rq->path, buf, sizeof buf, seg);
    if (n == -1) {
        lm__respond_error(resp, 400, "bad_path", NULL,
                          "paths may not contain '.', '..' or '\\' segments");
        return;
    }
    if (n == -2) {
        lm__respond_error(resp, 404, "not_found", NULL, "no such resource");
        return;
    }
    const bool get = method_is(rq, "GET");
    /* Pages and scripts of the dashboard. */
    if (n == 0 || (n == 1 && strcmp(seg[0], "index.html") == 0)) {
        if (!get)
            not_allowed(resp, "GET", rq->method);
        else
            respond_asset(resp, "index_html", "text/html; charset=utf-8");
        return;
    }
    if (strcmp(seg[0], "static") == 0) {
        static const struct {
            const char *file, *asset, *type;
        } files[] = {
            {"echarts.min.js", "echarts_js", "text/javascript; charset=utf-8"},
            {"report.js", "report_js", "text/javascript; charset=utf-8"},
            {"report.css", "report_css", "text/css; charset=utf-8"},
            {"app.js", "app_js", "text/javascript; charset=utf-8"},
        };
        for (size_t i = 0; n == 2 && i < sizeof files / sizeof files[0]; ++i)
            if (strcmp(seg[1], files[i].file) == 0) {
                if (!get)
                    not_allowed(resp, "GET", rq->method);
                else
                    respond_asset(resp, files[i].asset, files[i].type);
                return;
            }
        lm__respond_error(resp, 404, "not_found", NULL, "no such file: %s", rq->path);
        return;
    }
    if (strcmp(seg[0], "api") != 0) {
        lm__respond_error(resp, 404, "not_found", NULL, "no such resource: %.200s (see /api)",
                          rq->path);
        return;
    }
    if (n == 1) {
        get ? api_index(resp) : not_allowed(resp, "GET", rq->method);
        return;
    }
    if (strcmp(seg[1], "health") == 0 && n == 2) {
        get ? health(api, resp) : not_allowed(resp, "GET", rq->method);
        return;
    }
    if (strcmp(seg[1], "scenarios") == 0 && n <= 3) {
        if (!get)
            not_allowed(resp, "GET", rq->method);
        else if (n == 2)
            list_scenarios(api, resp);
        else
            scenario_detail(api, seg[2], resp);
        return;
    }
    if (strcmp(seg[1], "runs") == 0) {
        if (n == 2) {
            if (get) {
                cJSON *o = cJSON_CreateObject();
                if (o)
                    cJSON_AddItemToObject(o, "runs", lm__runs_list(api->runs));
                lm__respond_json(resp, 200, o);
            } else if (strcmp(rq->method, "POST") == 0) {
                start_run(api, rq, resp);
            } else {
                not_allowed(resp, "GET, POST", rq->method);
            }
            return;
        }
        if (!get) {
            not_allowed(resp, "GET", rq->method);
            return;
        }
        if (!lm__run_id_valid(seg[2])) {
            lm__respond_error(resp, 400, "bad_run_id", NULL,
                              "not a run id (a results folder's name: no '/', no leading '.')");
            return;
        }
        run_routes(api, rq, seg, n, resp);
        return;
    }
    if (strcmp(seg[1], "jobs") == 0 && n <= 3) {
        job_routes(api, rq, seg, n, resp);
        return;
    }
    lm__respond_error(resp, 404, "not_found", NULL, "no such resource: %.200s (see /api)",
                      rq->path);
}
