/* src/scenario/sens_params.c -- the params file of `longmen sensitivity`
 * (include/longmen/sensitivity.h): which parameters vary, over which ranges, and which
 * outputs are analysed. Read with the scenario loader's positioned YAML tree and typed
 * readers (yaml.h, fields.c), so its errors have the same form, file:line:col: field:
 * message, with "did you mean" for unknown keys and metrics. Whether a parameter name
 * applies to a scenario, and whether a region exists, is for the experiment to check
 * (src/experiments/sensitivity.c): one params file may serve several scenarios. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "longmen/sensitivity.h"
#include "scenario/load_int.h"

#define SENS_FILE_MAX (1u << 20) /* a params file is a few lines; 1 MB is plenty */

/* Every key of map must be one of keys[0..n). */
static lm_status check_keys(const lm__lctx *c, const lm__ynode *map, const char *path,
                            const char *const *keys, size_t n)
{
    for (size_t k = 0; k < map->n; ++k) {
        const lm__ynode *key = map->item[2 * k];
        char where[LM_PATH_MAX];
        if (key->kind != LM_Y_SCALAR)
            return lm__fail(c, key, path, "expected a key, got a %s",
                            key->kind == LM_Y_SEQ ? "list" : "mapping");
        bool known = false;
        for (size_t i = 0; i < n && !known; ++i)
            known = strcmp(key->text, keys[i]) == 0;
        if (!known) {
            char msg[320];
            lm__path_key(where, path, key->text);
            snprintf(msg, sizeof msg, "unknown key \"%.64s\"", key->text);
            return lm__fail(c, key, where, "%s",
                            lm__did_you_mean(msg, sizeof msg, key->text, keys, n));
        }
    }
    return LM_OK;
}

static lm_status read_metric(const lm__lctx *c, const lm__ynode *n, const char *path,
                             const char *text, lm_sens_metric *out)
{
    const int m = lm_metric_find(text);
    if (m >= 0) {
        *out = (lm_sens_metric)m;
        return LM_OK;
    }
    const char *words[LM_METRIC_COUNT];
    char msg[800];
    int len = snprintf(msg, sizeof msg, "unknown metric \"%.64s\" (expected", text);
    for (int k = 0; k < LM_METRIC_COUNT; ++k) {
        words[k] = lm_metric_word((lm_metric)k);
        len += snprintf(msg + len, sizeof msg - (size_t)len, "%s %s", k ? "," : "", words[k]);
    }
    snprintf(msg + len, sizeof msg - (size_t)len, ")");
    return lm__fail(c, n, path, "%s",
                    lm__did_you_mean(msg, sizeof msg, text, words, LM_METRIC_COUNT));
}

static lm_status read_param(const lm__lctx *c, const lm__ynode *n, const char *path,
                            lm_sens_param *p)
{
    static const char *const keys[] = {"name", "lo", "hi"};
    lm_status st = lm__expect_kind(c, n, path, LM_Y_MAP);
    if (st == LM_OK)
        st = check_keys(c, n, path, keys, 3);
    if (st != LM_OK)
        return st;
    p->line = n->line;
    p->column = n->column;
    char where[LM_PATH_MAX];
    for (int k = 0; k < 3; ++k)
        if (!lm__ymap_get(n, keys[k]))
            return lm__fail(c, n, path, "required key \"%s\" missing", keys[k]);
    lm__path_key(where, path, "name");
    if (st == LM_OK)
        st = lm__read_string(c, lm__ymap_get(n, "name"), where, p->name, sizeof p->name);
    if (st == LM_OK) {
        const lm__ynode *nm = lm__ymap_get(n, "name");
        const size_t len = strlen(p->name);
        if (len == 0 || strchr(p->name, '=') || p->name[0] == '.' || p->name[len - 1] == '.' ||
            !strchr(p->name, '.') || strspn(p->name, " \t") > 0)
            return lm__fail(c, nm, where,
                            "expected REGION.KIND.FIELD, REGION.FIELD or params.GROUP.FIELD "
                            "(the left side of a --policy edit), got \"%.64s\"",
                            p->name);
    }
    lm__path_key(where, path, "lo");
    if (st == LM_OK)
        st = lm__read_number(c, lm__ymap_get(n, "lo"), where, -INFINITY, INFINITY, 0, &p->lo);
    lm__path_key(where, path, "hi");
    if (st == LM_OK)
        st = lm__read_number(c, lm__ymap_get(n, "hi"), where, -INFINITY, INFINITY, 0, &p->hi);
    if (st == LM_OK && !(p->hi > p->lo))
        return lm__fail(c, lm__ymap_get(n, "hi"), where, "expected a number above lo = %g, got %g",
                        p->lo, p->hi);
    return st;
}

/* "METRIC", "REGION.METRIC" (the metric after the last dot) or {metric, region}. */
static lm_status read_output(const lm__lctx *c, const lm__ynode *n, const char *path,
                             lm_sens_output *o)
{
    char where[LM_PATH_MAX], got[128];
    o->line = n ? n->line : 0;
    o->column = n ? n->column : 0;
    o->region[0] = '\0';
    if (n && n->kind == LM_Y_SCALAR && !lm__ynull(n)) {
        char text[256];
        lm_status st = lm__read_string(c, n, path, text, sizeof text);
        if (st != LM_OK)
            return st;
        const char *dot = strrchr(text, '.');
        if (dot) {
            if (dot == text || (size_t)(dot - text) >= sizeof o->region)
                return lm__fail(c, n, path, "expected METRIC or REGION.METRIC, got \"%.64s\"",
                                text);
            snprintf(o->region, sizeof o->region, "%.*s", (int)(dot - text), text);
        }
        return read_metric(c, n, path, dot ? dot + 1 : text, &o->metric);
    }
    if (!n || n->kind != LM_Y_MAP)
        return lm__fail(c, n, path, "expected a metric (e.g. dragons, or REGION.dragons) or a "
                                    "mapping {metric, region}, got %s",
                        lm__ydescribe(n, got, sizeof got));
    static const char *const keys[] = {"metric", "region"};
    lm_status st = check_keys(c, n, path, keys, 2);
    if (st != LM_OK)
        return st;
    const lm__ynode *m = lm__ymap_get(n, "metric");
    if (!m)
        return lm__fail(c, n, path, "required key \"metric\" missing");
    lm__path_key(where, path, "metric");
    char text[64];
    if ((st = lm__read_string(c, m, where, text, sizeof text)) != LM_OK)
        return st;
    if ((st = read_metric(c, m, where, text, &o->metric)) != LM_OK)
        return st;
    const lm__ynode *r = lm__ymap_get(n, "region");
    lm__path_key(where, path, "region");
    if (r && (st = lm__read_string(c, r, where, o->region, sizeof o->region)) != LM_OK)
        return st;
    return LM_OK;
}

static lm_status read_spec(const lm__lctx *c, const lm__ynode *root, lm_sens_spec *s)
{
    char got[128], where[LM_PATH_MAX];
    if (!root)
        return lm__fail(c, NULL, "", "the file holds no YAML content (expected parameters: and "
                                     "outputs:)");
    lm_status st = lm__expect_kind(c, root, "", LM_Y_MAP);
    static const char *const keys[] = {"parameters", "outputs", "description"};
    if (st == LM_OK)
        st = check_keys(c, root, "", keys, 3);
    if (st != LM_OK)
        return st;
    const lm__ynode *desc = lm__ymap_get(root, "description");
    if (desc && desc->kind != LM_Y_SCALAR)
        return lm__fail(c, desc, "description", "expected a string, got %s",
                        lm__ydescribe(desc, got, sizeof got));
    const lm__ynode *ps = lm__ymap_get(root, "parameters");
    const lm__ynode *os = lm__ymap_get(root, "outputs");
    if (!ps)
        return lm__fail(c, root, "", "required key \"parameters\" missing");
    if (!os)
        return lm__fail(c, root, "", "required key \"outputs\" missing");
    if ((st = lm__expect_kind(c, ps, "parameters", LM_Y_SEQ)) != LM_OK ||
        (st = lm__expect_kind(c, os, "outputs", LM_Y_SEQ)) != LM_OK)
        return st;
    if (ps->n < 1 || ps->n > LM_SENS_MAX_PARAMS)
        return lm__fail(c, ps, "parameters", "expected 1 to %d parameters, got %zu",
                        LM_SENS_MAX_PARAMS, ps->n);
    if (os->n < 1 || os->n > LM_SENS_MAX_OUTPUTS)
        return lm__fail(c, os, "outputs", "expected 1 to %d outputs, got %zu",
                        LM_SENS_MAX_OUTPUTS, os->n);
    for (size_t i = 0; i < ps->n; ++i) {
        lm__path_index(where, "parameters", i);
        lm_sens_param *p = &s->params[i];
        if ((st = read_param(c, ps->item[i], where, p)) != LM_OK)
            return st;
        for (size_t k = 0; k < i; ++k)
            if (strcmp(s->params[k].name, p->name) == 0)
                return lm__fail(c, ps->item[i], where,
                                "parameter \"%.64s\" is given twice (also parameters[%zu])",
                                p->name, k);
        s->n_params = (int)i + 1;
    }
    for (size_t i = 0; i < os->n; ++i) {
        lm__path_index(where, "outputs", i);
        lm_sens_output *o = &s->outputs[i];
        if ((st = read_output(c, os->item[i], where, o)) != LM_OK)
            return st;
        for (size_t k = 0; k < i; ++k)
            if (s->outputs[k].metric == o->metric && strcmp(s->outputs[k].region, o->region) == 0)
                return lm__fail(c, os->item[i], where,
                                "output %s%s%s is given twice (also outputs[%zu])",
                                o->region, o->region[0] ? "." : "",
                                lm_metric_word(o->metric), k);
        s->n_outputs = (int)i + 1;
    }
    return LM_OK;
}

lm_status lm_sens_spec_parse(const char *text, size_t len, const char *name, lm_sens_spec *out,
                             lm_error *err)
{
    memset(out, 0, sizeof *out);
    lm_error_clear(err);
    const char *file = name ? name : "<params>";
    snprintf(out->file, sizeof out->file, "%s", file);
    if (len > SENS_FILE_MAX)
        return lm_error_set_at(err, LM_EINVAL, file, 0, 0, NULL,
                               "the file is %zu bytes, more than the limit of %u for a params "
                               "file",
                               len, SENS_FILE_MAX);
    lm_status st = lm__utf8_check(text, len, file, err);
    if (st != LM_OK)
        return st;
    lm__ydoc doc = {0};
    st = lm__yaml_parse(text, len, file, &doc, err);
    if (st == LM_OK) {
        const lm__lctx c = {.file = file, .err = err, .p = NULL, .root = doc.root};
        st = read_spec(&c, doc.root, out);
    }
    lm__yaml_free(&doc);
    if (st != LM_OK) {
        out->n_params = 0;
        out->n_outputs = 0;
    }
    return st;
}

lm_status lm_sens_spec_load(const char *path, lm_sens_spec *out, lm_error *err)
{
    memset(out, 0, sizeof *out);
    lm_error_clear(err);
    char *text = NULL;
    size_t len = 0;
    lm_status st = lm__read_text(path, &text, &len, err);
    if (st == LM_OK)
        st = lm_sens_spec_parse(text, len, path, out, err);
    free(text);
    return st;
}
