/* src/scenario/edits.c -- counterfactual edits of a scenario (experiments issue, `longmen
 * compare`; include/longmen/experiments.h). The edits act on the parsed YAML tree, after an
 * extends: chain is merged and before the loader reads the tree, so an edited value goes
 * through exactly the checks a value in the file goes through and a bad one is reported the
 * same way (file:line:col: field: message, at the node it replaces). The server's edits
 * (src/server/edit.c) rewrite the text in place and so can only change values the file
 * holds; a counterfactual must also set a value left at its default and copy a whole policy
 * from one region to another, which needs the tree.
 *
 *   set   "REGION.KIND.FIELD=VALUE"   first policy of kind KIND in REGION (KIND#N: the N-th)
 *         "REGION.FIELD[.SUB]=VALUE"  a region key (nested mappings allowed)
 *         "params.GROUP.FIELD=VALUE"  a global parameter
 *   adopt "X:Y.KIND[@YYYY-MM]"        Y's first policy of kind KIND, copied (all its keys,
 *                                     dates included) into X in place of X's first policy of
 *                                     that kind, or appended to X's policies; with @YYYY-MM
 *                                     the copy starts that month and has no end (Y's dates
 *                                     are Y's history, not X's decision)
 *   add   "X:Y.KIND[@YYYY-MM]"        the same copy appended beside X's own policies, so X
 *                                     keeps its policy of that kind and gains Y's
 * Regions are named by `name` or `name_en`. Adoptions and additions apply before the sets, so a set can
 * tune an adopted policy. Nodes are never changed in place: a mapping or list that changes
 * is cloned, so a policy adopted by two regions stays two independent policies. */
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "longmen/experiments.h"
#include "scenario/edits_int.h"
#include "scenario/load_int.h"
#include "scenario/scenario_int.h"

#define EDIT_MAX 256

static lm_status bad(lm_error *err, const lm__ynode *at, const char *file, const char *edit,
                     const char *fmt, const char *a, const char *b)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    return lm_error_set_at(err, LM_EINVAL, at && at->file ? at->file : file, at ? at->line : 0,
                           at ? at->column : 0, edit, "%s", msg);
}

static lm__ynode *clone_node(lm__ydoc *doc, const lm__ynode *n, size_t extra_items)
{
    lm__ynode *c = lm__yaml_alloc(doc, sizeof *c);
    if (!c)
        return NULL;
    *c = *n;
    const size_t slots = (n->kind == LM_Y_MAP ? 2 * n->n : n->n) + extra_items;
    c->item = slots ? lm__yaml_alloc(doc, slots * sizeof *c->item) : NULL;
    if (slots && !c->item)
        return NULL;
    const size_t have = n->kind == LM_Y_MAP ? 2 * n->n : n->n;
    if (have)
        memcpy(c->item, n->item, have * sizeof *c->item);
    return c;
}

static lm__ynode *new_scalar(lm__ydoc *doc, const lm__ynode *at, const char *text)
{
    lm__ynode *s = lm__yaml_alloc(doc, sizeof *s);
    char *t = lm__yaml_alloc(doc, strlen(text) + 1);
    if (!s || !t)
        return NULL;
    memset(s, 0, sizeof *s);
    strcpy(t, text);
    s->kind = LM_Y_SCALAR;
    s->line = at->line;
    s->column = at->column;
    s->file = at->file;
    s->text = t;
    s->len = strlen(t);
    return s;
}

static lm__ynode *new_map(lm__ydoc *doc, const lm__ynode *at)
{
    lm__ynode *m = lm__yaml_alloc(doc, sizeof *m);
    if (!m)
        return NULL;
    memset(m, 0, sizeof *m);
    m->kind = LM_Y_MAP;
    m->line = at->line;
    m->column = at->column;
    m->file = at->file;
    return m;
}

/* A copy of map with key set to value (replaced, or appended). NULL: out of memory. */
static lm__ynode *map_with(lm__ydoc *doc, const lm__ynode *map, const char *key,
                           lm__ynode *value)
{
    for (size_t i = 0; i < map->n; ++i)
        if (map->item[2 * i]->kind == LM_Y_SCALAR && strcmp(map->item[2 * i]->text, key) == 0) {
            lm__ynode *c = clone_node(doc, map, 0);
            if (c)
                c->item[2 * i + 1] = value;
            return c;
        }
    lm__ynode *c = clone_node(doc, map, 2);
    lm__ynode *k = new_scalar(doc, map, key);
    if (!c || !k)
        return NULL;
    c->item[2 * c->n] = k;
    c->item[2 * c->n + 1] = value;
    ++c->n;
    return c;
}

/* The tree under map with the path keys[0..n) set to text: every mapping on the way is
 * cloned (created when absent). NULL and *bad_at when a node on the way is no mapping. */
static lm__ynode *set_path(lm__ydoc *doc, const lm__ynode *map, char **keys, int n,
                           const char *text, const lm__ynode **bad_at, bool *oom)
{
    const lm__ynode *old = lm__ymap_get(map, keys[0]);
    lm__ynode *value;
    if (n == 1) {
        /* The new scalar sits where the old value was, so errors point at that line. */
        value = new_scalar(doc, old ? old : map, text);
    } else {
        lm__ynode *fresh = NULL;
        if (old && old->kind != LM_Y_MAP && !lm__ynull(old)) {
            *bad_at = old;
            return NULL;
        }
        if (!old || lm__ynull(old))
            old = fresh = new_map(doc, old ? old : map);
        if (!old) {
            *oom = true;
            return NULL;
        }
        value = set_path(doc, old, keys + 1, n - 1, text, bad_at, oom);
    }
    if (!value) {
        *oom = *oom || !*bad_at;
        return NULL;
    }
    lm__ynode *c = map_with(doc, map, keys[0], value);
    if (!c)
        *oom = true;
    return c;
}

/* A region by `name` or `name_en` as written, else by `name_en` ignoring case, so that
 * a lower-case `name_en` finds its region (the form of the examples in the issues). */
static int find_region(const lm__ynode *regions, const char *name)
{
    for (int pass = 0; pass < 2; ++pass)
        for (size_t r = 0; regions && regions->kind == LM_Y_SEQ && r < regions->n; ++r) {
            const lm__ynode *a = lm__ymap_get(regions->item[r], "name");
            const lm__ynode *b = lm__ymap_get(regions->item[r], "name_en");
            const bool hit =
                pass == 0 ? (a && a->kind == LM_Y_SCALAR && strcmp(a->text, name) == 0) ||
                                (b && b->kind == LM_Y_SCALAR && strcmp(b->text, name) == 0)
                          : b && b->kind == LM_Y_SCALAR && strcasecmp(b->text, name) == 0;
            if (hit)
                return (int)r;
        }
    return -1;
}

/* "no region named 'jiasi'; did you mean "Jiashi"? Valid: ..." with every region's name and
 * name_en as choices. */
static lm_status no_region(lm_error *err, const lm__ynode *regions, const char *file,
                           const char *option, const char *name, const char *spec)
{
    const char *names[2 * LM_MAX_REGIONS];
    size_t n = 0;
    for (size_t r = 0; regions && regions->kind == LM_Y_SEQ && r < regions->n; ++r)
        for (int k = 0; k < 2 && n < sizeof names / sizeof names[0]; ++k) {
            const lm__ynode *v = lm__ymap_get(regions->item[r], k ? "name_en" : "name");
            if (v && v->kind == LM_Y_SCALAR && v->text[0])
                names[n++] = v->text;
        }
    char msg[400];
    snprintf(msg, sizeof msg, "no region named '%s' in the scenario (%s)", name, spec);
    return bad(err, regions, file, option, "%s%s", lm__did_you_mean(msg, sizeof msg, name, names, n),
               NULL);
}

/* "guidance_fund" names a region's government guidance funds in this order: its early-stage
 * funds first (st_fund: the loss-tolerant funds that invest early and small, the ones the essay
 * credits), then its industry funds (innovation_fund), then provincial funds of funds; each
 * kind in file order. So "jiashi.guidance_fund" is Jiashi's first st_fund wherever its
 * industry fund stands in the file, and "guidance_fund#2" the next in that order. */
static const char *const guidance_kinds[] = {"st_fund", "innovation_fund", "provincial_fof"};

/* "KIND" or "KIND#N" (the N-th policy of that kind, from 1): the kind into base, N returned
 * (0 when the suffix is not a number from 1 to 99). */
static int kind_ordinal(const char *kind, char *base, size_t size)
{
    snprintf(base, size, "%s", kind);
    char *hash = strchr(base, '#');
    if (!hash)
        return 1;
    *hash = '\0';
    char *end = NULL;
    const long n = strtol(hash + 1, &end, 10);
    return hash[1] && end && *end == '\0' && n >= 1 && n <= 99 ? (int)n : 0;
}

static bool kind_known(const char *kind)
{
    char base[64];
    if (kind_ordinal(kind, base, sizeof base) < 1)
        return false;
    return lm__policy_kind_from_name(base) >= 0 || strcmp(base, "guidance_fund") == 0;
}

/* Index of the policy of kind (KIND or KIND#N, as kind_ordinal) in a region's policies, -1
 * when none. */
static int find_policy(const lm__ynode *pols, const char *kind)
{
    char base[64];
    int left = kind_ordinal(kind, base, sizeof base);
    const bool alias = strcmp(base, "guidance_fund") == 0;
    const size_t n_kinds = alias ? sizeof guidance_kinds / sizeof guidance_kinds[0] : 1;
    for (size_t g = 0; g < n_kinds; ++g) {
        const char *want = alias ? guidance_kinds[g] : base;
        for (size_t i = 0; left > 0 && pols && pols->kind == LM_Y_SEQ && i < pols->n; ++i) {
            const lm__ynode *k = lm__ymap_get(pols->item[i], "kind");
            if (k && k->kind == LM_Y_SCALAR && strcmp(want, k->text) == 0 && --left == 0)
                return (int)i;
        }
    }
    return -1;
}

/* "'st_fnd' is no policy kind; did you mean "st_fund"? Valid: ..." */
static lm_status no_kind(lm_error *err, const lm__ynode *at, const char *file, const char *option,
                         const char *kind, const char *spec)
{
    const char *kinds[LM_POLICY_KIND_COUNT + 1];
    for (int k = 0; k < LM_POLICY_KIND_COUNT; ++k)
        kinds[k] = lm__policy_kind_name(k);
    kinds[LM_POLICY_KIND_COUNT] = "guidance_fund";
    char base[64], msg[480];
    kind_ordinal(kind, base, sizeof base);
    snprintf(msg, sizeof msg, "'%s' is no policy kind (%s)", kind, spec);
    return bad(err, at, file, option, "%s%s",
               lm__did_you_mean(msg, sizeof msg, base, kinds, LM_POLICY_KIND_COUNT + 1), NULL);
}

/* "region 'jiashi' has no st_fund policy; it has: talent_rule, ..." */
static lm_status no_policy(lm_error *err, const lm__ynode *region, const char *file,
                           const char *option, const char *name, const char *kind,
                           const char *hint)
{
    const lm__ynode *pols = lm__ymap_get(region, "policies");
    char msg[480];
    int len = snprintf(msg, sizeof msg, "region '%s' has no %s policy%s", name, kind, hint);
    const char *sep = "; it has ";
    for (size_t i = 0; pols && pols->kind == LM_Y_SEQ && i < pols->n && len > 0 &&
                       (size_t)len < sizeof msg;
         ++i) {
        const lm__ynode *k = lm__ymap_get(pols->item[i], "kind");
        if (k && k->kind == LM_Y_SCALAR) {
            len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%s", sep, k->text);
            sep = ", ";
        }
    }
    if (sep[0] == ';' && len > 0 && (size_t)len < sizeof msg)
        snprintf(msg + len, sizeof msg - (size_t)len, "; it has no policies");
    return bad(err, region, file, option, "%s%s", msg, NULL);
}

/* Splits s at '.' into at most max pieces (s is modified). */
static int split_dots(char *s, char **out, int max)
{
    int n = 0;
    for (char *p = s; n < max;) {
        out[n++] = p;
        char *dot = strchr(p, '.');
        if (!dot)
            break;
        *dot = '\0';
        p = dot + 1;
    }
    return n;
}

static lm_status oom(lm_error *err)
{
    LM_FAIL(err, LM_ENOMEM, "scenario edits");
}

/* Replaces root's regions[r] with region (root and regions cloned). */
static lm_status put_region(lm__ydoc *doc, lm__ynode **root, int r, lm__ynode *region,
                            lm_error *err)
{
    const lm__ynode *regions = lm__ymap_get(*root, "regions");
    lm__ynode *seq = clone_node(doc, regions, 0);
    if (!seq)
        return oom(err);
    seq->item[r] = region;
    lm__ynode *c = map_with(doc, *root, "regions", seq);
    if (!c)
        return oom(err);
    *root = c;
    return LM_OK;
}

/* A copy of map without key (the same map when it has none). NULL: out of memory. */
static lm__ynode *map_without(lm__ydoc *doc, lm__ynode *map, const char *key)
{
    for (size_t i = 0; i < map->n; ++i)
        if (map->item[2 * i]->kind == LM_Y_SCALAR && strcmp(map->item[2 * i]->text, key) == 0) {
            lm__ynode *c = clone_node(doc, map, 0);
            if (!c)
                return NULL;
            memmove(c->item + 2 * i, c->item + 2 * i + 2, 2 * (c->n - i - 1) * sizeof *c->item);
            --c->n;
            return c;
        }
    return map;
}

/* adopt (replace X's own policy of the kind) or add (keep it, append the copy). */
static lm_status adopt_one(lm__ydoc *doc, lm__ynode **root, const char *file, const char *spec,
                           bool add, lm_error *err)
{
    const char *option = add ? "--add" : "--adopt";
    char buf[EDIT_MAX];
    snprintf(buf, sizeof buf, "%s", spec);
    char *at = strchr(buf, '@');
    if (at)
        *at = '\0';
    char *colon = strchr(buf, ':');
    char *dot = colon ? strrchr(colon + 1, '.') : NULL;
    const lm__ynode *regions = lm__ymap_get(*root, "regions");
    if (!colon || !dot || colon == buf || dot == colon + 1 || !dot[1])
        return bad(err, NULL, file, option, "'%s': expected TO:FROM.KIND or TO:FROM.KIND@YYYY-MM, "
                                            "e.g. TO:FROM.talent_rule@2026-01%s",
                   spec, NULL);
    int32_t from_month = 0;
    if (at && !lm_month_parse(at + 1, &from_month))
        return bad(err, NULL, file, option, "'%s': expected a month YYYY-MM after @, got '%s'",
                   spec, at + 1);
    *colon = '\0';
    *dot = '\0';
    const char *to = buf, *from = colon + 1, *kind = dot + 1;
    if (!kind_known(kind))
        return no_kind(err, regions, file, option, kind, spec);
    const int rt = find_region(regions, to), rf = find_region(regions, from);
    if (rt < 0 || rf < 0)
        return no_region(err, regions, file, option, rt < 0 ? to : from, spec);
    const lm__ynode *src_pols = lm__ymap_get(regions->item[rf], "policies");
    const int k = find_policy(src_pols, kind);
    if (k < 0)
        return no_policy(err, regions->item[rf], file, option, from, kind, "");
    lm__ynode *copy = clone_node(doc, src_pols->item[k], 0);
    if (!copy)
        return oom(err);
    if (at) {
        lm__ynode *start = new_scalar(doc, copy, at + 1);
        copy = start ? map_with(doc, copy, "start", start) : NULL;
        copy = copy ? map_without(doc, copy, "end") : NULL;
        if (!copy)
            return oom(err);
    }
    /* the adopted policy replaces the target's policy of the same actual kind */
    const lm__ynode *src_kind = lm__ymap_get(src_pols->item[k], "kind");
    const char *actual = src_kind && src_kind->kind == LM_Y_SCALAR ? src_kind->text : kind;
    const lm__ynode *region = regions->item[rt];
    const lm__ynode *pols = lm__ymap_get(region, "policies");
    lm__ynode *seq;
    if (pols && pols->kind == LM_Y_SEQ) {
        const int j = add ? -1 : find_policy(pols, actual);
        seq = clone_node(doc, pols, j < 0 ? 1 : 0);
        if (!seq)
            return oom(err);
        if (j >= 0)
            seq->item[j] = copy;
        else
            seq->item[seq->n++] = copy;
    } else {
        seq = lm__yaml_alloc(doc, sizeof *seq);
        lm__ynode **items = lm__yaml_alloc(doc, sizeof *items);
        if (!seq || !items)
            return oom(err);
        memset(seq, 0, sizeof *seq);
        seq->kind = LM_Y_SEQ;
        seq->line = region->line;
        seq->column = region->column;
        seq->file = region->file;
        seq->item = items;
        seq->item[0] = copy;
        seq->n = 1;
    }
    lm__ynode *new_region = map_with(doc, region, "policies", seq);
    if (!new_region)
        return oom(err);
    return put_region(doc, root, rt, new_region, err);
}

static lm_status set_one(lm__ydoc *doc, lm__ynode **root, const char *file, const char *spec,
                         lm_error *err)
{
    char buf[EDIT_MAX];
    snprintf(buf, sizeof buf, "%s", spec);
    char *eq = strchr(buf, '=');
    if (!eq || eq == buf)
        return bad(err, NULL, file, "--policy", "'%s': expected REGION.KIND.FIELD=VALUE, "
                                                "REGION.FIELD=VALUE or params.GROUP.FIELD=VALUE%s",
                   spec, NULL);
    *eq = '\0';
    const char *value = eq + 1;
    char *keys[8];
    const int n = split_dots(buf, keys, 8);
    for (int i = 0; i < n; ++i)
        if (!keys[i][0])
            return bad(err, NULL, file, "--policy", "'%s': an empty name between dots%s", spec,
                       NULL);
    if (n < 2)
        return bad(err, NULL, file, "--policy", "'%s': expected REGION.KIND.FIELD=VALUE%s", spec,
                   NULL);
    const lm__ynode *bad_at = NULL;
    bool no_mem = false;
    if (strcmp(keys[0], "params") == 0) {
        lm__ynode *c = set_path(doc, *root, keys, n, value, &bad_at, &no_mem);
        if (!c)
            return no_mem ? oom(err)
                          : bad(err, bad_at, file, "--policy", "'%s': %s is not a mapping",
                                spec, "a key on the way");
        *root = c;
        return LM_OK;
    }
    const lm__ynode *regions = lm__ymap_get(*root, "regions");
    const int r = find_region(regions, keys[0]);
    if (r < 0)
        return no_region(err, regions, file, "--policy", keys[0], spec);
    const lm__ynode *region = regions->item[r];
    lm__ynode *new_region;
    if (n >= 3 && kind_known(keys[1])) {
        const lm__ynode *pols = lm__ymap_get(region, "policies");
        const int k = find_policy(pols, keys[1]);
        if (k < 0)
            return no_policy(err, region, file, "--policy", keys[0], keys[1],
                             " (--adopt or --add copies one from another region)");
        lm__ynode *pol = set_path(doc, pols->item[k], keys + 2, n - 2, value, &bad_at, &no_mem);
        lm__ynode *seq = pol ? clone_node(doc, pols, 0) : NULL;
        if (seq)
            seq->item[k] = pol;
        new_region = seq ? map_with(doc, region, "policies", seq) : NULL;
    } else {
        new_region = set_path(doc, region, keys + 1, n - 1, value, &bad_at, &no_mem);
    }
    if (!new_region)
        return bad_at ? bad(err, bad_at, file, "--policy", "'%s': %s is not a mapping", spec,
                            "a key on the way")
                      : oom(err);
    return put_region(doc, root, r, new_region, err);
}

lm_status lm__scenario_apply_edits(lm__ydoc *doc, const lm__ynode **root, const char *file,
                                   const lm_scenario_edits *edits, lm_error *err)
{
    if (!edits || !*root || (*root)->kind != LM_Y_MAP)
        return LM_OK;
    lm__ynode *r = (lm__ynode *)*root; /* replaced, never written through */
    lm_status st = LM_OK;
    for (int i = 0; st == LM_OK && i < edits->n_adopt; ++i)
        st = adopt_one(doc, &r, file, edits->adopt[i], false, err);
    for (int i = 0; st == LM_OK && i < edits->n_add; ++i)
        st = adopt_one(doc, &r, file, edits->add[i], true, err);
    for (int i = 0; st == LM_OK && i < edits->n_set; ++i)
        st = set_one(doc, &r, file, edits->set[i], err);
    if (st == LM_OK)
        *root = r;
    return st;
}

lm_status lm_scenario_load_edited(const char *path, const lm_scenario_edits *edits,
                                  lm_scenario **out, lm_error *err)
{
    lm_status st = lm__scenario_load_with(path, edits, out, err);
    if (st != LM_OK || !edits || (edits->n_set == 0 && edits->n_adopt == 0 && edits->n_add == 0))
        return st;
    /* The text kept with the run says what was changed (run.scenario_yaml). */
    lm_scenario *sc = *out;
    size_t extra = 64;
    for (int i = 0; i < edits->n_adopt; ++i)
        extra += strlen(edits->adopt[i]) + 16;
    for (int i = 0; i < edits->n_add; ++i)
        extra += strlen(edits->add[i]) + 16;
    for (int i = 0; i < edits->n_set; ++i)
        extra += strlen(edits->set[i]) + 16;
    char *text = realloc(sc->text, sc->text_len + extra + 1);
    if (!text) {
        lm_scenario_free(sc);
        *out = NULL;
        return oom(err);
    }
    sc->text = text;
    size_t k = sc->text_len;
    k += (size_t)sprintf(text + k, "\n# longmen compare, counterfactual edits:");
    for (int i = 0; i < edits->n_adopt; ++i)
        k += (size_t)sprintf(text + k, "\n#   --adopt %s", edits->adopt[i]);
    for (int i = 0; i < edits->n_add; ++i)
        k += (size_t)sprintf(text + k, "\n#   --add %s", edits->add[i]);
    for (int i = 0; i < edits->n_set; ++i)
        k += (size_t)sprintf(text + k, "\n#   --policy %s", edits->set[i]);
    k += (size_t)sprintf(text + k, "\n");
    sc->text_len = k;
    return LM_OK;
}
