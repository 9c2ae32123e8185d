/* src/scenario/load_int.h -- what the parts of the scenario loader share. Private to
 * src/scenario/. The loader runs in four steps, one file each:
 *   load.c      reads the file, checks bytes and size, owns the public lm_scenario_* API;
 *   yaml.c      turns the text into a positioned tree (yaml.h);
 *   fill.c      walks the tree section by section into lm_params, using the field tables
 *               and typed readers of fields.c (each value is range-checked where it is read,
 *               so the error points at it);
 *   validate.c  derives what the YAML may omit and checks rules that span fields.
 * suggest.c finds the "did you mean" for unknown names. */
#ifndef LM_SCENARIO_LOAD_INT_H
#define LM_SCENARIO_LOAD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "scenario/scenario_int.h"
#include "scenario/yaml.h"

#define LM_PATH_MAX 160 /* = sizeof(lm_error.field) */

/* Everything a reader needs to report an error and to resolve names declared earlier
 * (sector and layer ids, region names). */
typedef struct lm__lctx {
    const char *file; /* the name errors carry */
    lm_error *err;
    lm_params *p;
    const lm__ynode *root;
} lm__lctx;

/* Every number of a scenario, levers, params or targets file is at most this in magnitude,
 * whatever its own range (docs/reliability.md): 1e15 CNY is ten times China's yearly GDP. */
#define LM_NUM_MAX 1.0e15

/* Fails with LM_EINVAL at node at (position 0:0 when at is NULL). */
lm_status lm__fail(const lm__lctx *c, const lm__ynode *at, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Field paths: "regions[2]" + "name" -> "regions[2].name"; "matrix" + 3 -> "matrix[3]". */
void lm__path_key(char out[LM_PATH_MAX], const char *prefix, const char *key);
void lm__path_index(char out[LM_PATH_MAX], const char *prefix, size_t i);

/* What a node is, for "expected X, got Y": `a mapping`, `nothing`, `"abc"`, `1.4`. */
const char *lm__ydescribe(const lm__ynode *n, char *buf, size_t size);

/* ---- typed field tables (fields.c) ---- */

typedef enum lm__ftype {
    LM_F_SKIP,        /* a known key the caller reads itself (sections, lists of structs) */
    LM_F_NUM,         /* double */
    LM_F_INT,         /* int, must be a whole number */
    LM_F_U64,         /* uint64_t, digits only */
    LM_F_BOOL,        /* bool */
    LM_F_STR,         /* char[size], UTF-8 */
    LM_F_ID,          /* char[LM_NAME_MAX], [a-z0-9_]+ */
    LM_F_FILENAME,    /* char[LM_NAME_MAX], [A-Za-z0-9._-]+: it names output folders */
    LM_F_SKILL,       /* lm_skill, by name */
    LM_F_MONTH,       /* lm_month, "YYYY-MM" */
    LM_F_SKILL_MAP,   /* double[LM_SKILL_COUNT], skill name -> number */
    LM_F_MODEL_MAP,   /* double[LM_MODEL_COUNT], to_c/to_b/to_g -> number */
    LM_F_SOURCE_MAP,  /* double[LM_SOURCE_COUNT] */
    LM_F_SECTOR_MAP,  /* double[LM_MAX_SECTORS], sector id -> number */
    LM_F_LAYER_MAP,   /* double[LM_MAX_LAYERS], layer id -> number */
    LM_F_SECTOR_LIST, /* uint32_t mask of sector ids */
    LM_F_LAYER_LIST,  /* uint32_t mask of layer ids */
    LM_F_LAYER_REF,   /* int index of one layer id */
    LM_F_STAGE_MAP,   /* double[LM_STAGE_COUNT], seed/a/b/c/growth -> number (finance) */
    LM_F_KIND_MAP,    /* double[LM_INVESTOR_KIND_COUNT], investor kind -> number (finance) */
    LM_F_STAGE_LIST   /* uint32_t mask of stages (finance) */
} lm__ftype;

enum {
    LM_FL_REQUIRED = 1u << 0,
    LM_FL_LO_OPEN = 1u << 1, /* lo itself is excluded */
    LM_FL_HI_OPEN = 1u << 2, /* hi itself is excluded */
    LM_FL_MAP_ALL = 1u << 3, /* a map must name every key (every skill, every model) */
    LM_FL_MAP_ZERO = 1u << 4 /* keys a map omits are 0, not the default */
};

typedef struct lm__field {
    const char *key; /* YAML key = field name in params.h */
    lm__ftype type;
    size_t off;    /* offsetof in the target struct */
    size_t size;   /* LM_F_STR: buffer size */
    double lo, hi; /* allowed range of numbers (and of map values) */
    unsigned flags;
    uint32_t kinds; /* policies: bit k = kind k accepts this key; 0 = every kind */
} lm__field;

/* Why a key the model no longer reads was removed and what replaced it; NULL for any other. */
const char *lm__removed_key(const char *key);

/* Reads mapping map into the struct at base by the table tab[0..n). Unknown keys, keys whose
 * kinds exclude kind (kind < 0: not a policy), duplicate keys and missing required keys are
 * errors; LM_F_SKIP keys are accepted and left to the caller. */
lm_status lm__fill_fields(const lm__lctx *c, const lm__ynode *map, const char *path,
                          const lm__field *tab, size_t n, void *base, int kind);

/* Typed readers, each checking its own node; used by the tables and by fill.c directly. */
lm_status lm__read_number(const lm__lctx *c, const lm__ynode *n, const char *path, double lo,
                          double hi, unsigned flags, double *out);
lm_status lm__read_string(const lm__lctx *c, const lm__ynode *n, const char *path, char *out,
                          size_t size);
/* An id of [a-z0-9_]+ into out[LM_NAME_MAX]. */
lm_status lm__read_id(const lm__lctx *c, const lm__ynode *n, const char *path, char *out);
lm_status lm__read_month(const lm__lctx *c, const lm__ynode *n, const char *path, lm_month *out);
lm_status lm__expect_kind(const lm__lctx *c, const lm__ynode *n, const char *path, lm__ykind kind);
/* Index of a declared region / sector / layer by name, -1 when unknown. */
int lm__region_index(const lm_params *p, const char *name);
int lm__sector_index(const lm_params *p, const char *id);
int lm__layer_index(const lm_params *p, const char *id);

/* ---- sections (fill.c) and cross-field rules (validate.c) ---- */

/* Fills c->p from c->root (a mapping). On failure c->err is set; p->regions and
 * p->integration may already be allocated (the caller frees them). */
lm_status lm__fill_params(const lm__lctx *c);
lm_status lm__validate_params(const lm__lctx *c);

/* ---- extends (extends.c) ---- */

#define LM_EXTENDS_MAX 16 /* files a chain of extends may read */

/* The files an extending scenario read, and the merged tree; lives until fill and validate
 * are done (the nodes point into these documents). Zero-initialise; release with
 * lm__extends_free. */
typedef struct lm__extends {
    const char *file; /* the extending file, as named (borrowed) */
    int n;            /* parent files read, nearest first */
    lm__ydoc docs[LM_EXTENDS_MAX];
    char *paths[LM_EXTENDS_MAX]; /* as opened: the child's folder + the name written */
    char *texts[LM_EXTENDS_MAX];
    size_t lens[LM_EXTENDS_MAX];
    lm__ydoc merged; /* arena of the merged nodes */
} lm__extends;

/* When root (of a file called file) has `extends`, reads the chain of parents and sets *out
 * to the merged tree; otherwise *out = root. Errors point at the `extends` node at fault. */
lm_status lm__extends_resolve(lm__extends *x, const char *file, const lm__ynode *root,
                              const lm__ynode **out, lm_error *err);
void lm__extends_free(lm__extends *x);
/* text (len bytes) followed by the text of every parent, commented out line by line under a
 * "# ---- extends: PATH (as read) ----" line: what the results database keeps. New, malloc'd;
 * NULL when out of memory. */
char *lm__extends_text(const lm__extends *x, const char *text, size_t len, size_t *out_len);
/* Reads a scenario file whole (16 MB limit, UTF-8 checked): load.c. New, malloc'd, NUL
 * terminated. */
lm_status lm__read_text(const char *path, char **text, size_t *len, lm_error *err);

/* ---- money (money.c): lm_parse_money_why, for the loader's money fields ---- */
bool lm__money_parse(const char *text, double *out, char *why, size_t size);

/* ---- did you mean (suggest.c) ---- */

/* Edit distance in characters (UTF-8 code points), adjacent swaps counting 1. */
int lm__edit_distance(const char *a, const char *b);
/* The candidate closest to word if it is close enough to be a likely typo, else NULL. */
const char *lm__suggest(const char *word, const char *const *cands, size_t n);
/* Appends `; did you mean "x"?` to buf when a suggestion exists, then the valid choices
 * (NULL entries skipped; as many as fit, "and N more"). The one helper for every unknown
 * name: keys, kinds, regions, sectors, units. Returns buf. */
char *lm__did_you_mean(char *buf, size_t size, const char *word, const char *const *cands,
                       size_t n);

#endif
