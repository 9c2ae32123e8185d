/* src/scenario/fields.c -- reading one YAML value into one typed field, with the range check
 * and the error message for that field. The sections (fill.c) describe their structs as
 * tables of lm__field; lm__fill_fields walks a mapping against such a table. Keeping every
 * type's parsing and wording here makes messages the same everywhere in a scenario. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario/load_int.h"
#include "scenario/scenario_int.h"

/* ---- errors and paths ---- */

lm_status lm__fail(const lm__lctx *c, const lm__ynode *at, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* a node read from a file this one extends carries that file's name */
    const char *file = at && at->file ? at->file : c->file;
    return lm_error_set_at(c->err, LM_EINVAL, file, at ? at->line : 0, at ? at->column : 0,
                           field, "%s", msg);
}

/* A path longer than the error's field is cut; the cut form still points the right way. */
static void path_done(char out[LM_PATH_MAX], int written)
{
    if (written >= LM_PATH_MAX)
        memcpy(out + LM_PATH_MAX - 4, "...", 4);
}

void lm__path_key(char out[LM_PATH_MAX], const char *prefix, const char *key)
{
    if (prefix && prefix[0])
        path_done(out, snprintf(out, LM_PATH_MAX, "%s.%s", prefix, key));
    else
        path_done(out, snprintf(out, LM_PATH_MAX, "%s", key));
}

void lm__path_index(char out[LM_PATH_MAX], const char *prefix, size_t i)
{
    path_done(out, snprintf(out, LM_PATH_MAX, "%s[%zu]", prefix, i));
}

/* YAML 1.2 core schema numbers: [-+]?(.digits|digits(.digits?)?)([eE][-+]?digits)? */
static bool number_syntax(const char *s)
{
    if (*s == '-' || *s == '+')
        ++s;
    size_t digits = 0;
    while (*s >= '0' && *s <= '9')
        ++s, ++digits;
    if (*s == '.') {
        ++s;
        while (*s >= '0' && *s <= '9')
            ++s, ++digits;
    }
    if (digits == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        ++s;
        if (*s == '-' || *s == '+')
            ++s;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            ++s;
    }
    return *s == '\0';
}

static bool infinite_or_nan_syntax(const char *s)
{
    if (*s == '-' || *s == '+')
        ++s;
    static const char *const special[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    for (size_t i = 0; i < sizeof special / sizeof *special; ++i)
        if (strcmp(s, special[i]) == 0)
            return true;
    return false;
}

/* Copies at most max bytes of s, cut on a character boundary, with "..." when cut. */
static void clip(char *buf, size_t size, const char *s, size_t max)
{
    size_t n = strlen(s);
    const bool cut = n > max;
    if (cut) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            --n;
    }
    snprintf(buf, size, "%.*s%s", (int)n, s, cut ? "..." : "");
}

const char *lm__ydescribe(const lm__ynode *n, char *buf, size_t size)
{
    char text[96] = "";
    if (n && n->kind == LM_Y_SCALAR)
        clip(text, sizeof text, n->text, 64);
    if (!n || (n->kind == LM_Y_SCALAR && n->empty))
        snprintf(buf, size, "nothing");
    else if (n->kind == LM_Y_MAP)
        snprintf(buf, size, "a mapping");
    else if (n->kind == LM_Y_SEQ)
        snprintf(buf, size, "a list");
    else if (lm__ynull(n))
        snprintf(buf, size, "null");
    else if (n->quoted)
        snprintf(buf, size, "the string \"%s\"", text);
    else if (number_syntax(n->text) || infinite_or_nan_syntax(n->text))
        snprintf(buf, size, "%s", text);
    else
        snprintf(buf, size, "\"%s\"", text);
    return buf;
}

lm_status lm__expect_kind(const lm__lctx *c, const lm__ynode *n, const char *path, lm__ykind kind)
{
    if (n && n->kind == kind)
        return LM_OK;
    char got[128];
    static const char *const what[] = {"a value", "a list", "a mapping"};
    return lm__fail(c, n, path, "expected %s, got %s", what[kind],
                    lm__ydescribe(n, got, sizeof got));
}

/* ---- numbers ---- */

/* "a number in [0, 1]", "a positive number", "a number >= 1", "a number". */
static const char *range_text(char *buf, size_t size, const char *what, double lo, double hi,
                              unsigned flags)
{
    const bool lo_open = flags & LM_FL_LO_OPEN, hi_open = flags & LM_FL_HI_OPEN;
    if (isinf(lo) && isinf(hi))
        snprintf(buf, size, "%s", what);
    else if (isinf(hi) && lo == 0 && lo_open)
        snprintf(buf, size, "a positive %s", what + 2); /* "a number" -> "a positive number" */
    else if (isinf(hi))
        snprintf(buf, size, "%s %s %g", what, lo_open ? ">" : ">=", lo);
    else if (isinf(lo))
        snprintf(buf, size, "%s %s %g", what, hi_open ? "<" : "<=", hi);
    else
        snprintf(buf, size, "%s in %c%g, %g%c", what, lo_open ? '(' : '[', lo, hi,
                 hi_open ? ')' : ']');
    return buf;
}

static bool in_range(double v, double lo, double hi, unsigned flags)
{
    if (flags & LM_FL_LO_OPEN ? v <= lo : v < lo)
        return false;
    return flags & LM_FL_HI_OPEN ? v < hi : v <= hi;
}

/* Parses a plain number node; on failure says what was expected (what = "a number", ...). */
static lm_status parse_number(const lm__lctx *c, const lm__ynode *n, const char *path,
                              const char *what, double lo, double hi, unsigned flags, double *out)
{
    char want[96], got[128];
    range_text(want, sizeof want, what, lo, hi, flags);
    const bool plain = n && n->kind == LM_Y_SCALAR && !n->quoted && !lm__ynull(n);
    if (plain && infinite_or_nan_syntax(n->text))
        return lm__fail(c, n, path, "expected a finite number, got %s", n->text);
    if (!plain || !number_syntax(n->text))
        return lm__fail(c, n, path, "expected %s, got %s", want, lm__ydescribe(n, got, sizeof got));
    const double v = strtod(n->text, NULL);
    if (!isfinite(v))
        return lm__fail(c, n, path, "expected a finite number, got %s (too large)", n->text);
    if (!in_range(v, lo, hi, flags))
        return lm__fail(c, n, path, "expected %s, got %s", want, lm__ydescribe(n, got, sizeof got));
    if (fabs(v) > LM_NUM_MAX)
        return lm__fail(c, n, path, "expected %s of at most %g in size (the bound of every number "
                        "in longmen's files), got %s", want, LM_NUM_MAX, n->text);
    *out = v;
    return LM_OK;
}

lm_status lm__read_number(const lm__lctx *c, const lm__ynode *n, const char *path, double lo,
                          double hi, unsigned flags, double *out)
{
    return parse_number(c, n, path, "a number", lo, hi, flags, out);
}

static lm_status read_int(const lm__lctx *c, const lm__ynode *n, const char *path,
                          const lm__field *f, int *out)
{
    double v;
    lm_status st = parse_number(c, n, path, "a whole number", f->lo, f->hi, f->flags, &v);
    if (st != LM_OK)
        return st;
    if (v != floor(v)) {
        char want[96];
        return lm__fail(c, n, path, "expected %s, got %s",
                        range_text(want, sizeof want, "a whole number", f->lo, f->hi, f->flags),
                        n->text);
    }
    *out = (int)v;
    return LM_OK;
}

static lm_status read_u64(const lm__lctx *c, const lm__ynode *n, const char *path, uint64_t *out)
{
    char got[128];
    const bool plain = n && n->kind == LM_Y_SCALAR && !n->quoted && n->len > 0;
    bool ok = plain && strspn(n->text, "0123456789") == n->len;
    unsigned long long v = 0;
    if (ok) {
        errno = 0;
        v = strtoull(n->text, NULL, 10);
        /* seeds are stored as SQLite integers, which are signed 64-bit */
        ok = errno == 0 && v <= (unsigned long long)INT64_MAX;
    }
    if (!ok)
        return lm__fail(c, n, path, "expected a whole number in [0, %lld], got %s",
                        (long long)INT64_MAX, lm__ydescribe(n, got, sizeof got));
    *out = (uint64_t)v;
    return LM_OK;
}

static lm_status read_bool(const lm__lctx *c, const lm__ynode *n, const char *path, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    for (int i = 0; n && n->kind == LM_Y_SCALAR && !n->quoted && i < 3; ++i)
        if (strcmp(n->text, yes[i]) == 0 || strcmp(n->text, no[i]) == 0) {
            *out = n->text[0] != 'f' && n->text[0] != 'F';
            return LM_OK;
        }
    char got[128];
    return lm__fail(c, n, path, "expected true or false, got %s",
                    lm__ydescribe(n, got, sizeof got));
}

/* ---- strings, names, ids ---- */

lm_status lm__read_string(const lm__lctx *c, const lm__ynode *n, const char *path, char *out,
                          size_t size)
{
    char got[128];
    if (!n || n->kind != LM_Y_SCALAR)
        return lm__fail(c, n, path, "expected a string, got %s", lm__ydescribe(n, got, sizeof got));
    if (lm__ynull(n)) {
        out[0] = '\0';
        return LM_OK;
    }
    if (memchr(n->text, '\0', n->len))
        return lm__fail(c, n, path, "a NUL character (\\0) is not allowed in a string");
    if (n->len >= size) {
        char text[48];
        clip(text, sizeof text, n->text, 24);
        return lm__fail(c, n, path,
                        "\"%s\" is %zu bytes long in UTF-8, longer than the limit "
                        "of %zu bytes",
                        text, n->len, size - 1);
    }
    memcpy(out, n->text, n->len + 1);
    return LM_OK;
}

static lm_status read_charset(const lm__lctx *c, const lm__ynode *n, const char *path, char *out,
                              const char *charset, const char *what)
{
    lm_status st = lm__read_string(c, n, path, out, LM_NAME_MAX);
    if (st != LM_OK)
        return st;
    if (out[0] && out[0] != '.' && strspn(out, charset) == strlen(out))
        return LM_OK;
    char got[128];
    return lm__fail(c, n, path, "expected %s, got %s", what, lm__ydescribe(n, got, sizeof got));
}

#define ID_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"

lm_status lm__read_id(const lm__lctx *c, const lm__ynode *n, const char *path, char *out)
{
    return read_charset(c, n, path, out, ID_CHARS, "an id of lowercase letters, digits and \"_\"");
}

static lm_status read_filename(const lm__lctx *c, const lm__ynode *n, const char *path, char *out)
{
    return read_charset(c, n, path, out, ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-",
                        "a name of ASCII letters, digits, \"_\", \"-\" and \".\" (it names "
                        "output folders)");
}

/* ---- dates ---- */

/* Splits "YYYY-MM": *shape is false unless the text is digits, '-', two digits. */
static void split_month(const char *s, bool *shape, long *year, int *month)
{
    const size_t ylen = strspn(s, "0123456789");
    *shape = ylen >= 1 && ylen <= 9 && s[ylen] == '-' && s[ylen + 1] >= '0' && s[ylen + 1] <= '9' &&
             s[ylen + 2] >= '0' && s[ylen + 2] <= '9' && s[ylen + 3] == '\0';
    if (!*shape)
        return;
    *year = strtol(s, NULL, 10);
    *month = (s[ylen + 1] - '0') * 10 + (s[ylen + 2] - '0');
    *shape = *month >= 1 && *month <= 12;
}

lm_status lm__read_month(const lm__lctx *c, const lm__ynode *n, const char *path, lm_month *out)
{
    char got[128];
    if (!n || n->kind != LM_Y_SCALAR || lm__ynull(n))
        return lm__fail(c, n, path, "expected \"YYYY-MM\", got %s",
                        lm__ydescribe(n, got, sizeof got));
    bool shape;
    long year = 0;
    int month = 0;
    split_month(n->text, &shape, &year, &month);
    if (!shape)
        return lm__fail(c, n, path, "expected \"YYYY-MM\", got \"%s\"", n->text);
    if (!lm_month_parse(n->text, out))
        return lm__fail(c, n, path, "date out of range: %s is not between 1900-01 and 2200-12",
                        n->text);
    return LM_OK;
}

/* ---- names declared earlier ---- */

int lm__region_index(const lm_params *p, const char *name)
{
    for (int r = 0; r < p->n_regions; ++r)
        if (strcmp(p->regions[r].name, name) == 0)
            return r;
    return -1;
}

int lm__region_named(const lm_params *p, const char *name)
{
    for (int r = 0; r < p->n_regions; ++r)
        if (strcmp(p->regions[r].name, name) == 0 || strcmp(p->regions[r].name_en, name) == 0)
            return r;
    for (int r = 0; r < p->n_regions; ++r)
        if (p->regions[r].name_en[0] && strcasecmp(p->regions[r].name_en, name) == 0)
            return r;
    return -1;
}

int lm__sector_index(const lm_params *p, const char *id)
{
    for (int s = 0; s < p->n_sectors; ++s)
        if (strcmp(p->sectors[s].id, id) == 0)
            return s;
    return -1;
}

int lm__layer_index(const lm_params *p, const char *id)
{
    for (int l = 0; l < p->n_layers; ++l)
        if (strcmp(p->layer_id[l], id) == 0)
            return l;
    return -1;
}

/* A class of names keys may come from: enum names or declared ids. */
typedef struct names {
    const char *what; /* "skill", "sector", ... for "unknown skill" */
    const char *list[LM_MAX_SECTORS + 1];
    int n;
} names;

static void names_of_enum(names *nm, const char *what, const char *(*name_of)(int))
{
    nm->what = what;
    nm->n = 0;
    for (const char *s; (s = name_of(nm->n)) != NULL;)
        nm->list[nm->n++] = s;
}

static void names_of_sectors(names *nm, const lm_params *p)
{
    nm->what = "sector";
    nm->n = p->n_sectors;
    for (int s = 0; s < p->n_sectors; ++s)
        nm->list[s] = p->sectors[s].id;
}

static void names_of_layers(names *nm, const lm_params *p)
{
    nm->what = "layer";
    nm->n = p->n_layers;
    for (int l = 0; l < p->n_layers; ++l)
        nm->list[l] = p->layer_id[l];
}

static int names_find(const names *nm, const char *s)
{
    for (int i = 0; i < nm->n; ++i)
        if (strcmp(nm->list[i], s) == 0)
            return i;
    return -1;
}

static lm_status unknown_name(const lm__lctx *c, const lm__ynode *at, const char *path,
                              const names *nm)
{
    char msg[320];
    if (nm->n == 0 && strcmp(nm->what, "layer") == 0)
        return lm__fail(c, at, path,
                        "unknown layer \"%s\" (the top-level \"layers\" list declares none)",
                        at->text);
    snprintf(msg, sizeof msg, "unknown %s \"%s\"", nm->what, at->text);
    return lm__fail(c, at, path, "%s",
                    lm__did_you_mean(msg, sizeof msg, at->text, nm->list, (size_t)nm->n));
}

/* A scalar naming one of nm; *idx its index. */
static lm_status read_name_ref(const lm__lctx *c, const lm__ynode *n, const char *path,
                               const names *nm, int *idx)
{
    char got[128];
    if (!n || n->kind != LM_Y_SCALAR || lm__ynull(n))
        return lm__fail(c, n, path, "expected a %s id, got %s", nm->what,
                        lm__ydescribe(n, got, sizeof got));
    *idx = names_find(nm, n->text);
    return *idx < 0 ? unknown_name(c, n, path, nm) : LM_OK;
}

/* ---- maps and lists ---- */

/* Keys must be plain names and appear once. */
static lm_status check_keys(const lm__lctx *c, const lm__ynode *map, const char *path)
{
    for (size_t i = 0; i < map->n; ++i) {
        const lm__ynode *k = map->item[2 * i];
        char got[128], sub[LM_PATH_MAX];
        if (k->kind != LM_Y_SCALAR || lm__ynull(k))
            return lm__fail(c, k, path, "expected a key name, got %s",
                            lm__ydescribe(k, got, sizeof got));
        for (size_t j = 0; j < i; ++j) {
            const lm__ynode *prev = map->item[2 * j];
            if (prev->kind == LM_Y_SCALAR && strcmp(prev->text, k->text) == 0) {
                lm__path_key(sub, path, k->text);
                return lm__fail(c, k, sub, "duplicate key \"%s\" (first at line %d)", k->text,
                                prev->line);
            }
        }
    }
    return LM_OK;
}

/* name -> number for the names of nm, into arr (indexed like nm). */
static lm_status read_num_map(const lm__lctx *c, const lm__ynode *map, const char *path,
                              const lm__field *f, const names *nm, double *arr)
{
    lm_status st = lm__expect_kind(c, map, path, LM_Y_MAP);
    if (st == LM_OK)
        st = check_keys(c, map, path);
    if (st != LM_OK)
        return st;
    if (f->flags & LM_FL_MAP_ZERO)
        for (int i = 0; i < nm->n; ++i)
            arr[i] = 0.0;
    for (size_t i = 0; i < map->n && st == LM_OK; ++i) {
        const lm__ynode *k = map->item[2 * i];
        char sub[LM_PATH_MAX];
        lm__path_key(sub, path, k->text);
        const int idx = names_find(nm, k->text);
        st = idx < 0
                 ? unknown_name(c, k, sub, nm)
                 : lm__read_number(c, map->item[2 * i + 1], sub, f->lo, f->hi, f->flags, &arr[idx]);
    }
    for (int i = 0; st == LM_OK && (f->flags & LM_FL_MAP_ALL) && i < nm->n; ++i)
        if (!lm__ymap_get(map, nm->list[i])) {
            char sub[LM_PATH_MAX];
            lm__path_key(sub, path, nm->list[i]);
            st = lm__fail(c, map, sub, "required key \"%s\" is missing", nm->list[i]);
        }
    return st;
}

static lm_status read_mask(const lm__lctx *c, const lm__ynode *seq, const char *path,
                           const names *nm, uint32_t *mask)
{
    lm_status st = lm__expect_kind(c, seq, path, LM_Y_SEQ);
    uint32_t m = 0;
    for (size_t i = 0; st == LM_OK && i < seq->n; ++i) {
        char sub[LM_PATH_MAX];
        lm__path_index(sub, path, i);
        int idx;
        st = read_name_ref(c, seq->item[i], sub, nm, &idx);
        if (st == LM_OK)
            m |= 1u << idx;
    }
    if (st == LM_OK)
        *mask = m;
    return st;
}

/* ---- one field ---- */

static lm_status read_enum_field(const lm__lctx *c, const lm__ynode *n, const char *path,
                                 const lm__field *f, void *ptr)
{
    names nm;
    switch (f->type) {
    case LM_F_SKILL: {
        names_of_enum(&nm, "skill", lm__skill_name);
        int idx;
        lm_status st = read_name_ref(c, n, path, &nm, &idx);
        if (st == LM_OK)
            *(lm_skill *)ptr = (lm_skill)idx;
        return st;
    }
    case LM_F_SKILL_MAP:
        names_of_enum(&nm, "skill", lm__skill_name);
        break;
    case LM_F_MODEL_MAP:
        names_of_enum(&nm, "business model", lm__model_name);
        break;
    case LM_F_STAGE_MAP: /* finance issue */
        names_of_enum(&nm, "stage", lm__stage_name);
        break;
    case LM_F_KIND_MAP:
        names_of_enum(&nm, "investor kind", lm__investor_kind_name);
        break;
    case LM_F_STAGE_LIST:
        names_of_enum(&nm, "stage", lm__stage_name);
        return read_mask(c, n, path, &nm, ptr);
    default:
        names_of_enum(&nm, "founder source", lm__source_name);
        break;
    }
    return read_num_map(c, n, path, f, &nm, ptr);
}

static lm_status read_id_field(const lm__lctx *c, const lm__ynode *n, const char *path,
                               const lm__field *f, void *ptr)
{
    names nm;
    if (f->type == LM_F_SECTOR_MAP || f->type == LM_F_SECTOR_LIST)
        names_of_sectors(&nm, c->p);
    else
        names_of_layers(&nm, c->p);
    switch (f->type) {
    case LM_F_SECTOR_MAP:
    case LM_F_LAYER_MAP:
        return read_num_map(c, n, path, f, &nm, ptr);
    case LM_F_SECTOR_LIST:
    case LM_F_LAYER_LIST:
        return read_mask(c, n, path, &nm, ptr);
    default:
        return read_name_ref(c, n, path, &nm, ptr);
    }
}

/* Keys counting plain CNY (budget_cny_year, wage_cny_month); not gdp_100m_cny, whose unit
 * is already CNY 100M, so "10bn" there would be read 100 times too large. */
static bool money_key(const char *key)
{
    const char *p = strstr(key, "_cny");
    return p && (p[4] == '\0' || p[4] == '_') && !strstr(key, "100m");
}

/* A money field written with a unit (10bn, 100亿, 5000万: money.c), checked against the
 * field's range like a plain number. */
static lm_status read_money(const lm__lctx *c, const lm__ynode *n, const char *path,
                            const lm__field *f, double *out)
{
    char why[320], want[96];
    double v;
    if (!lm__money_parse(n->text, &v, why, sizeof why))
        return lm__fail(c, n, path, "expected an amount of CNY such as 2e9, 10bn or 100亿, got "
                                    "\"%s\": %s",
                        n->text, why);
    if (!in_range(v, f->lo, f->hi, f->flags))
        return lm__fail(c, n, path, "expected %s, got %s (%g CNY)",
                        range_text(want, sizeof want, "a number", f->lo, f->hi, f->flags), n->text,
                        v);
    *out = v;
    return LM_OK;
}

static lm_status read_field(const lm__lctx *c, const lm__ynode *n, const char *path,
                            const lm__field *f, void *ptr)
{
    switch (f->type) {
    case LM_F_SKIP:
        return LM_OK;
    case LM_F_NUM:
        if (money_key(f->key) && n && n->kind == LM_Y_SCALAR && !n->quoted && !lm__ynull(n) &&
            !number_syntax(n->text) && !infinite_or_nan_syntax(n->text))
            return read_money(c, n, path, f, ptr);
        return lm__read_number(c, n, path, f->lo, f->hi, f->flags, ptr);
    case LM_F_INT:
        return read_int(c, n, path, f, ptr);
    case LM_F_U64:
        return read_u64(c, n, path, ptr);
    case LM_F_BOOL:
        return read_bool(c, n, path, ptr);
    case LM_F_STR:
        return lm__read_string(c, n, path, ptr, f->size);
    case LM_F_ID:
        return lm__read_id(c, n, path, ptr);
    case LM_F_FILENAME:
        return read_filename(c, n, path, ptr);
    case LM_F_MONTH:
        return lm__read_month(c, n, path, ptr);
    case LM_F_SKILL:
    case LM_F_SKILL_MAP:
    case LM_F_MODEL_MAP:
    case LM_F_SOURCE_MAP:
    case LM_F_STAGE_MAP:
    case LM_F_KIND_MAP:
    case LM_F_STAGE_LIST:
        return read_enum_field(c, n, path, f, ptr);
    case LM_F_SECTOR_MAP:
    case LM_F_LAYER_MAP:
    case LM_F_SECTOR_LIST:
    case LM_F_LAYER_LIST:
    case LM_F_LAYER_REF:
        return read_id_field(c, n, path, f, ptr);
    }
    return LM_OK;
}

/* ---- a mapping against a table ---- */

static bool kind_accepts(const lm__field *f, int kind)
{
    return kind < 0 || f->kinds == 0 || (f->kinds & (1u << kind));
}

static const lm__field *find_field(const lm__field *tab, size_t n, const char *key)
{
    for (size_t i = 0; i < n; ++i)
        if (strcmp(tab[i].key, key) == 0)
            return &tab[i];
    return NULL;
}

/* Keys valid here (for kind), as suggestion candidates. */
static size_t valid_keys(const lm__field *tab, size_t n, int kind, const char **out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; ++i)
        if (kind_accepts(&tab[i], kind))
            out[k++] = tab[i].key;
    return k;
}

/* Keys the model no longer reads, with what replaced them: a scenario written for an older
 * model fails with the reason, rather than running with a number that now means nothing. */
static const char *const removed_keys[][2] = {
    {"attraction", "policies no longer add a constant to founders' utility; each kind acts "
                   "through what founders observe (deal flow, burn, knowledge, chain, "
                   "restarts), docs/model.md 7.2: delete the key"},
    {"w_pol", "policies no longer add a constant to founders' utility (docs/model.md 7.2): "
              "delete the key"},
    {"w_cap", "the early-capital term gave way to the first-round prospect: use w_round "
              "(docs/model.md 7.2)"},
    {"angel_loss_tolerance", "investors' dry powder no longer enters founders' utility (the "
                             "first-round prospect replaced it, docs/model.md 7.2): delete the key"},
    {"vc_loss_tolerance", "investors' dry powder no longer enters founders' utility (the "
                          "first-round prospect replaced it, docs/model.md 7.2): delete the key"},
    {"strategic_loss_tolerance", "investors' dry powder no longer enters founders' utility (the "
                                 "first-round prospect replaced it, docs/model.md 7.2): delete "
                                 "the key"},
};

const char *lm__removed_key(const char *key)
{
    for (size_t i = 0; i < sizeof removed_keys / sizeof removed_keys[0]; ++i)
        if (strcmp(removed_keys[i][0], key) == 0)
            return removed_keys[i][1];
    return NULL;
}

static lm_status unknown_key(const lm__lctx *c, const lm__ynode *key, const char *path,
                             const lm__field *tab, size_t n, int kind)
{
    const char *why = lm__removed_key(key->text);
    if (why)
        return lm__fail(c, key, path, "key \"%s\" was removed: %s", key->text, why);
    const char *cands[64];
    const size_t nc = valid_keys(tab, n, kind, cands, 64);
    char msg[320];
    snprintf(msg, sizeof msg, "unknown key \"%s\"", key->text);
    return lm__fail(c, key, path, "%s", lm__did_you_mean(msg, sizeof msg, key->text, cands, nc));
}

/* The key exists for other policy kinds: suggest a near key of this kind if there is one,
 * else say which kinds take it (the user may have the wrong kind). */
static lm_status wrong_kind(const lm__lctx *c, const lm__ynode *key, const char *path,
                            const lm__field *f, const lm__field *tab, size_t n, int kind)
{
    const char *cands[64];
    const size_t nc = valid_keys(tab, n, kind, cands, 64);
    char msg[400];
    int len = snprintf(msg, sizeof msg, "key \"%s\" is not valid for a policy of kind \"%s\"",
                       key->text, lm__policy_kind_name(kind));
    if (lm__suggest(key->text, cands, nc))
        return lm__fail(c, key, path, "%s",
                        lm__did_you_mean(msg, sizeof msg, key->text, cands, nc));
    const char *sep = "; it applies to kinds ";
    for (int k = 0; k < LM_POLICY_KIND_COUNT && len > 0 && (size_t)len < sizeof msg; ++k)
        if (f->kinds & (1u << k)) {
            len +=
                snprintf(msg + len, sizeof msg - (size_t)len, "%s%s", sep, lm__policy_kind_name(k));
            sep = ", ";
        }
    return lm__fail(c, key, path, "%s", msg);
}

static lm_status check_required(const lm__lctx *c, const lm__ynode *map, const char *path,
                                const lm__field *tab, size_t n, int kind)
{
    for (size_t i = 0; i < n; ++i)
        if ((tab[i].flags & LM_FL_REQUIRED) && kind_accepts(&tab[i], kind) &&
            !lm__ymap_get(map, tab[i].key)) {
            char sub[LM_PATH_MAX];
            lm__path_key(sub, path, tab[i].key);
            return lm__fail(c, map, sub, "required key \"%s\" is missing", tab[i].key);
        }
    return LM_OK;
}

lm_status lm__fill_fields(const lm__lctx *c, const lm__ynode *map, const char *path,
                          const lm__field *tab, size_t n, void *base, int kind)
{
    lm_status st = lm__expect_kind(c, map, path, LM_Y_MAP);
    if (st == LM_OK)
        st = check_keys(c, map, path);
    for (size_t i = 0; st == LM_OK && i < map->n; ++i) {
        const lm__ynode *key = map->item[2 * i];
        char sub[LM_PATH_MAX];
        lm__path_key(sub, path, key->text);
        const lm__field *f = find_field(tab, n, key->text);
        if (!f)
            st = unknown_key(c, key, sub, tab, n, kind);
        else if (!kind_accepts(f, kind))
            st = wrong_kind(c, key, sub, f, tab, n, kind);
        else
            st = read_field(c, map->item[2 * i + 1], sub, f, (char *)base + f->off);
    }
    return st == LM_OK ? check_required(c, map, path, tab, n, kind) : st;
}
