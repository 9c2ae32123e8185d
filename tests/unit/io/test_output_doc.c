/* tests/unit/io/test_output_doc.c -- docs/output.md cannot drift from the declared tables: for
 * every table declared by a column list anywhere in the library (lm__rows_declared: the
 * experiments' too, found without a list here), the column table under its heading
 * ("### `name`" or "#### `name`") names exactly its stored columns, in order. A row may name
 * several columns (`migrants_in`, `migrants_out`): every back-quoted word of a row's first cell
 * is a column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "io/rows.h"

enum { MAX_COLS = 256, NAME = 64 };

typedef struct names {
    char v[MAX_COLS][NAME];
    int n;
} names;

static void add(names *ns, const char *s, size_t len)
{
    cr_assert(ns->n < MAX_COLS && len < NAME);
    memcpy(ns->v[ns->n], s, len);
    ns->v[ns->n][len] = '\0';
    ++ns->n;
}

static void add_column(const char *name, const char *type, void *user)
{
    (void)type;
    add(user, name, strlen(name));
}

static char *read_doc(void)
{
    FILE *f = fopen(LM_SOURCE_DIR "/docs/output.md", "rb");
    cr_assert_not_null(f, "cannot open docs/output.md");
    static char buf[1 << 20];
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    cr_assert(n < sizeof buf - 1, "docs/output.md is larger than the test's buffer");
    buf[n] = '\0';
    return buf;
}

/* The columns the doc lists for table t: the first cells of the first markdown table after
 * its heading. */
static void documented(const char *doc, const char *table, names *out)
{
    char heading[128];
    const char *at = NULL;
    for (int level = 3; level <= 4 && !at; ++level) {
        snprintf(heading, sizeof heading, "\n%.*s `%s`\n", level, "####", table);
        at = strstr(doc, heading);
    }
    if (!at) { /* a table among others under one heading: a line "`sweep_value`, ...:" */
        snprintf(heading, sizeof heading, "\n`%s`, ", table);
        for (at = strstr(doc, heading); at; at = strstr(at + 1, heading)) {
            const char *eol = strchr(at + 1, '\n');
            if (eol && eol[-1] == ':')
                break;
        }
    }
    cr_assert_not_null(at, "docs/output.md has no heading for table %s", table);
    at = strstr(at + 1, "\n| column |");
    cr_assert_not_null(at, "docs/output.md: no column table under %s", table);
    at = strchr(at + 1, '\n'); /* the header line */
    at = strchr(at + 1, '\n'); /* the |---| line */
    out->n = 0;
    while (at && at[1] == '|') {
        const char *line = at + 1, *end = strchr(line + 1, '|');
        cr_assert_not_null(end);
        for (const char *p = line; p < end;) {
            const char *open = memchr(p, '`', (size_t)(end - p));
            if (!open)
                break;
            const char *close = memchr(open + 1, '`', (size_t)(end - open - 1));
            cr_assert_not_null(close, "docs/output.md: unbalanced ` in %s", table);
            add(out, open + 1, (size_t)(close - open - 1));
            p = close + 1;
        }
        at = strchr(line, '\n');
    }
}

/* Every table heading of the doc ("### `name`", "#### `name`", a line "`name`, ...:"): the
 * tables it describes. */
static void headed(const char *doc, names *out)
{
    out->n = 0;
    for (const char *line = doc; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *eol = strchr(line, '\n'), *name = NULL;
        if (!eol)
            break;
        if (!strncmp(line, "### `", 5) || !strncmp(line, "#### `", 6))
            name = strchr(line, '`') + 1;
        else if (line[0] == '`' && eol[-1] == ':')
            name = line + 1;
        const char *close = name ? memchr(name, '`', (size_t)(eol - name)) : NULL;
        if (close && (close[1] == ',' || close + 1 == eol))
            add(out, name, (size_t)(close - name));
    }
}

Test(output_doc, lists_exactly_the_declared_columns_of_every_declared_table)
{
    const char *doc = read_doc();
    size_t n_tables;
    const lm_row_table *const *tables = lm__rows_declared(&n_tables);
    names listed = {.n = 0};
    for (size_t k = 0; k < n_tables; ++k) {
        const lm_row_table *t = tables[k];
        if (t->scratch)
            continue;
        add(&listed, t->name, strlen(t->name));
        names want = {.n = 0}, got = {.n = 0};
        lm__rows_each_column(t, add_column, &want);
        documented(doc, t->name, &got);
        for (int i = 0; i < want.n || i < got.n; ++i) {
            const char *w = i < want.n ? want.v[i] : "(none)";
            const char *g = i < got.n ? got.v[i] : "(none)";
            cr_assert_str_eq(g, w,
                             "docs/output.md, table %s, column %d: the doc says `%s`, the "
                             "declaration (longmen/results.h, longmen/ecosystem.h, "
                             "src/experiments) `%s`",
                             t->name, i + 1, g, w);
        }
    }
    /* The other way round: the doc describes no table that is not declared (this also
     * fails when the test's link leaves out a module and with it its tables). */
    names heads;
    headed(doc, &heads);
    for (int i = 0; i < heads.n; ++i) {
        bool found = false;
        for (int j = 0; j < listed.n && !found; ++j)
            found = !strcmp(heads.v[i], listed.v[j]);
        cr_assert(found, "docs/output.md describes table %s, which nothing declares",
                  heads.v[i]);
    }
}
