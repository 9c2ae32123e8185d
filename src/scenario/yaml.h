/* src/scenario/yaml.h -- a small read-only YAML tree with a 1-based line and column on every
 * node, built from libfyaml's parser events. Private to src/scenario/.
 *
 * Why not libfyaml's own document tree: the libfyaml we build against (0.7.x) gives a position
 * only for scalar tokens, not for mappings and sequences, and every scenario error must point
 * at the offending node, including "required key missing" (a mapping) and "expected a number,
 * got a sequence". Events carry a start mark for every node, so we build our own tree from
 * them. It also lets us report duplicate keys and undefined aliases, which the event parser
 * accepts silently. */
#ifndef LM_SCENARIO_YAML_H
#define LM_SCENARIO_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "longmen/error.h"

typedef enum lm__ykind { LM_Y_SCALAR, LM_Y_SEQ, LM_Y_MAP } lm__ykind;

typedef struct lm__ynode lm__ynode;
struct lm__ynode {
    lm__ykind kind;
    int line, column; /* 1-based */
    const char *file; /* the file the node was read from (extends: a parent's), borrowed */
    /* scalars: the text after YAML processing (escapes, folding), NUL-terminated */
    const char *text;
    size_t len;
    bool quoted; /* quoted, block or !!str scalar: a string, never a number or null */
    bool empty;  /* `key:` with nothing after it */
    /* sequences: n items in item[0..n); mappings: n pairs, key item[2i], value item[2i+1] */
    size_t n;
    lm__ynode **item;
    /* nodes of the tree below and including this one with every alias expanded: what a walk
     * of it visits (bounded by LM_YAML_EXPANDED_MAX) */
    size_t expanded;
};

/* Bounds that keep reading linear in the input: collections nest at most LM_YAML_DEPTH_MAX
 * deep, and aliases may not expand a document to more than its length in bytes plus
 * LM_YAML_EXPANDED_MAX nodes (a "billion laughs" of nested aliases is refused while it is
 * read, before anything walks it). */
#define LM_YAML_DEPTH_MAX 64
#define LM_YAML_EXPANDED_MAX 100000

struct lm__yblock;
typedef struct lm__ydoc {
    lm__ynode *root;          /* NULL when the text holds no YAML content */
    struct lm__yblock *arena; /* every node and string lives here */
} lm__ydoc;

/* Parses text (len bytes; need not be NUL-terminated) into doc. The text must already have
 * passed lm__utf8_check. On failure err names file, line and column of the syntax error and
 * doc holds nothing. Always release doc with lm__yaml_free (also after a failure). */
lm_status lm__yaml_parse(const char *text, size_t len, const char *file, lm__ydoc *doc,
                         lm_error *err);
void lm__yaml_free(lm__ydoc *doc);
/* bytes from doc's arena (freed with it), NULL when out of memory; for trees built by hand
 * (the merge of an extends chain, extends.c). */
void *lm__yaml_alloc(lm__ydoc *doc, size_t bytes);

/* Checks that text is UTF-8 with no NUL or control characters but tab, LF and CR. On failure
 * err points at the first bad byte (line, column in characters, both 1-based). */
lm_status lm__utf8_check(const char *text, size_t len, const char *file, lm_error *err);

/* Value of key in a mapping, NULL when absent or when map is not a mapping. */
const lm__ynode *lm__ymap_get(const lm__ynode *map, const char *key);
/* Item i of a sequence, NULL when out of range or not a sequence. */
const lm__ynode *lm__yseq_item(const lm__ynode *seq, size_t i);
/* The key node of key in a mapping (for errors about the key itself), NULL when absent. */
const lm__ynode *lm__ymap_key(const lm__ynode *map, const char *key);
/* Plain null: `~`, `null`, `Null`, `NULL` or nothing. */
bool lm__ynull(const lm__ynode *n);

#endif
