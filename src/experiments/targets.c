/* src/experiments/targets.c -- the targets file of `longmen calibrate`
 * (include/longmen/calibrate.h, docs/calibration.md): free parameters with bounds and target
 * moments with their values, uncertainty, tolerance and source. Read with the scenario
 * loader's YAML tree and typed readers (src/scenario/yaml.h, load_int.h), so errors read the
 * same: `file:line:col: field: message`, unknown keys with a "did you mean". Region names are
 * bound to a scenario later (lm__cal_bind), since the file does not name its scenario. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nlopt.h>

#include "experiments/calibrate_int.h"
#include "scenario/load_int.h"
#include "scenario/yaml.h"

#define TEXT_MAX ((size_t)16 << 20)

/* ---- names ---- */

typedef struct stat_info {
    const char *name;
    const char *required; /* space-separated argument keys */
    const char *optional;
} stat_info;

#define STAT_INFO_(id, name, required, optional) [LM_STAT_##id] = {name, required, optional},
static const stat_info stats[LM_STAT_COUNT] = {LM_CAL_STATISTICS(STAT_INFO_)};
#undef STAT_INFO_

const char *lm__stat_name(int stat)
{
    return stat >= 0 && stat < LM_STAT_COUNT ? stats[stat].name : NULL;
}

static const char *const target_keys[] = {
    "name",  "statistic", "sql",    "value",  "sd",      "weight",       "tolerance",
    "bound", "source",    "year",   "region", "from",    "to",           "years",
    "tier",  "model",     "by",     "measure", "k",      "method",       "kind",
    "below", "at_least",  "threshold_cny", "use"};
static const char *const arg_keys[] = {"region", "from",    "to",       "years",
                                       "tier",   "model",   "by",       "measure",
                                       "k",      "method",  "kind",     "below",
                                       "at_least", "threshold_cny", "year"};
static const char *const param_keys[] = {"name", "lo", "hi", "start", "scale"};
static const char *const top_keys[] = {"parameters", "targets", "optimizer"};
static const char *const opt_keys[] = {"global", "local", "global_share"};
static const char *const tier_names[] = {LM_TIER_WORDS(LM_WORD_STRING, ~)};
static const char *const model_names[] = {LM_MODEL_WORDS(LM_WORD_STRING, ~)};
static const char *const guide_names[] = {"approved", "government", "social", "invested"};
static const char *const zipf_names[] = {"hill", "rank_size"};
static const char *const tvpi_names[] = {"iqr", "median", "p25", "p75"};
static const char *const kind_names[] = {LM_INVESTOR_KIND_WORDS(LM_WORD_STRING, ~)};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int find_name(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; ++i)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static bool word_in(const char *list, const char *word)
{
    const size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

/* ---- typed readers on top of the loader's ---- */

static lm_status unknown_key(const lm__lctx *c, const lm__ynode *k, const char *path,
                             const char *const *keys, size_t n, const char *where)
{
    char dym[360] = "";
    lm__did_you_mean(dym, sizeof dym, k->text, keys, n);
    return lm__fail(c, k, path, "unknown key \"%s\" in %s%s", k->kind == LM_Y_SCALAR ? k->text : "?",
                    where, dym);
}

/* Keys must be plain scalars, known, and not repeated. */
static lm_status check_keys(const lm__lctx *c, const lm__ynode *map, const char *path,
                            const char *const *keys, size_t n, const char *where)
{
    for (size_t i = 0; i < map->n; ++i) {
        const lm__ynode *k = map->item[2 * i];
        char sub[LM_PATH_MAX];
        if (k->kind != LM_Y_SCALAR)
            return lm__fail(c, k, path, "expected a key, got a %s",
                            k->kind == LM_Y_MAP ? "mapping" : "list");
        lm__path_key(sub, path, k->text);
        if (find_name(keys, n, k->text) < 0)
            return unknown_key(c, k, sub, keys, n, where);
        for (size_t j = 0; j < i; ++j) {
            const lm__ynode *p = map->item[2 * j];
            if (p->kind == LM_Y_SCALAR && strcmp(p->text, k->text) == 0)
                return lm__fail(c, k, sub, "duplicate key \"%s\" (first at line %d)", k->text,
                                p->line);
        }
    }
    return LM_OK;
}

static lm_status read_num(const lm__lctx *c, const lm__ynode *map, const char *path,
                          const char *key, double lo, double hi, unsigned flags, double *out)
{
    char sub[LM_PATH_MAX];
    lm__path_key(sub, path, key);
    return lm__read_number(c, lm__ymap_get(map, key), sub, lo, hi, flags, out);
}

static lm_status read_int(const lm__lctx *c, const lm__ynode *map, const char *path,
                          const char *key, int lo, int hi, int *out)
{
    char sub[LM_PATH_MAX];
    lm__path_key(sub, path, key);
    const lm__ynode *n = lm__ymap_get(map, key);
    double v;
    lm_status st = lm__read_number(c, n, sub, lo, hi, 0, &v);
    if (st != LM_OK)
        return st;
    if (v != floor(v))
        return lm__fail(c, n, sub, "expected a whole number in [%d, %d], got %s", lo, hi,
                        n->text);
    *out = (int)v;
    return LM_OK;
}

static lm_status read_word(const lm__lctx *c, const lm__ynode *map, const char *path,
                           const char *key, const char *const *names, size_t n, int *out)
{
    char sub[LM_PATH_MAX], text[64], got[128];
    lm__path_key(sub, path, key);
    const lm__ynode *v = lm__ymap_get(map, key);
    if (!v || v->kind != LM_Y_SCALAR || lm__ynull(v) || v->len >= sizeof text) {
        char all[256] = "";
        for (size_t i = 0; i < n; ++i)
            snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? ", " : "",
                     names[i]);
        return lm__fail(c, v, sub, "expected one of %s, got %s", all,
                        lm__ydescribe(v, got, sizeof got));
    }
    memcpy(text, v->text, v->len + 1);
    const int k = find_name(names, n, text);
    if (k < 0) {
        char msg[400];
        snprintf(msg, sizeof msg, "unknown %s \"%s\"", key, text);
        return lm__fail(c, v, sub, "%s", lm__did_you_mean(msg, sizeof msg, text, names, n));
    }
    *out = k;
    return LM_OK;
}

static lm_status read_str(const lm__lctx *c, const lm__ynode *map, const char *path,
                          const char *key, char *out, size_t size)
{
    char sub[LM_PATH_MAX];
    lm__path_key(sub, path, key);
    return lm__read_string(c, lm__ymap_get(map, key), sub, out, size);
}

static lm__cal_pos pos_of(const lm__ynode *n)
{
    return (lm__cal_pos){n ? n->line : 0, n ? n->column : 0};
}

/* ---- sections ---- */

static lm_status read_param(const lm__lctx *c, const lm__ynode *m, const char *path,
                            lm__cal_param *p)
{
    lm_status st = lm__expect_kind(c, m, path, LM_Y_MAP);
    if (st == LM_OK)
        st = check_keys(c, m, path, param_keys, COUNT(param_keys), "a parameter");
    if (st != LM_OK)
        return st;
    p->pos = pos_of(m);
    char sub[LM_PATH_MAX];
    lm__path_key(sub, path, "name");
    const lm__ynode *nm = lm__ymap_get(m, "name");
    if (!nm)
        return lm__fail(c, m, path, "a parameter needs a name (as --policy: REGION.KIND.FIELD, "
                                    "REGION.FIELD or params.GROUP.FIELD)");
    if ((st = lm__read_string(c, nm, sub, p->name, sizeof p->name)) != LM_OK)
        return st;
    if (!p->name[0] || strchr(p->name, '=') || strchr(p->name, '\n') || !strchr(p->name, '.') ||
        p->name[0] == '.' || p->name[strlen(p->name) - 1] == '.' || strstr(p->name, ".."))
        return lm__fail(c, nm, sub, "expected REGION.KIND.FIELD, REGION.FIELD or "
                                    "params.GROUP.FIELD, got \"%s\"", p->name);
    if ((st = read_num(c, m, path, "lo", -INFINITY, INFINITY, 0, &p->lo)) != LM_OK ||
        (st = read_num(c, m, path, "hi", -INFINITY, INFINITY, 0, &p->hi)) != LM_OK)
        return st;
    lm__path_key(sub, path, "hi");
    if (!(p->hi > p->lo))
        return lm__fail(c, lm__ymap_get(m, "hi"), sub, "hi (%g) must be above lo (%g)", p->hi,
                        p->lo);
    if (!isfinite(p->hi - p->lo))
        return lm__fail(c, lm__ymap_get(m, "hi"), sub, "hi - lo is too large (%g to %g)", p->lo,
                        p->hi);
    int scale = 0;
    static const char *const scales[] = {"linear", "log"};
    if (lm__ymap_get(m, "scale") &&
        (st = read_word(c, m, path, "scale", scales, COUNT(scales), &scale)) != LM_OK)
        return st;
    p->log = scale == 1;
    lm__path_key(sub, path, "scale");
    if (p->log && !(p->lo > 0))
        return lm__fail(c, lm__ymap_get(m, "scale"), sub, "a log scale needs lo > 0 (lo is %g)",
                        p->lo);
    p->start = p->log ? sqrt(p->lo) * sqrt(p->hi) : 0.5 * (p->lo + p->hi);
    if (p->start < p->lo || p->start > p->hi) /* rounding */
        p->start = p->lo;
    if (lm__ymap_get(m, "start") &&
        (st = read_num(c, m, path, "start", p->lo, p->hi, 0, &p->start)) != LM_OK)
        return st;
    return LM_OK;
}

/* The statistic's arguments: only those it takes, the required ones present. */
static lm_status read_args(const lm__lctx *c, const lm__ynode *m, const char *path,
                           lm__cal_target *g)
{
    const stat_info *si = &stats[g->stat];
    lm_status st;
    for (size_t i = 0; i < m->n; ++i) {
        const lm__ynode *k = m->item[2 * i];
        if (find_name(arg_keys, COUNT(arg_keys), k->text) < 0 || strcmp(k->text, "year") == 0)
            continue;
        if (!word_in(si->required, k->text) && !word_in(si->optional, k->text)) {
            char sub[LM_PATH_MAX];
            lm__path_key(sub, path, k->text);
            return lm__fail(c, k, sub, "statistic %s takes no \"%s\" (it takes: %s%s%s)",
                            si->name, k->text, si->required,
                            si->required[0] && si->optional[0] ? " " : "", si->optional);
        }
    }
    for (const char *p = si->required; *p;) {
        char key[32];
        size_t n = strcspn(p, " ");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        if (!lm__ymap_get(m, key))
            return lm__fail(c, m, path, "statistic %s needs \"%s\" (it takes: %s%s%s)", si->name,
                            key, si->required, si->optional[0] ? " " : "", si->optional);
        p += n;
        while (*p == ' ')
            ++p;
    }
    const lm__ynode *rg = lm__ymap_get(m, "region");
    if (rg) {
        if ((st = read_str(c, m, path, "region", g->region_name, sizeof g->region_name)) != LM_OK)
            return st;
        g->region_pos = pos_of(rg);
    }
    if (lm__ymap_get(m, "from") &&
        (st = read_int(c, m, path, "from", 1900, 2200, &g->from)) != LM_OK)
        return st;
    if (lm__ymap_get(m, "to") && (st = read_int(c, m, path, "to", 1900, 2200, &g->to)) != LM_OK)
        return st;
    if (g->from && g->to && g->from > g->to) {
        char sub[LM_PATH_MAX];
        lm__path_key(sub, path, "to");
        return lm__fail(c, lm__ymap_get(m, "to"), sub, "to (%d) is before from (%d)", g->to,
                        g->from);
    }
    if (lm__ymap_get(m, "by") && (st = read_int(c, m, path, "by", 1900, 2200, &g->by)) != LM_OK)
        return st;
    if (word_in(si->required, "year") &&
        (st = read_int(c, m, path, "year", 1900, 2200, &g->year)) != LM_OK)
        return st;
    if (lm__ymap_get(m, "years") &&
        (st = read_int(c, m, path, "years", 1, 100, &g->years)) != LM_OK)
        return st;
    if (lm__ymap_get(m, "k") && (st = read_int(c, m, path, "k", 2, 10000000, &g->k)) != LM_OK)
        return st;
    g->model = -1;
    if (lm__ymap_get(m, "model") &&
        (st = read_word(c, m, path, "model", model_names, COUNT(model_names), &g->model)) != LM_OK)
        return st;
    if (lm__ymap_get(m, "tier") &&
        (st = read_word(c, m, path, "tier", tier_names, COUNT(tier_names), &g->tier)) != LM_OK)
        return st;
    if (lm__ymap_get(m, "method") &&
        (st = read_word(c, m, path, "method", zipf_names, COUNT(zipf_names), &g->method)) !=
            LM_OK)
        return st;
    g->kind = 2; /* vc */
    if (lm__ymap_get(m, "kind") &&
        (st = read_word(c, m, path, "kind", kind_names, COUNT(kind_names), &g->kind)) != LM_OK)
        return st;
    if (lm__ymap_get(m, "measure")) {
        if (g->stat == LM_STAT_GUIDANCE)
            st = read_word(c, m, path, "measure", guide_names, COUNT(guide_names), &g->measure);
        else
            st = read_word(c, m, path, "measure", tvpi_names, COUNT(tvpi_names), &g->measure);
        if (st != LM_OK)
            return st;
    }
    g->threshold = 7e9;
    if (lm__ymap_get(m, "threshold_cny") &&
        (st = read_num(c, m, path, "threshold_cny", 0, INFINITY, LM_FL_LO_OPEN,
                       &g->threshold)) != LM_OK)
        return st;
    if (g->stat == LM_STAT_DEAL_MULTIPLE) {
        const bool below = lm__ymap_get(m, "below") != NULL;
        const bool above = lm__ymap_get(m, "at_least") != NULL;
        if (below == above)
            return lm__fail(c, m, path, "statistic deal_multiple_share needs exactly one of "
                                        "\"below\" and \"at_least\" (a multiple, e.g. below: 1)");
        g->side = below ? -1 : 1;
        if ((st = read_num(c, m, path, below ? "below" : "at_least", 0, INFINITY, LM_FL_LO_OPEN,
                           &g->multiple)) != LM_OK)
            return st;
    }
    return LM_OK;
}

static lm_status read_target(const lm__lctx *c, const lm__ynode *m, const char *path,
                             lm__cal_target *g)
{
    lm_status st = lm__expect_kind(c, m, path, LM_Y_MAP);
    if (st == LM_OK)
        st = check_keys(c, m, path, target_keys, COUNT(target_keys), "a target");
    if (st != LM_OK)
        return st;
    g->pos = pos_of(m);
    g->stat = -1;
    g->region = -1;
    char sub[LM_PATH_MAX];
    if (!lm__ymap_get(m, "name"))
        return lm__fail(c, m, path, "a target needs a name");
    if ((st = read_str(c, m, path, "name", g->name, sizeof g->name)) != LM_OK)
        return st;
    lm__path_key(sub, path, "name");
    if (!g->name[0] || strpbrk(g->name, ",\"\n\r"))
        return lm__fail(c, lm__ymap_get(m, "name"), sub,
                        "a target's name must be non-empty, without commas, quotes or newlines");
    const lm__ynode *sn = lm__ymap_get(m, "statistic"), *qn = lm__ymap_get(m, "sql");
    if (!sn == !qn)
        return lm__fail(c, m, path, "a target needs exactly one of \"statistic\" (a named "
                                    "statistic) and \"sql\" (a query returning one number)");
    if (qn) {
        lm__path_key(sub, path, "sql");
        if (qn->kind != LM_Y_SCALAR || lm__ynull(qn) || qn->len == 0) {
            char got[128];
            return lm__fail(c, qn, sub, "expected an SQL query, got %s",
                            lm__ydescribe(qn, got, sizeof got));
        }
        if (memchr(qn->text, '\0', qn->len))
            return lm__fail(c, qn, sub, "a NUL character (\\0) is not allowed in a query");
        for (size_t i = 0; i < m->n; ++i) {
            const lm__ynode *k = m->item[2 * i];
            if (find_name(arg_keys, COUNT(arg_keys), k->text) >= 0 &&
                strcmp(k->text, "year") != 0) {
                lm__path_key(sub, path, k->text);
                return lm__fail(c, k, sub, "\"%s\" is an argument of a named statistic, not of "
                                           "an sql moment", k->text);
            }
        }
        g->sql = malloc(qn->len + 1);
        if (!g->sql)
            return lm_error_set_at(c->err, LM_ENOMEM, c->file, 0, 0, path, "out of memory");
        memcpy(g->sql, qn->text, qn->len + 1);
        g->sql_pos = pos_of(qn);
    } else {
        static const char *names[LM_STAT_COUNT];
        for (int i = 0; i < LM_STAT_COUNT; ++i)
            names[i] = stats[i].name;
        if ((st = read_word(c, m, path, "statistic", names, LM_STAT_COUNT, &g->stat)) != LM_OK)
            return st;
        if ((st = read_args(c, m, path, g)) != LM_OK)
            return st;
    }
    if (!lm__ymap_get(m, "value"))
        return lm__fail(c, m, path, "a target needs a value");
    if ((st = read_num(c, m, path, "value", -INFINITY, INFINITY, 0, &g->value)) != LM_OK)
        return st;
    g->weight = 1.0;
    if (lm__ymap_get(m, "sd")) {
        if ((st = read_num(c, m, path, "sd", 0, INFINITY, LM_FL_LO_OPEN, &g->sd)) != LM_OK)
            return st;
        g->has_sd = true;
    }
    if (lm__ymap_get(m, "weight") &&
        (st = read_num(c, m, path, "weight", 0, INFINITY, 0, &g->weight)) != LM_OK)
        return st;
    /* tolerance: a number (relative) or {relative: r} / {absolute: a}; default 0.2 relative */
    g->tolerance = 0.2;
    const lm__ynode *tn = lm__ymap_get(m, "tolerance");
    lm__path_key(sub, path, "tolerance");
    if (tn && tn->kind == LM_Y_MAP) {
        static const char *const tk[] = {"relative", "absolute"};
        if ((st = check_keys(c, tn, sub, tk, 2, "a tolerance")) != LM_OK)
            return st;
        if (tn->n != 1)
            return lm__fail(c, tn, sub, "expected one of {relative: SHARE} and "
                                        "{absolute: AMOUNT}");
        g->tol_absolute = lm__ymap_get(tn, "absolute") != NULL;
        if ((st = read_num(c, tn, sub, g->tol_absolute ? "absolute" : "relative", 0, INFINITY, 0,
                           &g->tolerance)) != LM_OK)
            return st;
    } else if (tn) {
        if ((st = lm__read_number(c, tn, sub, 0, INFINITY, 0, &g->tolerance)) != LM_OK)
            return st;
    }
    if (lm__ymap_get(m, "bound")) {
        static const char *const bounds[] = {"two_sided", "lower", "upper"};
        int b = 0;
        if ((st = read_word(c, m, path, "bound", bounds, COUNT(bounds), &b)) != LM_OK)
            return st;
        g->bound = b == 1 ? LM_BOUND_LOWER : b == 2 ? LM_BOUND_UPPER : LM_BOUND_TWO_SIDED;
    }
    if (lm__ymap_get(m, "use")) {
        static const char *const uses[] = {"fit", "check"};
        int u = 0;
        if ((st = read_word(c, m, path, "use", uses, COUNT(uses), &u)) != LM_OK)
            return st;
        g->check = u == 1;
    }
    if (lm__ymap_get(m, "source") &&
        (st = read_str(c, m, path, "source", g->source, sizeof g->source)) != LM_OK)
        return st;
    if (lm__ymap_get(m, "year") &&
        (st = read_int(c, m, path, "year", 1900, 2200, &g->source_year)) != LM_OK)
        return st;
    if (g->stat >= 0 && word_in(stats[g->stat].required, "year"))
        g->year = g->source_year;
    return LM_OK;
}

static lm_status read_optimizer(const lm__lctx *c, const lm__ynode *m, lm_targets *t)
{
    t->global_alg = NLOPT_GN_CRS2_LM;
    t->local_alg = NLOPT_LN_BOBYQA;
    t->global_share = 0.7;
    if (!m)
        return LM_OK;
    lm_status st = lm__expect_kind(c, m, "optimizer", LM_Y_MAP);
    if (st == LM_OK)
        st = check_keys(c, m, "optimizer", opt_keys, COUNT(opt_keys), "optimizer");
    if (st != LM_OK)
        return st;
    static const char *const globals[] = {"crs2", "direct", "none"};
    static const int galg[] = {NLOPT_GN_CRS2_LM, NLOPT_GN_DIRECT_L, -1};
    static const char *const locals[] = {"bobyqa", "neldermead", "sbplx", "none"};
    static const int lalg[] = {NLOPT_LN_BOBYQA, NLOPT_LN_NELDERMEAD, NLOPT_LN_SBPLX, -1};
    int k;
    if (lm__ymap_get(m, "global")) {
        if ((st = read_word(c, m, "optimizer", "global", globals, COUNT(globals), &k)) != LM_OK)
            return st;
        t->global_alg = galg[k];
    }
    if (lm__ymap_get(m, "local")) {
        if ((st = read_word(c, m, "optimizer", "local", locals, COUNT(locals), &k)) != LM_OK)
            return st;
        t->local_alg = lalg[k];
    }
    if (lm__ymap_get(m, "global_share") &&
        (st = read_num(c, m, "optimizer", "global_share", 0, 1, 0, &t->global_share)) != LM_OK)
        return st;
    if (t->global_alg < 0 && t->local_alg < 0)
        return lm__fail(c, m, "optimizer", "global and local cannot both be none");
    return LM_OK;
}

static lm_status parse(lm_targets *t, const lm__ynode *root, const char *file, lm_error *err)
{
    const lm__lctx c = {.file = file, .err = err, .p = NULL, .root = root};
    if (!root || lm__ynull(root))
        return lm_error_set_at(err, LM_EINVAL, file, 1, 1, "",
                               "the file is empty (expected parameters: and targets:)");
    lm_status st = lm__expect_kind(&c, root, "", LM_Y_MAP);
    if (st == LM_OK)
        st = check_keys(&c, root, "", top_keys, COUNT(top_keys), "a targets file");
    if (st != LM_OK)
        return st;
    const lm__ynode *ps = lm__ymap_get(root, "parameters"), *ts = lm__ymap_get(root, "targets");
    if (!ps)
        return lm__fail(&c, root, "", "a targets file needs parameters: (the free parameters)");
    if (!ts)
        return lm__fail(&c, root, "", "a targets file needs targets: (the target moments)");
    if ((st = lm__expect_kind(&c, ps, "parameters", LM_Y_SEQ)) != LM_OK ||
        (st = lm__expect_kind(&c, ts, "targets", LM_Y_SEQ)) != LM_OK)
        return st;
    if (ps->n < 1 || ps->n > LM_CAL_MAX_PARAMS)
        return lm__fail(&c, ps, "parameters", "expected 1 to %d parameters, got %zu",
                        LM_CAL_MAX_PARAMS, ps->n);
    if (ts->n < 1 || ts->n > LM_CAL_MAX_TARGETS)
        return lm__fail(&c, ts, "targets", "expected 1 to %d targets, got %zu",
                        LM_CAL_MAX_TARGETS, ts->n);
    t->params = calloc(ps->n, sizeof *t->params);
    t->targets = calloc(ts->n, sizeof *t->targets);
    if (!t->params || !t->targets)
        return lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "", "out of memory");
    char path[LM_PATH_MAX];
    for (size_t i = 0; i < ps->n; ++i) {
        lm__path_index(path, "parameters", i);
        if ((st = read_param(&c, ps->item[i], path, &t->params[i])) != LM_OK)
            return st;
        t->n_params++;
        for (size_t j = 0; j < i; ++j)
            if (strcmp(t->params[j].name, t->params[i].name) == 0)
                return lm__fail(&c, ps->item[i], path,
                                "parameter %s is given twice (first at line %d)",
                                t->params[i].name, t->params[j].pos.line);
    }
    for (size_t i = 0; i < ts->n; ++i) {
        lm__path_index(path, "targets", i);
        lm__cal_target *g = &t->targets[i];
        st = read_target(&c, ts->item[i], path, g);
        t->n_targets++; /* owns g->sql from here */
        if (st != LM_OK)
            return st;
        if (g->sql)
            t->has_sql = true;
        for (size_t j = 0; j < i; ++j)
            if (strcmp(t->targets[j].name, g->name) == 0)
                return lm__fail(&c, ts->item[i], path,
                                "target %s is given twice (first at line %d)", g->name,
                                t->targets[j].pos.line);
    }
    return read_optimizer(&c, lm__ymap_get(root, "optimizer"), t);
}

static lm_status load_owned(char *text, size_t len, const char *file, lm_targets **out,
                            lm_error *err)
{
    lm_targets *t = calloc(1, sizeof *t);
    if (!t) {
        free(text);
        return lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "", "out of memory");
    }
    t->text = text;
    snprintf(t->path, sizeof t->path, "%s", file);
    lm_status st = len == 0 ? lm_error_set_at(err, LM_EINVAL, file, 1, 1, "", "the file is empty")
                            : lm__utf8_check(text, len, file, err);
    lm__ydoc doc;
    memset(&doc, 0, sizeof doc);
    if (st == LM_OK)
        st = lm__yaml_parse(text, len, file, &doc, err);
    if (st == LM_OK)
        st = parse(t, doc.root, file, err);
    lm__yaml_free(&doc);
    if (st != LM_OK) {
        lm_targets_free(t);
        return st;
    }
    lm_error_clear(err);
    *out = t;
    return LM_OK;
}

lm_status lm_targets_load_string(const char *text, size_t len, const char *name,
                                 lm_targets **out, lm_error *err)
{
    if (!out)
        LM_FAIL(err, LM_EINVAL, "lm_targets_load_string: out is NULL");
    *out = NULL;
    const char *file = name ? name : "<string>";
    if (!text && len > 0)
        return lm_error_set_at(err, LM_EINVAL, file, 0, 0, "", "no text given");
    if (len > TEXT_MAX)
        return lm_error_set_at(err, LM_EINVAL, file, 0, 0, "",
                               "file is larger than the 16 MB limit");
    char *copy = malloc(len + 1);
    if (!copy)
        return lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "", "out of memory");
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    return load_owned(copy, len, file, out, err);
}

lm_status lm_targets_load(const char *path, lm_targets **out, lm_error *err)
{
    if (!out)
        LM_FAIL(err, LM_EINVAL, "lm_targets_load: out is NULL");
    *out = NULL;
    if (!path || !path[0])
        return lm_error_set_at(err, LM_EINVAL, "", 0, 0, "", "no targets file given");
    char *text = NULL;
    size_t len = 0;
    lm_status st = lm__read_text(path, &text, &len, err); /* size limit, UTF-8 */
    if (st != LM_OK) {
        free(text);
        return st;
    }
    return load_owned(text, len, path, out, err);
}

void lm_targets_free(lm_targets *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n_targets; ++i)
        free(t->targets[i].sql);
    free(t->targets);
    free(t->params);
    free(t->text);
    free(t);
}

int lm_targets_param_count(const lm_targets *t) { return t ? t->n_params : 0; }
int lm_targets_target_count(const lm_targets *t) { return t ? t->n_targets : 0; }

void lm__cal_describe(const lm__cal_target *g, char *buf, size_t size)
{
    if (g->sql) {
        snprintf(buf, size, "sql: %s", g->sql);
        return;
    }
    size_t k = (size_t)snprintf(buf, size, "%s", stats[g->stat].name);
    const char *si = stats[g->stat].required, *so = stats[g->stat].optional;
#define TAKES(w) (word_in(si, w) || word_in(so, w))
#define ARG(cond, ...)                                                                         \
    if ((cond) && k < size)                                                                    \
    k += (size_t)snprintf(buf + k, size - k, __VA_ARGS__)
    ARG(g->region_name[0], " region=%s", g->region_name);
    ARG(g->from, " from=%d", g->from);
    ARG(g->to, " to=%d", g->to);
    ARG(g->year && TAKES("year"), " year=%d", g->year);
    ARG(g->years, " years=%d", g->years);
    ARG(g->by, " by=%d", g->by);
    ARG(g->k, " k=%d", g->k);
    ARG(TAKES("tier"), " tier=%s", tier_names[g->tier]);
    ARG(TAKES("model") && g->model >= 0, " model=%s", model_names[g->model]);
    ARG(g->stat == LM_STAT_GUIDANCE, " measure=%s", guide_names[g->measure]);
    ARG(g->stat == LM_STAT_FUND_TVPI, " kind=%s measure=%s", kind_names[g->kind],
        tvpi_names[g->measure]);
    ARG(g->stat == LM_STAT_ZIPF, " method=%s", zipf_names[g->method]);
    ARG(g->stat == LM_STAT_DEAL_MULTIPLE, " %s=%g", g->side < 0 ? "below" : "at_least",
        g->multiple);
    ARG(g->stat == LM_STAT_YEARS_TO_UNICORN, " threshold_cny=%g", g->threshold);
#undef ARG
#undef TAKES
}

lm_status lm__cal_bind(lm_targets *t, const lm_scenario *sc, lm_error *err)
{
    const lm_params *p = lm__scenario_params(sc);
    for (int i = 0; i < t->n_targets; ++i) {
        lm__cal_target *g = &t->targets[i];
        g->region = -1;
        if (!g->region_name[0])
            continue;
        for (int r = 0; r < p->n_regions && g->region < 0; ++r)
            if (strcmp(p->regions[r].name, g->region_name) == 0 ||
                (p->regions[r].name_en[0] && strcmp(p->regions[r].name_en, g->region_name) == 0))
                g->region = r;
        if (g->region < 0) {
            char field[LM_PATH_MAX], all[400] = "";
            snprintf(field, sizeof field, "targets[%d].region", i);
            for (int r = 0; r < p->n_regions && strlen(all) < 300; ++r)
                snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", r ? ", " : "",
                         p->regions[r].name_en[0] ? p->regions[r].name_en : p->regions[r].name);
            return lm_error_set_at(err, LM_EINVAL, t->path, g->region_pos.line,
                                   g->region_pos.column, field,
                                   "no region named \"%s\" in scenario %s (regions: %s)",
                                   g->region_name, lm_scenario_name(sc), all);
        }
    }
    return LM_OK;
}
