/* src/scenario/extends.c -- scenario files that extend another (`extends: three-capitals.yaml`),
 * so that a counterfactual is a few lines: the parent's tree with the child's changes.
 *
 * The parent is named relative to the child's folder (the current folder for a scenario
 * loaded from a string) and may extend a file in turn, up to LM_EXTENDS_MAX files; a file
 * that appears twice in a chain is an error (a cycle). The trees are merged before fill.c
 * reads them, from the most distant ancestor down, the child winning:
 *   - mappings merge key by key (a child's `talent: {software: 5e5}` changes one skill);
 *   - the top-level lists `regions` (matched by `name`) and `sectors` (by `id`) merge item by
 *     item, an item of the child with a new name being appended; inside a matched region,
 *     lists such as `policies` are replaced whole when the child gives them;
 *   - the top-level list `set` (edits, set.c) is concatenated, the parent's first;
 *   - any other value, lists included (`layers`, `integration.matrix`), is replaced.
 * Every node keeps the file, line and column it was read from, so an error in a value
 * inherited from the parent points into the parent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/confine.h"
#include "scenario/load_int.h"

void lm__extends_free(lm__extends *x)
{
    if (!x)
        return;
    for (int i = 0; i < x->n; ++i) {
        lm__yaml_free(&x->docs[i]);
        free(x->paths[i]);
        free(x->texts[i]);
    }
    lm__yaml_free(&x->merged);
    memset(x, 0, sizeof *x);
}

/* An error at the `extends` node at of a file called fallback (when the node has none). */
static lm_status fail_at(const lm__ynode *at, const char *fallback, lm_error *err,
                         const char *msg)
{
    return lm_error_set_at(err, LM_EINVAL, at && at->file ? at->file : fallback,
                           at ? at->line : 0, at ? at->column : 0, "extends", "%s", msg);
}

/* The parent's path: name relative to the folder of file (as typed; for an edited copy of the
 * server, the folder of the file it was made from), or name itself when it is absolute or
 * file has no folder. New string, NULL when out of memory or too long. */
static char *parent_path(const char *file, const char *name)
{
    char dir[4096] = "";
    if (name[0] != '/' && !lm__scenario_extends_dir(file, dir, sizeof dir))
        return NULL;
    const size_t n = strlen(dir);
    char *p = malloc(n + strlen(name) + 1);
    if (p) {
        memcpy(p, dir, n);
        strcpy(p + n, name);
    }
    return p;
}

/* ---- merging trees ---- */

static lm__ynode *clone(lm__ydoc *a, const lm__ynode *like, size_t items)
{
    lm__ynode *n = lm__yaml_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    *n = *like;
    n->n = 0;
    n->item = items ? lm__yaml_alloc(a, items * sizeof *n->item) : NULL;
    return items && !n->item ? NULL : n;
}

static const lm__ynode *merge(lm__ydoc *a, const lm__ynode *p, const lm__ynode *c,
                              const char *key, int depth);

static bool is_key(const lm__ynode *k, const char *name)
{
    return k->kind == LM_Y_SCALAR && strcmp(k->text, name) == 0;
}

/* Keys of c are taken where p has them; c's own keys follow, and so do repeated keys of c,
 * so that fill.c still reports a duplicate. `extends` is dropped at the top. */
static const lm__ynode *merge_map(lm__ydoc *a, const lm__ynode *p, const lm__ynode *c, int depth)
{
    lm__ynode *m = clone(a, c, 2 * (p->n + c->n));
    if (!m)
        return NULL;
    for (size_t i = 0; i < p->n; ++i) {
        const lm__ynode *k = p->item[2 * i], *v = p->item[2 * i + 1];
        if (depth == 0 && is_key(k, "extends"))
            continue;
        const lm__ynode *ck = k->kind == LM_Y_SCALAR ? lm__ymap_key(c, k->text) : NULL;
        if (ck) {
            v = merge(a, v, lm__ymap_get(c, k->text), k->text, depth);
            if (!v)
                return NULL;
            k = ck;
        }
        m->item[2 * m->n] = (lm__ynode *)k;
        m->item[2 * m->n + 1] = (lm__ynode *)v;
        m->n++;
    }
    for (size_t i = 0; i < c->n; ++i) {
        const lm__ynode *k = c->item[2 * i];
        if (depth == 0 && is_key(k, "extends"))
            continue;
        const bool first = k->kind != LM_Y_SCALAR || lm__ymap_key(c, k->text) == k;
        if (first && k->kind == LM_Y_SCALAR && lm__ymap_key(p, k->text))
            continue; /* merged above */
        m->item[2 * m->n] = (lm__ynode *)k;
        m->item[2 * m->n + 1] = c->item[2 * i + 1];
        m->n++;
    }
    return m;
}

/* The item of seq whose `id` scalar is text, or -1. */
static long find_item(const lm__ynode *seq, size_t n, const char *id, const char *text)
{
    for (size_t j = 0; j < n; ++j) {
        const lm__ynode *v = lm__ymap_get(seq->item[j], id);
        if (v && v->kind == LM_Y_SCALAR && strcmp(v->text, text) == 0)
            return (long)j;
    }
    return -1;
}

/* regions by name, sectors by id: matched items merge, new ones are appended. */
static const lm__ynode *merge_list(lm__ydoc *a, const lm__ynode *p, const lm__ynode *c,
                                   const char *id)
{
    lm__ynode *m = clone(a, c, p->n + c->n);
    if (!m)
        return NULL;
    for (size_t j = 0; j < p->n; ++j)
        m->item[m->n++] = p->item[j];
    const size_t inherited = p->n;
    for (size_t j = 0; j < c->n; ++j) {
        const lm__ynode *item = c->item[j];
        const lm__ynode *v = lm__ymap_get(item, id);
        const long at =
            v && v->kind == LM_Y_SCALAR ? find_item(m, inherited, id, v->text) : -1;
        if (at < 0 || m->item[at]->kind != LM_Y_MAP) {
            m->item[m->n++] = (lm__ynode *)item;
            continue;
        }
        const lm__ynode *merged = merge_map(a, m->item[at], item, 1);
        if (!merged)
            return NULL;
        m->item[at] = (lm__ynode *)merged;
    }
    return m;
}

static const lm__ynode *merge(lm__ydoc *a, const lm__ynode *p, const lm__ynode *c,
                              const char *key, int depth)
{
    if (depth == 0 && p->kind == LM_Y_SEQ && c->kind == LM_Y_SEQ) {
        if (strcmp(key, "regions") == 0)
            return merge_list(a, p, c, "name");
        if (strcmp(key, "sectors") == 0)
            return merge_list(a, p, c, "id");
        if (strcmp(key, "set") == 0) { /* calibration issue: every file's edits, in order */
            lm__ynode *m = clone(a, c, p->n + c->n);
            if (!m)
                return NULL;
            for (size_t j = 0; j < p->n; ++j)
                m->item[m->n++] = p->item[j];
            for (size_t j = 0; j < c->n; ++j)
                m->item[m->n++] = c->item[j];
            return m;
        }
    }
    if (p->kind == LM_Y_MAP && c->kind == LM_Y_MAP)
        return merge_map(a, p, c, depth + 1);
    return c;
}

/* ---- the chain of files ---- */

/* Reads and parses the file named by the `extends` node ext of a file called `file`, as
 * x->docs[x->n]; real[] holds the real paths of the chain so far (n_real of them). */
static lm_status read_parent(lm__extends *x, const char *file, const lm__ynode *ext,
                             char **real, int n_real, lm_error *err)
{
    char msg[600];
    if (ext->kind != LM_Y_SCALAR || lm__ynull(ext) || ext->len == 0)
        return fail_at(ext, file, err, "expected the name of a scenario file to extend");
    if (x->n == LM_EXTENDS_MAX) {
        snprintf(msg, sizeof msg, "more than %d files in a chain of extends", LM_EXTENDS_MAX);
        return fail_at(ext, file, err, msg);
    }
    char *path = parent_path(file, ext->text);
    if (!path)
        return lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "extends", "out of memory");
    char *rp = realpath(path, NULL);
    int errnum = 0, fd = -1;
    if (rp && lm__scenario_confined() && (fd = lm__scenario_open(path, &errnum)) >= 0)
        close(fd);
    if ((!rp || fd < 0) && lm__scenario_confined()) {
        /* The same words whether the file exists or not, so a request learns nothing, and
         * nothing of a file outside the served folders is read, let alone quoted. */
        free(rp);
        snprintf(msg, sizeof msg, "cannot extend \"%s\": not a scenario file of the served folders",
                 ext->text);
        free(path);
        return fail_at(ext, file, err, msg);
    }
    if (!rp) {
        snprintf(msg, sizeof msg, "cannot open \"%s\" to extend: %s", path, strerror(errno));
        free(path);
        return fail_at(ext, file, err, msg);
    }
    for (int i = 0; i < n_real; ++i)
        if (real[i] && strcmp(real[i], rp) == 0) {
            /* the chain as named: the first file, its parents, and the repeated one */
            int len = snprintf(msg, sizeof msg, "extends cycle: %s", x->file);
            for (int j = 0; j < x->n && len > 0 && (size_t)len < sizeof msg; ++j)
                len += snprintf(msg + len, sizeof msg - (size_t)len, " -> %s", x->paths[j]);
            if (len > 0 && (size_t)len < sizeof msg)
                snprintf(msg + len, sizeof msg - (size_t)len, " -> %s", path);
            free(rp);
            free(path);
            return fail_at(ext, file, err, msg);
        }
    real[n_real] = rp;
    const int k = x->n;
    x->paths[k] = path;
    lm_status st = lm__read_text(path, &x->texts[k], &x->lens[k], err);
    if (st == LM_OK)
        st = lm__yaml_parse(x->texts[k], x->lens[k], path, &x->docs[k], err);
    x->n++; /* owns path, text and doc from here, also after a failure */
    if (st == LM_OK && (!x->docs[k].root || x->docs[k].root->kind != LM_Y_MAP))
        st = lm_error_set_at(err, LM_EINVAL, path, 1, 1, "",
                             "a file that is extended must be a mapping of scenario keys");
    return st;
}

lm_status lm__extends_resolve(lm__extends *x, const char *file, const lm__ynode *root,
                              const lm__ynode **out, lm_error *err)
{
    *out = root;
    x->file = file;
    char *real[LM_EXTENDS_MAX + 1] = {NULL};
    real[0] = realpath(file, NULL); /* NULL for a scenario loaded from a string */
    const lm__ynode *roots[LM_EXTENDS_MAX + 1] = {root};
    const char *cur = file;
    lm_status st = LM_OK;
    for (const lm__ynode *ext; st == LM_OK && (ext = lm__ymap_get(roots[x->n], "extends"));) {
        if ((st = lm__scenario_check_stop(file, err)) != LM_OK)
            break;
        st = read_parent(x, cur, ext, real, x->n + 1, err);
        if (st == LM_OK) {
            roots[x->n] = x->docs[x->n - 1].root;
            cur = x->paths[x->n - 1];
        }
    }
    for (int i = 0; i <= LM_EXTENDS_MAX; ++i)
        free(real[i]);
    if (st != LM_OK)
        return st;
    if ((st = lm__scenario_check_stop(file, err)) != LM_OK)
        return st;
    const lm__ynode *merged = roots[x->n];
    for (int i = x->n - 1; i >= 0 && merged; --i)
        merged = merge_map(&x->merged, merged, roots[i], 0);
    if (!merged)
        return lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "extends",
                               "out of memory merging the files extended");
    *out = merged;
    return LM_OK;
}

char *lm__extends_text(const lm__extends *x, const char *text, size_t len, size_t *out_len)
{
    size_t n = len + 1;
    for (int i = 0; i < x->n; ++i) {
        n += strlen(x->paths[i]) + 64;
        for (size_t j = 0; j < x->lens[i]; ++j)
            n += x->texts[i][j] == '\n' ? 3 : 1;
        n += 3;
    }
    char *s = malloc(n);
    if (!s)
        return NULL;
    size_t k = (size_t)snprintf(s, n, "%.*s", (int)len, text);
    for (int i = 0; i < x->n; ++i) {
        k += (size_t)snprintf(s + k, n - k, "%s# ---- extends: %s (as read) ----\n# ",
                              k > 0 && s[k - 1] != '\n' ? "\n" : "", x->paths[i]);
        for (size_t j = 0; j < x->lens[i]; ++j) {
            s[k++] = x->texts[i][j];
            if (x->texts[i][j] == '\n' && j + 1 < x->lens[i]) {
                s[k++] = '#';
                s[k++] = ' ';
            }
        }
        s[k] = '\0';
    }
    *out_len = k;
    return s;
}
