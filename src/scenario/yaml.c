/* src/scenario/yaml.c -- YAML text to a small positioned tree (yaml.h), and the byte-level
 * check that runs before it. libfyaml does the YAML; we only keep what the scenario loader
 * needs: kinds, texts, 1-based positions. libfyaml must never print: its diagnostics go to a
 * silent diag object that collects them, and the first one becomes our lm_error. */
#include <libfyaml.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_int.h"
#include "scenario/yaml.h"

/* ---- arena: one free for the whole tree (aliases share nodes, so no per-node free) ---- */

struct lm__yblock {
    struct lm__yblock *next;
    size_t used, size;
    max_align_t data[];
};

static void *arena_alloc(lm__ydoc *doc, size_t bytes)
{
    const size_t align = alignof(max_align_t);
    bytes = (bytes + align - 1) / align * align;
    struct lm__yblock *b = doc->arena;
    if (!b || b->size - b->used < bytes) {
        const size_t size = bytes > 65536 ? bytes : 65536;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->next = doc->arena;
        b->used = 0;
        b->size = size;
        doc->arena = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += bytes;
    return p;
}

void *lm__yaml_alloc(lm__ydoc *doc, size_t bytes) { return arena_alloc(doc, bytes); }

void lm__yaml_free(lm__ydoc *doc)
{
    if (!doc)
        return;
    while (doc->arena) {
        struct lm__yblock *next = doc->arena->next;
        free(doc->arena);
        doc->arena = next;
    }
    doc->root = NULL;
}

/* ---- byte check ---- */

/* Length of the UTF-8 sequence at s (n bytes left), 0 when malformed. Rejects overlong
 * forms, surrogates and code points above U+10FFFF, as RFC 3629 does. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    const unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; ++i)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

lm_status lm__utf8_check(const char *text, size_t len, const char *file, lm_error *err)
{
    const unsigned char *s = (const unsigned char *)text;
    int line = 1, column = 1;
    size_t i = 0;
    while (i < len) {
        const unsigned char c = s[i];
        if (c == 0)
            return lm_error_set_at(err, LM_EINVAL, file, line, column, "",
                                   "NUL byte (0x00) in the file; is it a text file?");
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return lm_error_set_at(err, LM_EINVAL, file, line, column, "",
                                   "control character 0x%02x is not allowed in YAML", c);
        const size_t n = utf8_seq_len(s + i, len - i);
        if (n == 0)
            return lm_error_set_at(err, LM_EINVAL, file, line, column, "",
                                   "invalid UTF-8 byte 0x%02x", c);
        i += n;
        if (c == '\n') {
            ++line;
            column = 1;
        } else
            ++column; /* columns count characters, as libfyaml's marks do */
    }
    return LM_OK;
}

/* ---- tree builder ---- */

typedef struct frame {
    lm__ynode *node;
    lm__ynode **items;
    size_t n, cap;
    size_t expanded;    /* expanded sizes of the items so far */
    const char *anchor; /* registered when the collection ends, so it cannot contain itself */
} frame;

typedef struct anchor {
    const char *name;
    lm__ynode *node;
} anchor;

typedef struct builder {
    lm__ydoc *doc;
    frame *stack;
    size_t depth, cap;
    anchor *anchors;
    size_t n_anchors, cap_anchors;
    int docs;
    int last_line, last_column; /* of the last positioned event: empty scalars have none */
    size_t expanded_max;         /* bound of the root's expanded size */
    const char *file;
    lm_error *err;
} builder;

static lm_status nomem(builder *b)
{
    return lm_error_set_at(b->err, LM_ENOMEM, b->file, b->last_line, b->last_column, "",
                           "out of memory while reading the YAML");
}

/* Grows a malloc'd array to hold at least need elements. */
static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

static const char *arena_strdup(lm__ydoc *doc, const char *s, size_t len)
{
    char *d = arena_alloc(doc, len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

static lm__ynode *new_node(builder *b, lm__ykind kind, const struct fy_event *e)
{
    lm__ynode *n = arena_alloc(b->doc, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    n->kind = kind;
    const struct fy_mark *m = fy_event_start_mark((struct fy_event *)e);
    if (m) { /* libfyaml marks are 0-based */
        b->last_line = m->line + 1;
        b->last_column = m->column + 1;
    }
    n->line = b->last_line;
    n->column = b->last_column;
    n->file = b->file;
    n->expanded = 1;
    return n;
}

static lm_status attach(builder *b, lm__ynode *n)
{
    if (b->depth == 0) {
        b->doc->root = n;
        return LM_OK;
    }
    frame *f = &b->stack[b->depth - 1];
    if (!grow((void **)&f->items, &f->cap, f->n + 1, sizeof *f->items))
        return nomem(b);
    f->items[f->n++] = n;
    f->expanded += n->expanded; /* a collection's own count is final when it ends */
    return LM_OK;
}

static lm_status add_anchor(builder *b, const char *name, lm__ynode *n)
{
    if (!grow((void **)&b->anchors, &b->cap_anchors, b->n_anchors + 1, sizeof *b->anchors))
        return nomem(b);
    b->anchors[b->n_anchors++] = (anchor){name, n};
    return LM_OK;
}

static const char *token_text(builder *b, struct fy_token *t)
{
    size_t len = 0;
    const char *s = t ? fy_token_get_text(t, &len) : NULL;
    return arena_strdup(b->doc, s ? s : "", s ? len : 0);
}

static lm_status on_scalar(builder *b, struct fy_event *e)
{
    lm__ynode *n = new_node(b, LM_Y_SCALAR, e);
    if (!n)
        return nomem(b);
    size_t len = 0;
    const char *s = fy_token_get_text(e->scalar.value, &len);
    n->text = arena_strdup(b->doc, s ? s : "", s ? len : 0);
    n->len = s ? len : 0;
    if (!n->text)
        return nomem(b);
    n->quoted = fy_token_scalar_style(e->scalar.value) != FYSS_PLAIN;
    if (e->scalar.tag) {
        const char *tag = fy_token_get_text0(e->scalar.tag);
        if (tag && strcmp(tag, "tag:yaml.org,2002:str") == 0)
            n->quoted = true;
    }
    n->empty = !n->quoted && n->len == 0;
    lm_status st = attach(b, n);
    if (st == LM_OK && e->scalar.anchor) {
        const char *name = token_text(b, e->scalar.anchor);
        st = name ? add_anchor(b, name, n) : nomem(b);
    }
    return st;
}

static lm_status on_alias(builder *b, struct fy_event *e)
{
    const char *name = token_text(b, e->alias.anchor);
    if (!name)
        return nomem(b);
    const struct fy_mark *m = fy_event_start_mark(e);
    if (m) {
        b->last_line = m->line + 1;
        b->last_column = m->column + 1;
    }
    for (size_t i = b->n_anchors; i-- > 0;) /* the latest definition wins, as in YAML */
        if (strcmp(b->anchors[i].name, name) == 0) {
            /* Checked here, as each alias is met: the sum of what the open collections
             * hold so far must stay in bounds, whatever the aliases nest. */
            size_t open = b->anchors[i].node->expanded;
            for (size_t d = 0; d < b->depth && open <= b->expanded_max; ++d)
                open += b->stack[d].expanded;
            if (open > b->expanded_max)
                return lm_error_set_at(b->err, LM_EINVAL, b->file, b->last_line,
                                       b->last_column, "",
                                       "aliases expand the document to more than %zu values; "
                                       "write the values out or share fewer",
                                       b->expanded_max);
            return attach(b, b->anchors[i].node);
        }
    return lm_error_set_at(b->err, LM_EINVAL, b->file, b->last_line, b->last_column, "",
                           "alias \"*%s\" refers to no anchor \"&%s\" defined before it", name,
                           name);
}

static lm_status on_start(builder *b, struct fy_event *e, lm__ykind kind)
{
    lm__ynode *n = new_node(b, kind, e);
    if (!n)
        return nomem(b);
    lm_status st = attach(b, n);
    if (st != LM_OK)
        return st;
    if (b->depth >= LM_YAML_DEPTH_MAX)
        return lm_error_set_at(b->err, LM_EINVAL, b->file, n->line, n->column, "",
                               "lists and mappings nest deeper than %d levels here",
                               LM_YAML_DEPTH_MAX);
    if (!grow((void **)&b->stack, &b->cap, b->depth + 1, sizeof *b->stack))
        return nomem(b);
    struct fy_token *anch = kind == LM_Y_MAP ? e->mapping_start.anchor : e->sequence_start.anchor;
    b->stack[b->depth++] = (frame){n, NULL, 0, 0, 0, anch ? token_text(b, anch) : NULL};
    return LM_OK;
}

static lm_status on_end(builder *b)
{
    frame *f = &b->stack[--b->depth];
    lm__ynode *n = f->node;
    lm_status st = LM_OK;
    if (f->n) {
        n->item = arena_alloc(b->doc, f->n * sizeof *n->item);
        if (n->item)
            memcpy(n->item, f->items, f->n * sizeof *n->item);
        else
            st = nomem(b);
    }
    n->n = n->kind == LM_Y_MAP ? f->n / 2 : f->n;
    n->expanded = 1 + f->expanded;
    if (b->depth > 0) /* attach() counted it as 1 while it was open */
        b->stack[b->depth - 1].expanded += f->expanded;
    free(f->items);
    if (st == LM_OK && f->anchor)
        st = add_anchor(b, f->anchor, n);
    return st;
}

static lm_status on_event(builder *b, struct fy_event *e)
{
    switch (e->type) {
    case FYET_DOCUMENT_START:
        if (++b->docs > 1) {
            const struct fy_mark *m = fy_event_start_mark(e);
            return lm_error_set_at(b->err, LM_EINVAL, b->file, m ? m->line + 1 : b->last_line,
                                   m ? m->column + 1 : b->last_column, "",
                                   "a scenario is one YAML document; a second one starts here");
        }
        return LM_OK;
    case FYET_SCALAR:
        return on_scalar(b, e);
    case FYET_ALIAS:
        return on_alias(b, e);
    case FYET_MAPPING_START:
        return on_start(b, e, LM_Y_MAP);
    case FYET_SEQUENCE_START:
        return on_start(b, e, LM_Y_SEQ);
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
        return b->depth ? on_end(b) : LM_OK;
    default:
        return LM_OK;
    }
}

/* The first error libfyaml collected, as ours. Its diag positions are already 1-based. */
static lm_status syntax_error(builder *b, struct fy_diag *diag)
{
    void *it = NULL;
    struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
    if (!de)
        return lm_error_set_at(b->err, LM_EINVAL, b->file, b->last_line, b->last_column, "",
                               "YAML syntax error");
    return lm_error_set_at(b->err, LM_EINVAL, b->file, de->line > 0 ? de->line : 1,
                           de->column > 0 ? de->column : 1, "", "YAML syntax error: %s",
                           de->msg ? de->msg : "unknown");
}

static void quiet_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag, (void)user, (void)buf, (void)len; /* a library does not print */
}

static _Thread_local const volatile sig_atomic_t *stop_watched;

const volatile sig_atomic_t *lm__scenario_watch_stop(const volatile sig_atomic_t *flag)
{
    const volatile sig_atomic_t *before = stop_watched;
    stop_watched = flag;
    return before;
}

lm_status lm__scenario_check_stop(const char *file, lm_error *err)
{
    if (!stop_watched || !*stop_watched)
        return LM_OK;
    return lm_error_set_at(err, LM_EINTR, file, 0, 0, "", "interrupted while loading");
}

/* Events between two looks at the stop flag: a 16 MB file is millions of events and takes
 * about two seconds; 4096 of them take well under a millisecond. */
#define STOP_EVERY 4096u

static lm_status run_parser(builder *b, struct fy_parser *fyp, struct fy_diag *diag)
{
    lm_status st = LM_OK;
    struct fy_event *e;
    unsigned events = 0;
    while (st == LM_OK && (e = fy_parser_parse(fyp)) != NULL) {
        st = on_event(b, e);
        fy_parser_event_free(fyp, e);
        if (st == LM_OK && ++events % STOP_EVERY == 0 && stop_watched && *stop_watched)
            st = lm_error_set_at(b->err, LM_EINTR, b->file, b->last_line, b->last_column, "",
                                 "interrupted while loading");
    }
    if (st == LM_OK && (fy_parser_get_stream_error(fyp) || fy_diag_got_error(diag)))
        st = syntax_error(b, diag);
    return st;
}

static lm_status parse_with_diag(builder *b, const char *text, size_t len)
{
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = quiet_output;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag)
        return nomem(b);
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET, .diag = diag};
    struct fy_parser *fyp = fy_parser_create(&pcfg);
    lm_status st;
    if (!fyp)
        st = nomem(b);
    else if (fy_parser_set_string(fyp, text, len) != 0)
        st = nomem(b);
    else
        st = run_parser(b, fyp, diag);
    fy_parser_destroy(fyp);
    fy_diag_destroy(diag);
    return st;
}

/* Flow collections ([...], {...}) nested deeper than LM_YAML_DEPTH_MAX, found by a lexical
 * scan before libfyaml sees the text: its scanner reads a flow collection ahead whole, so
 * 2 million '[' cost it seconds and a gigabyte before the tree builder could refuse the
 * 65th level. A bracket or quote opens something only where a value may start (after ':',
 * '-', '?', ',', '[', '{' or at the start of a line), so plain scalars such as `a[1` and
 * `it's` are left alone; comments are skipped. */
static lm_status flow_depth_check(const char *text, size_t len, const char *file, lm_error *err)
{
    int depth = 0, line = 1, column = 1;
    char prev = '\0'; /* the last non-blank character that may precede a value, '\0': none */
    for (size_t i = 0; i < len; ++i, ++column) {
        const char c = text[i];
        if ((unsigned char)c >= 0x80 && ((unsigned char)c & 0xC0) == 0x80)
            --column; /* columns count characters */
        if (c == '\n') {
            ++line;
            column = 0;
            if (depth == 0)
                prev = '\0';
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r')
            continue;
        const bool value_start = prev == '\0' || strchr(":-?,[{", prev);
        if (c == '#' && (i == 0 || strchr(" \t\n", text[i - 1]))) {
            while (i + 1 < len && text[i + 1] != '\n')
                ++i;
            continue;
        }
        if ((c == '"' || c == '\'') && value_start) {
            for (++i; i < len; ++i) {
                if (text[i] == c && !(c == '\'' && i + 1 < len && text[i + 1] == '\''))
                    break;
                if ((c == '"' && text[i] == '\\') || (c == '\'' && text[i] == '\''))
                    ++i; /* an escape, or '' inside single quotes */
                else if (text[i] == '\n')
                    ++line;
            }
            prev = 'x';
            continue;
        }
        if ((c == '[' || c == '{') && (value_start || depth > 0)) {
            if (++depth > LM_YAML_DEPTH_MAX)
                return lm_error_set_at(err, LM_EINVAL, file, line, column, "",
                                       "lists and mappings nest deeper than %d levels here",
                                       LM_YAML_DEPTH_MAX);
        } else if ((c == ']' || c == '}') && depth > 0)
            --depth;
        else if (c == '[' || c == '{') {
            prev = 'x'; /* part of a plain scalar: `a[[[` opens nothing */
            continue;
        }
        prev = c;
    }
    return LM_OK;
}

/* A tab before an indicator ('-', '?', ':', '|', '>') in a document that has an explicit key
 * ('? ' starting an entry): libfyaml 0.7.12, Debian 12's, crashes while freeing its parser
 * after such text (a write through a null pointer in fy_indent_vacuum_internal; found by
 * tests/fuzz/fuzz_targets, reproduced with libfyaml alone, e.g. "? a: \t?"). Refusing
 * these documents before libfyaml sees them turns a crash into an error at the tab. Scenario,
 * levers, params and targets files have no explicit keys, so no file of theirs is refused;
 * for a document that has them, a tab before an indicator is at best ambiguous YAML. */
static bool is_blank_or_end(const char *text, size_t len, size_t i)
{
    return i >= len || text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n';
}

static lm_status tab_indent_check(const char *text, size_t len, const char *file, lm_error *err)
{
    bool explicit_key = false;
    size_t tab = len;
    int tab_line = 0, tab_column = 0, line = 1;
    for (size_t start = 0; start < len; ++line) {
        /* a line ends at \n, \r or \r\n: YAML's line breaks, as libfyaml's scanner reads them
           (a "? " after a lone \r starts a line too) */
        size_t end = start;
        while (end < len && text[end] != '\n' && text[end] != '\r')
            ++end;
        /* '? ' after a blank or at the start of the line may be an explicit key, wherever
           it stands (after "- ", ": " or "? "): a plain scalar with " ? " in it is counted
           too, which costs only a document that also has a tab before an indicator */
        size_t i;
        for (i = start; i < end; ++i)
            if (text[i] == '?' && is_blank_or_end(text, end, i + 1) &&
                (i == start || text[i - 1] == ' ' || text[i - 1] == '\t'))
                explicit_key = true;
        /* every tab of the line, quoted or in a comment too: which of those libfyaml's
           scanner survives is not worth guessing, and only explicit-key documents pay */
        for (i = start; tab == len && i < end; ++i) {
            if (text[i] != '\t')
                continue;
            size_t j = i + 1;
            while (j < end && (text[j] == ' ' || text[j] == '\t'))
                ++j;
            if (j < end && strchr("-?:|>", text[j])) {
                tab = i;
                tab_line = line;
                tab_column = (int)(i - start) + 1;
            }
        }
        start = end + (end + 1 < len && text[end] == '\r' && text[end + 1] == '\n' ? 2 : 1);
    }
    if (explicit_key && tab < len)
        return lm_error_set_at(err, LM_EINVAL, file, tab_line, tab_column, "",
                               "a tab before a block entry or indicator: YAML indents with "
                               "spaces only");
    return LM_OK;
}

lm_status lm__yaml_parse(const char *text, size_t len, const char *file, lm__ydoc *doc,
                         lm_error *err)
{
    memset(doc, 0, sizeof *doc);
    if (flow_depth_check(text, len, file, err) != LM_OK ||
        tab_indent_check(text, len, file, err) != LM_OK)
        return err->code;
    builder b = {.doc = doc,
                 .file = file,
                 .err = err,
                 .last_line = 1,
                 .last_column = 1,
                 .expanded_max = len + LM_YAML_EXPANDED_MAX};
    lm_status st = parse_with_diag(&b, text, len);
    while (b.depth > 0) /* unwinding after an error: items not yet moved to the arena */
        free(b.stack[--b.depth].items);
    free(b.stack);
    free(b.anchors);
    if (st != LM_OK)
        lm__yaml_free(doc);
    return st;
}

/* ---- lookups ---- */

const lm__ynode *lm__ymap_key(const lm__ynode *map, const char *key)
{
    if (!map || map->kind != LM_Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; ++i) {
        const lm__ynode *k = map->item[2 * i];
        if (k->kind == LM_Y_SCALAR && strcmp(k->text, key) == 0)
            return k;
    }
    return NULL;
}

const lm__ynode *lm__ymap_get(const lm__ynode *map, const char *key)
{
    if (!map || map->kind != LM_Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; ++i) {
        const lm__ynode *k = map->item[2 * i];
        if (k->kind == LM_Y_SCALAR && strcmp(k->text, key) == 0)
            return map->item[2 * i + 1];
    }
    return NULL;
}

const lm__ynode *lm__yseq_item(const lm__ynode *seq, size_t i)
{
    return seq && seq->kind == LM_Y_SEQ && i < seq->n ? seq->item[i] : NULL;
}

bool lm__ynull(const lm__ynode *n)
{
    if (!n || n->kind != LM_Y_SCALAR || n->quoted)
        return false;
    return n->empty || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}
