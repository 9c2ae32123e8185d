/* src/scenario/levers.c -- the levers file of `longmen optimise` (levers.h). Parsed with the
 * scenario loader's positioned YAML tree (yaml.h) and its typed readers (fields.c), so every
 * error is file:line:col: field: message at the offending node, with a "did you mean" for a
 * misspelt key. Only the file's own structure is checked here; whether an edit fits the
 * scenario is checked by the optimiser before it simulates (it applies each lever at its
 * bounds and reports a failure at the lever). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/levers.h"
#include "scenario/load_int.h"

#define LEVERS_FILE_MAX ((size_t)1 << 20) /* 1 MB: a levers file is a few lines */

static const char *const top_keys[] = {"region", "levers"};
static const char *const lever_keys[] = {"name",  "set",  "min",           "max",
                                         "start", "step", "cost_per_unit", "values",
                                         "options"};
static const char *const option_keys[] = {"label", "set", "adopt", "cost"};

/* Every key of map must be one of keys[0..n). */
static lm_status check_keys(const lm__lctx *c, const lm__ynode *map, const char *path,
                            const char *const *keys, size_t n)
{
    for (size_t i = 0; i < map->n; ++i) {
        const lm__ynode *k = map->item[2 * i];
        bool known = false;
        for (size_t j = 0; k->kind == LM_Y_SCALAR && j < n && !known; ++j)
            known = strcmp(k->text, keys[j]) == 0;
        if (!known) {
            char sub[LM_PATH_MAX], msg[256];
            lm__path_key(sub, path, k->kind == LM_Y_SCALAR ? k->text : "?");
            snprintf(msg, sizeof msg, "unknown key");
            if (k->kind == LM_Y_SCALAR)
                lm__did_you_mean(msg, sizeof msg, k->text, keys, n);
            return lm__fail(c, k, sub, "%s", msg);
        }
    }
    return LM_OK;
}

static lm_status read_num(const lm__lctx *c, const lm__ynode *map, const char *path,
                          const char *key, double lo, double hi, unsigned flags, double *out)
{
    const lm__ynode *n = lm__ymap_get(map, key);
    if (!n)
        return LM_OK;
    char sub[LM_PATH_MAX];
    lm__path_key(sub, path, key);
    return lm__read_number(c, n, sub, lo, hi, flags, out);
}

/* An edit's text: no '=' in a `set` of a continuous or values lever (want_eq false), an '='
 * in an option's set, a ':' in an adopt. */
static lm_status read_edit(const lm__lctx *c, const lm__ynode *n, const char *path, char *out,
                           int want)
{
    lm_status st = lm__read_string(c, n, path, out, LM_LEVER_EDIT_LEN);
    if (st != LM_OK)
        return st;
    if (!out[0])
        return lm__fail(c, n, path, "expected an edit, got nothing");
    if (want == 0 && strchr(out, '='))
        return lm__fail(c, n, path,
                        "\"%s\": expected the left side of an edit only (REGION.KIND.FIELD, "
                        "REGION.FIELD or params.GROUP.FIELD); the optimiser supplies the value",
                        out);
    if (want == 1 && (!strchr(out, '=') || out[0] == '='))
        return lm__fail(c, n, path, "\"%s\": expected NAME=VALUE", out);
    if (want == 2 && !strchr(out, ':'))
        return lm__fail(c, n, path, "\"%s\": expected TO:FROM.KIND", out);
    return LM_OK;
}

/* An option's set or adopt: a string or a list of strings. */
static lm_status read_edit_list(const lm__lctx *c, lm__levers *lv, const lm__ynode *n,
                                const char *path, bool adopt)
{
    const size_t count = n->kind == LM_Y_SEQ ? n->n : 1;
    if (n->kind == LM_Y_MAP)
        return lm__fail(c, n, path, "expected an edit or a list of edits, got a mapping");
    for (size_t i = 0; i < count; ++i) {
        const lm__ynode *e = n->kind == LM_Y_SEQ ? n->item[i] : n;
        char sub[LM_PATH_MAX];
        if (n->kind == LM_Y_SEQ)
            lm__path_index(sub, path, i);
        else
            snprintf(sub, sizeof sub, "%s", path);
        if (lv->n_edits >= LM_LEVERS_EDITS_MAX)
            return lm__fail(c, e, sub, "more than %d edits in the options of one file",
                            LM_LEVERS_EDITS_MAX);
        lm_status st = read_edit(c, e, sub, lv->edit[lv->n_edits], adopt ? 2 : 1);
        if (st != LM_OK)
            return st;
        lv->edit_is_adopt[lv->n_edits++] = adopt;
    }
    return LM_OK;
}

static lm_status read_options(const lm__lctx *c, lm__levers *lv, lm__lever *L,
                              const lm__ynode *seq, const char *path)
{
    lm_status st = lm__expect_kind(c, seq, path, LM_Y_SEQ);
    if (st != LM_OK)
        return st;
    if (seq->n < 2 || seq->n > LM_LEVER_OPTIONS_MAX)
        return lm__fail(c, seq, path, "expected 2 to %d options, got %zu", LM_LEVER_OPTIONS_MAX,
                        seq->n);
    for (size_t i = 0; i < seq->n; ++i) {
        char sub[LM_PATH_MAX], key[LM_PATH_MAX];
        lm__path_index(sub, path, i);
        const lm__ynode *o = seq->item[i];
        if ((st = lm__expect_kind(c, o, sub, LM_Y_MAP)) != LM_OK ||
            (st = check_keys(c, o, sub, option_keys, 4)) != LM_OK)
            return st;
        lm__lever_option *O = &L->option[i];
        const lm__ynode *label = lm__ymap_get(o, "label");
        if (!label)
            return lm__fail(c, o, sub, "required key \"label\" is missing");
        lm__path_key(key, sub, "label");
        if ((st = lm__read_string(c, label, key, O->label, sizeof O->label)) != LM_OK)
            return st;
        if (!O->label[0])
            return lm__fail(c, label, key, "expected a label, got nothing");
        for (size_t j = 0; j < i; ++j)
            if (strcmp(L->option[j].label, O->label) == 0)
                return lm__fail(c, label, key, "label \"%s\" is given twice", O->label);
        if ((st = read_num(c, o, sub, "cost", 0, INFINITY, 0, &O->cost)) != LM_OK)
            return st;
        O->first_edit = lv->n_edits;
        /* adoptions first, as compare applies them */
        const lm__ynode *a = lm__ymap_get(o, "adopt"), *s = lm__ymap_get(o, "set");
        if (a) {
            lm__path_key(key, sub, "adopt");
            if ((st = read_edit_list(c, lv, a, key, true)) != LM_OK)
                return st;
        }
        if (s) {
            lm__path_key(key, sub, "set");
            if ((st = read_edit_list(c, lv, s, key, false)) != LM_OK)
                return st;
        }
        O->n_edits = lv->n_edits - O->first_edit;
    }
    L->n_options = (int)seq->n;
    return LM_OK;
}

static lm_status read_lever(const lm__lctx *c, lm__levers *lv, lm__lever *L, const lm__ynode *m,
                            const char *path)
{
    lm_status st = lm__expect_kind(c, m, path, LM_Y_MAP);
    if (st != LM_OK || (st = check_keys(c, m, path, lever_keys, 9)) != LM_OK)
        return st;
    L->line = m->line;
    L->column = m->column;
    L->start = NAN;
    char key[LM_PATH_MAX];
    const lm__ynode *name = lm__ymap_get(m, "name");
    if (!name)
        return lm__fail(c, m, path, "required key \"name\" is missing");
    lm__path_key(key, path, "name");
    if ((st = lm__read_string(c, name, key, L->name, sizeof L->name)) != LM_OK)
        return st;
    if (!L->name[0] || strspn(L->name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(L->name))
        return lm__fail(c, name, key, "expected a name of a-z, 0-9 and _, got \"%s\"", L->name);
    const lm__ynode *set = lm__ymap_get(m, "set"), *values = lm__ymap_get(m, "values"),
                    *options = lm__ymap_get(m, "options"), *mn = lm__ymap_get(m, "min"),
                    *mx = lm__ymap_get(m, "max");
    if (options) {
        const char *extra = set ? "set" : values ? "values" : mn ? "min" : mx ? "max" : NULL;
        if (!extra)
            extra = lm__ymap_get(m, "start")           ? "start"
                    : lm__ymap_get(m, "step")          ? "step"
                    : lm__ymap_get(m, "cost_per_unit") ? "cost_per_unit"
                                                       : NULL;
        if (extra) {
            lm__path_key(key, path, extra);
            return lm__fail(c, lm__ymap_key(m, extra), key,
                            "a lever with options takes no %s (each option has its edits)",
                            extra);
        }
        L->kind = LM_LEVER_OPTIONS;
        lm__path_key(key, path, "options");
        return read_options(c, lv, L, options, key);
    }
    if (!set)
        return lm__fail(c, m, path, "expected \"set\" with min and max or with values, or "
                                    "\"options\"");
    lm__path_key(key, path, "set");
    if ((st = read_edit(c, set, key, L->set, 0)) != LM_OK)
        return st;
    if ((st = read_num(c, m, path, "cost_per_unit", -INFINITY, INFINITY, 0, &L->cost_per_unit)) !=
        LM_OK)
        return st;
    if (values) {
        const char *extra = mn ? "min" : mx ? "max" : lm__ymap_get(m, "start") ? "start"
                                              : lm__ymap_get(m, "step")        ? "step"
                                                                               : NULL;
        if (extra) {
            lm__path_key(key, path, extra);
            return lm__fail(c, lm__ymap_key(m, extra), key,
                            "a lever with values takes no %s", extra);
        }
        L->kind = LM_LEVER_VALUES;
        lm__path_key(key, path, "values");
        if ((st = lm__expect_kind(c, values, key, LM_Y_SEQ)) != LM_OK)
            return st;
        if (values->n < 1 || values->n > LM_LEVER_OPTIONS_MAX)
            return lm__fail(c, values, key, "expected 1 to %d values, got %zu",
                            LM_LEVER_OPTIONS_MAX, values->n);
        for (size_t i = 0; i < values->n; ++i) {
            char sub[LM_PATH_MAX];
            lm__path_index(sub, key, i);
            if ((st = lm__read_number(c, values->item[i], sub, -INFINITY, INFINITY, 0,
                                      &L->value[i])) != LM_OK)
                return st;
            for (size_t j = 0; j < i; ++j)
                if (L->value[j] == L->value[i])
                    return lm__fail(c, values->item[i], sub, "value %g is given twice",
                                    L->value[i]);
        }
        L->n_options = (int)values->n;
        return LM_OK;
    }
    L->kind = LM_LEVER_CONTINUOUS;
    if (!mn || !mx)
        return lm__fail(c, m, path, "required key \"%s\" is missing (a continuous lever has "
                                    "min and max; a discrete one values or options)",
                        mn ? "max" : "min");
    if ((st = read_num(c, m, path, "min", -INFINITY, INFINITY, 0, &L->lo)) != LM_OK ||
        (st = read_num(c, m, path, "max", -INFINITY, INFINITY, 0, &L->hi)) != LM_OK)
        return st;
    lm__path_key(key, path, "max");
    if (!(L->hi > L->lo))
        return lm__fail(c, mx, key, "expected a number > min (%g), got %g", L->lo, L->hi);
    if ((st = read_num(c, m, path, "start", L->lo, L->hi, 0, &L->start)) != LM_OK ||
        (st = read_num(c, m, path, "step", 0, L->hi - L->lo, LM_FL_LO_OPEN, &L->step)) != LM_OK)
        return st;
    return LM_OK;
}

static lm_status parse_root(const lm__lctx *c, lm__levers *lv, const lm__ynode *root)
{
    if (!root)
        return lm__fail(c, NULL, "levers", "the file holds no YAML (expected a mapping with "
                                           "\"levers\")");
    lm_status st = lm__expect_kind(c, root, "", LM_Y_MAP);
    if (st != LM_OK || (st = check_keys(c, root, "", top_keys, 2)) != LM_OK)
        return st;
    const lm__ynode *region = lm__ymap_get(root, "region");
    if (region && (st = lm__read_string(c, region, "region", lv->region, sizeof lv->region)) !=
                      LM_OK)
        return st;
    const lm__ynode *levers = lm__ymap_get(root, "levers");
    if (!levers)
        return lm__fail(c, root, "levers", "required key \"levers\" is missing");
    if ((st = lm__expect_kind(c, levers, "levers", LM_Y_SEQ)) != LM_OK)
        return st;
    if (levers->n < 1 || levers->n > LM_LEVERS_MAX)
        return lm__fail(c, levers, "levers", "expected 1 to %d levers, got %zu", LM_LEVERS_MAX,
                        levers->n);
    long long combos = 1;
    for (size_t i = 0; i < levers->n; ++i) {
        char path[LM_PATH_MAX];
        lm__path_index(path, "levers", i);
        lm__lever *L = &lv->lever[i];
        if ((st = read_lever(c, lv, L, levers->item[i], path)) != LM_OK)
            return st;
        for (size_t j = 0; j < i; ++j)
            if (strcmp(lv->lever[j].name, L->name) == 0) {
                char key[LM_PATH_MAX];
                lm__path_key(key, path, "name");
                return lm__fail(c, lm__ymap_get(levers->item[i], "name"), key,
                                "lever \"%s\" is given twice", L->name);
            }
        if (L->kind != LM_LEVER_CONTINUOUS)
            combos *= L->n_options;
        if (combos > 256)
            return lm__fail(c, levers->item[i], path,
                            "the discrete levers have more than 256 combinations");
        lv->n = (int)i + 1;
    }
    return LM_OK;
}

lm_status lm__levers_parse(const char *text, size_t len, const char *name, lm__levers **out,
                           lm_error *err)
{
    *out = NULL;
    lm_error_clear(err);
    if (len > LEVERS_FILE_MAX)
        return lm_error_set_at(err, LM_EINVAL, name, 0, 0, NULL,
                               "the levers file is larger than 1 MB");
    lm_status st = lm__utf8_check(text, len, name, err);
    if (st != LM_OK)
        return st;
    lm__levers *lv = calloc(1, sizeof *lv);
    char *copy = malloc(len + 1);
    if (!lv || !copy) {
        free(lv);
        free(copy);
        LM_FAIL(err, LM_ENOMEM, "levers file");
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    lv->text = copy;
    lv->text_len = len;
    snprintf(lv->file, sizeof lv->file, "%s", name);
    lm__ydoc doc = {0};
    st = lm__yaml_parse(text, len, lv->file, &doc, err);
    if (st == LM_OK) {
        const lm__lctx c = {.file = lv->file, .err = err, .p = NULL, .root = doc.root};
        st = parse_root(&c, lv, doc.root);
    }
    lm__yaml_free(&doc);
    if (st != LM_OK) {
        lm__levers_free(lv);
        return st;
    }
    *out = lv;
    return LM_OK;
}

lm_status lm__levers_load(const char *path, lm__levers **out, lm_error *err)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    lm_status st = lm__read_text(path, &text, &len, err);
    if (st == LM_OK)
        st = lm__levers_parse(text, len, path, out, err);
    free(text);
    return st;
}

void lm__levers_free(lm__levers *lv)
{
    if (!lv)
        return;
    free(lv->text);
    free(lv);
}

bool lm__levers_expand(const char *tmpl, const char *region, char *out, size_t size)
{
    static const char tag[] = "{region}";
    size_t k = 0;
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, tag, sizeof tag - 1) == 0) {
            const size_t n = strlen(region);
            if (k + n >= size)
                return false;
            memcpy(out + k, region, n);
            k += n;
            p += sizeof tag - 1;
        } else {
            if (k + 1 >= size)
                return false;
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    return true;
}
