/* src/server/edit.c -- scenario edits from the dashboard: switch a region's policy off, or
 * set a value that the file holds (server_int.h). The edit works on the YAML text, not on a
 * re-emitted document: each edited scalar is replaced where it stands, so comments, order and
 * line numbers stay as the user wrote them and the loader's errors ("file:line:col: field:
 * message") point at the same line as in the original file. Positions come from the
 * scenario's own YAML tree (src/scenario/yaml.h). */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "longmen/longmen.h"
#include "scenario/yaml.h"
#include "server/server_int.h"

#define MAX_EDITS 256

typedef struct replacement {
    size_t at, len; /* bytes of the original text */
    char text[96];
} replacement;

/* Byte offset of a 1-based line and column (columns count characters, as the tree's do). */
static size_t offset_of(const char *text, size_t len, int line, int column)
{
    size_t i = 0;
    for (int l = 1; l < line && i < len; ++i)
        if (text[i] == '\n')
            ++l;
    for (int c = 1; c < column && i < len && text[i] != '\n';) {
        ++i;
        while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            ++i; /* continuation bytes of a UTF-8 character */
        ++c;
    }
    return i;
}

/* The bytes the scalar n occupies in text: quotes included; a plain scalar only when it
 * is written on one line as it reads. Returns 0 when it cannot be edited in place. */
static size_t raw_extent(const char *text, size_t len, const lm__ynode *n, size_t *at)
{
    if (n->kind != LM_Y_SCALAR || n->empty)
        return 0;
    size_t i = offset_of(text, len, n->line, n->column);
    /* The tree may place a quoted scalar after its opening quote: take the quote in. */
    if (n->quoted && i > 0 && i < len && text[i] != '"' && text[i] != '\'' &&
        (text[i - 1] == '"' || text[i - 1] == '\''))
        --i;
    *at = i;
    if (i >= len)
        return 0;
    if (text[i] == '"') {
        for (size_t j = i + 1; j < len && text[j] != '\n'; ++j) {
            if (text[j] == '\\')
                ++j;
            else if (text[j] == '"')
                return j + 1 - i;
        }
        return 0;
    }
    if (text[i] == '\'') {
        for (size_t j = i + 1; j < len && text[j] != '\n'; ++j)
            if (text[j] == '\'') {
                if (j + 1 < len && text[j + 1] == '\'')
                    ++j;
                else
                    return j + 1 - i;
            }
        return 0;
    }
    if (text[i] == '|' || text[i] == '>' || text[i] == '&' || text[i] == '*' || text[i] == '!')
        return 0; /* block scalars, anchors, aliases, tags: edit the file instead */
    if (n->len == 0 || i + n->len > len || memcmp(text + i, n->text, n->len) != 0)
        return 0;
    return n->len;
}

/* Walks a path such as regions[1].policies[0].loss_tolerance. NULL when absent. */
static const lm__ynode *resolve(const lm__ynode *root, const char *path)
{
    const lm__ynode *n = root;
    const char *p = path;
    while (n && *p) {
        char key[64];
        size_t k = 0;
        while (*p && *p != '.' && *p != '[' && k + 1 < sizeof key)
            key[k++] = *p++;
        key[k] = '\0';
        if (k > 0)
            n = lm__ymap_get(n, key);
        while (n && *p == '[') {
            char *end;
            const long idx = strtol(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || idx < 0)
                return NULL;
            n = lm__yseq_item(n, (size_t)idx);
            p = end + 1;
        }
        if (*p == '.')
            ++p;
        else if (*p)
            return NULL;
    }
    return n;
}

/* A JSON value as a YAML scalar. false when it is no scalar. */
static bool yaml_scalar(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsBool(v)) {
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
        return true;
    }
    if (cJSON_IsNumber(v)) {
        const double d = v->valuedouble;
        if (!isfinite(d))
            return false;
        if (d == floor(d) && fabs(d) < 1e15) {
            snprintf(buf, size, "%.0f", d);
            return true;
        }
        /* The shortest text that reads back as the same double (2.385, not 2.38499...). */
        for (int digits = 15; digits <= 17; ++digits) {
            snprintf(buf, size, "%.*g", digits, d);
            if (strtod(buf, NULL) == d)
                break;
        }
        return true;
    }
    if (cJSON_IsString(v)) {
        /* Double-quoted: JSON's escapes are YAML's. */
        size_t k = 0;
        buf[k++] = '"';
        for (const char *s = v->valuestring; *s; ++s) {
            if (k + 8 >= size)
                return false;
            const unsigned char c = (unsigned char)*s;
            if (c == '"' || c == '\\') {
                buf[k++] = '\\';
                buf[k++] = (char)c;
            } else if (c < 0x20) {
                k += (size_t)snprintf(buf + k, size - k, "\\x%02x", c);
            } else {
                buf[k++] = (char)c;
            }
        }
        buf[k++] = '"';
        buf[k] = '\0';
        return true;
    }
    return false;
}

static lm_status bad_edit(lm_error *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static lm_status bad_edit(lm_error *err, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lm_error_set_at(err, LM_EINVAL, "", 0, 0, field, "%s", msg);
}

static int by_offset_desc(const void *a, const void *b)
{
    const replacement *x = a, *y = b;
    return (x->at < y->at) - (x->at > y->at);
}

/* The region a "region" member names: a name (UTF-8) or an index. -1 when none. */
static int region_index(const lm__ynode *regions, const cJSON *which)
{
    if (cJSON_IsNumber(which)) {
        const double d = which->valuedouble;
        return d >= 0 && d < (double)regions->n && d == floor(d) ? (int)d : -1;
    }
    if (!cJSON_IsString(which))
        return -1;
    for (size_t r = 0; r < regions->n; ++r) {
        const lm__ynode *name = lm__ymap_get(regions->item[r], "name");
        const lm__ynode *name_en = lm__ymap_get(regions->item[r], "name_en");
        if ((name && name->kind == LM_Y_SCALAR && strcmp(name->text, which->valuestring) == 0) ||
            (name_en && name_en->kind == LM_Y_SCALAR &&
             strcmp(name_en->text, which->valuestring) == 0))
            return (int)r;
    }
    return -1;
}

static lm_status add_replacement(replacement *reps, int *n, const char *text, size_t len,
                                 const lm__ynode *node, const char *value, const char *field,
                                 lm_error *err)
{
    if (*n >= MAX_EDITS)
        return bad_edit(err, field, "more than %d edits", MAX_EDITS);
    size_t at = 0;
    const size_t ext = raw_extent(text, len, node, &at);
    if (ext == 0)
        return bad_edit(err, field, "this value is written in a form the page cannot edit (a "
                                    "block, an anchor or several lines); edit the file");
    for (int i = 0; i < *n; ++i)
        if (reps[i].at == at)
            return bad_edit(err, field, "the same value is edited twice");
    reps[*n].at = at;
    reps[*n].len = ext;
    snprintf(reps[*n].text, sizeof reps[*n].text, "%s", value);
    ++*n;
    return LM_OK;
}

static lm_status policy_edits(const lm__ydoc *doc, const char *text, size_t len,
                              const cJSON *list, replacement *reps, int *n, lm_error *err)
{
    if (!list)
        return LM_OK;
    if (!cJSON_IsArray(list))
        return bad_edit(err, "policies", "expected a list of {region, policy, enabled}");
    /* Switched off = starts the month after the period ends (and ends a month later). */
    const lm__ynode *period_end = resolve(doc->root, "period.end");
    int32_t end_month;
    if (!period_end || period_end->kind != LM_Y_SCALAR ||
        !lm_month_parse(period_end->text, &end_month))
        lm_month_parse("2034-12", &end_month); /* the loader's default period */
    char off_start[16], off_end[16];
    lm_month_format(end_month + 1, off_start);
    lm_month_format(end_month + 2, off_end);
    const lm__ynode *regions = lm__ymap_get(doc->root, "regions");
    int i = 0;
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, list)
    {
        char field[64];
        snprintf(field, sizeof field, "policies[%d]", i++);
        const cJSON *enabled = cJSON_GetObjectItemCaseSensitive(e, "enabled");
        if (!cJSON_IsObject(e) || !cJSON_IsBool(enabled))
            return bad_edit(err, field, "expected {\"region\": name or index, \"policy\": "
                                        "index, \"enabled\": true or false}");
        const int r = regions && regions->kind == LM_Y_SEQ
                          ? region_index(regions, cJSON_GetObjectItemCaseSensitive(e, "region"))
                          : -1;
        if (r < 0) {
            snprintf(field + strlen(field), sizeof field - strlen(field), ".region");
            return bad_edit(err, field, "no such region in the scenario");
        }
        const lm__ynode *pols = lm__ymap_get(regions->item[r], "policies");
        const cJSON *which = cJSON_GetObjectItemCaseSensitive(e, "policy");
        const double k = cJSON_IsNumber(which) ? which->valuedouble : -1;
        if (!pols || pols->kind != LM_Y_SEQ || k < 0 || k != floor(k) || k >= (double)pols->n) {
            snprintf(field + strlen(field), sizeof field - strlen(field), ".policy");
            return bad_edit(err, field, "no such policy in that region");
        }
        if (cJSON_IsTrue(enabled))
            continue; /* on is how the file has it */
        const lm__ynode *pol = pols->item[(size_t)k];
        const lm__ynode *start = lm__ymap_get(pol, "start");
        if (!start)
            return bad_edit(err, field, "the policy has no start to move");
        lm_status st = add_replacement(reps, n, text, len, start, off_start, field, err);
        const lm__ynode *end = lm__ymap_get(pol, "end");
        if (st == LM_OK && end && !lm__ynull(end))
            st = add_replacement(reps, n, text, len, end, off_end, field, err);
        if (st != LM_OK)
            return st;
    }
    return LM_OK;
}

static lm_status set_edits(const lm__ydoc *doc, const char *text, size_t len, const cJSON *list,
                           replacement *reps, int *n, lm_error *err)
{
    if (!list)
        return LM_OK;
    if (!cJSON_IsArray(list))
        return bad_edit(err, "set", "expected a list of {path, value}");
    int i = 0;
    const cJSON *e = NULL;
    cJSON_ArrayForEach(e, list)
    {
        char field[64];
        snprintf(field, sizeof field, "set[%d]", i++);
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(e, "path");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(e, "value");
        if (!cJSON_IsObject(e) || !cJSON_IsString(path) || !value)
            return bad_edit(err, field, "expected {\"path\": \"regions[0].amenity\", "
                                        "\"value\": ...}");
        if (strlen(path->valuestring) > 200)
            return bad_edit(err, field, "path longer than 200 characters");
        const lm__ynode *node = resolve(doc->root, path->valuestring);
        if (!node)
            return bad_edit(err, path->valuestring,
                            "not in the scenario file; only values the file holds can be set "
                            "from the page");
        if (node->kind != LM_Y_SCALAR)
            return bad_edit(err, path->valuestring, "a list or a mapping, not a value");
        char scalar[96];
        if (!yaml_scalar(value, scalar, sizeof scalar))
            return bad_edit(err, field, "value: expected a number, a string (under 40 "
                                        "characters) or true/false");
        const lm_status st = add_replacement(reps, n, text, len, node, scalar, path->valuestring,
                                             err);
        if (st != LM_OK)
            return st;
    }
    return LM_OK;
}

lm_status lm__scenario_edit(const char *text, size_t len, const char *file, const cJSON *edits,
                            char **out, size_t *out_len, lm_error *err)
{
    *out = NULL;
    *out_len = 0;
    lm_status st = lm__utf8_check(text, len, file, err);
    if (st != LM_OK)
        return st;
    lm__ydoc doc = {0};
    if ((st = lm__yaml_parse(text, len, file, &doc, err)) != LM_OK) {
        lm__yaml_free(&doc);
        return st;
    }
    replacement *reps = malloc(MAX_EDITS * sizeof *reps);
    int n = 0;
    if (!reps)
        st = lm_error_set(err, LM_ENOMEM, __FILE__, __LINE__, "scenario edits");
    if (st == LM_OK && doc.root)
        st = policy_edits(&doc, text, len, cJSON_GetObjectItemCaseSensitive(edits, "policies"),
                          reps, &n, err);
    if (st == LM_OK && doc.root)
        st = set_edits(&doc, text, len, cJSON_GetObjectItemCaseSensitive(edits, "set"), reps, &n,
                       err);
    lm__yaml_free(&doc);
    if (st != LM_OK) {
        free(reps);
        return st;
    }
    /* Apply from the end, so earlier offsets stay valid. */
    qsort(reps, (size_t)n, sizeof *reps, by_offset_desc);
    size_t grow = 0;
    for (int i = 0; i < n; ++i)
        grow += strlen(reps[i].text);
    char *buf = malloc(len + grow + 1);
    if (!buf) {
        free(reps);
        LM_FAIL(err, LM_ENOMEM, "scenario edits");
    }
    memcpy(buf, text, len);
    size_t cur = len;
    for (int i = 0; i < n; ++i) {
        const size_t k = strlen(reps[i].text);
        memmove(buf + reps[i].at + k, buf + reps[i].at + reps[i].len,
                cur - reps[i].at - reps[i].len);
        memcpy(buf + reps[i].at, reps[i].text, k);
        cur = cur - reps[i].len + k;
    }
    buf[cur] = '\0';
    free(reps);
    *out = buf;
    *out_len = cur;
    return LM_OK;
}

static cJSON *scalar_or_null(const lm__ynode *n)
{
    return n && n->kind == LM_Y_SCALAR && !lm__ynull(n) ? cJSON_CreateString(n->text)
                                                         : cJSON_CreateNull();
}

lm_status lm__scenario_outline(const char *text, size_t len, const char *file, cJSON **out,
                               lm_error *err)
{
    *out = NULL;
    lm_status st = lm__utf8_check(text, len, file, err);
    if (st != LM_OK)
        return st;
    lm__ydoc doc = {0};
    if ((st = lm__yaml_parse(text, len, file, &doc, err)) != LM_OK) {
        lm__yaml_free(&doc);
        return st;
    }
    cJSON *regions = cJSON_CreateArray();
    const lm__ynode *rs = doc.root ? lm__ymap_get(doc.root, "regions") : NULL;
    for (size_t r = 0; regions && rs && rs->kind == LM_Y_SEQ && r < rs->n; ++r) {
        const lm__ynode *reg = rs->item[r];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(regions, o);
        cJSON_AddNumberToObject(o, "index", (double)r);
        cJSON_AddItemToObject(o, "name", scalar_or_null(lm__ymap_get(reg, "name")));
        cJSON_AddItemToObject(o, "name_en", scalar_or_null(lm__ymap_get(reg, "name_en")));
        cJSON *pa = cJSON_AddArrayToObject(o, "policies");
        const lm__ynode *ps = lm__ymap_get(reg, "policies");
        for (size_t k = 0; pa && ps && ps->kind == LM_Y_SEQ && k < ps->n; ++k) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddItemToArray(pa, p);
            cJSON_AddNumberToObject(p, "index", (double)k);
            static const char *const keys[] = {"kind", "name", "start", "end"};
            for (size_t j = 0; j < sizeof keys / sizeof keys[0]; ++j)
                cJSON_AddItemToObject(p, keys[j], scalar_or_null(lm__ymap_get(ps->item[k], keys[j])));
        }
    }
    lm__yaml_free(&doc);
    if (!regions)
        LM_FAIL(err, LM_ENOMEM, "scenario outline");
    *out = regions;
    return LM_OK;
}
