/* tests/unit/experiments/test_metrics.c -- the metrics of longmen/metrics.h: each reads a
 * declared column, its reduction gives the figure by hand, the rows read back from a database
 * give what the same rows in memory give, names are found by every spelling, and the table
 * of docs/experiments.md ("## Metrics") is exactly the declared list, as calibration.md's
 * table of named statistics is calibration's. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "experiments/calibrate_int.h"
#include "experiments/experiments_int.h"
#include "io/store_rows.h"

Test(metrics, every_metric_reads_a_declared_column)
{
    for (int k = 0; k < LM_METRIC_COUNT; ++k) {
        const lm_row_column *c = lm__metric_column((lm_metric)k);
        cr_assert_not_null(c, "%s: no column %s", lm_metric_name((lm_metric)k),
                           lm__metric_source((lm_metric)k));
        cr_assert(c->kind == LM_ROW_KIND_INTEGER || c->kind == LM_ROW_KIND_REAL,
                  "%s: column %s is not a number", lm_metric_name((lm_metric)k), c->name);
    }
}

Test(metrics, found_by_name_word_and_alias)
{
    cr_assert_eq(lm_metric_find("dragons"), LM_METRIC_DRAGONS);
    cr_assert_eq(lm_metric_find("little_dragons"), LM_METRIC_DRAGONS);
    cr_assert_eq(lm_metric_find("firms_alive"), LM_METRIC_ALIVE);
    cr_assert_eq(lm_metric_find("alive"), LM_METRIC_ALIVE);
    cr_assert_eq(lm_metric_find("public"), LM_METRIC_PUBLIC);
    cr_assert_eq(lm_metric_find("public_cny"), LM_METRIC_PUBLIC);
    cr_assert_eq(lm_metric_find("headcount"), LM_METRIC_JOBS);
    cr_assert_eq(lm_metric_find("high-tech"), LM_METRIC_HIGH_TECH);
    cr_assert_eq(lm_metric_find("revenue"), LM_METRIC_REVENUE);
    cr_assert_eq(lm_metric_find("dragon"), -1);
    cr_assert_eq(lm_metric_find(NULL), -1);
    cr_assert_str_eq(lm_metric_word(LM_METRIC_PUBLIC), "public");
    cr_assert_str_eq(lm_metric_name(LM_METRIC_PUBLIC), "public_cny");
    cr_assert_null(lm_metric_name(LM_METRIC_COUNT));
    /* No spelling names two metrics. */
    for (int k = 0; k < LM_METRIC_COUNT; ++k) {
        cr_assert_eq(lm_metric_find(lm_metric_name((lm_metric)k)), k);
        cr_assert_eq(lm_metric_find(lm_metric_word((lm_metric)k)), k);
    }
}

/* Two regions, three years; region 1's rows are 10 times region 0's plus one. */
static void years(lm_region_year ry[6], lm_public_year py[6])
{
    memset(ry, 0, 6 * sizeof *ry);
    memset(py, 0, 6 * sizeof *py);
    for (int y = 0; y < 3; ++y)
        for (int r = 0; r < 2; ++r) {
            lm_region_year *q = &ry[2 * y + r];
            const int64_t f = r ? 10 : 1, a = r;
            q->region = r;
            q->year = 2010 + y;
            q->months = 12;
            q->dragons_new = f * (y + 1) + a;     /* sum: 6f + 3a */
            q->births = f * 2 + a;                /* sum: 6f + 3a */
            q->alive = f * (100 + y) + a;         /* last: 102f + a */
            q->high_tech = f * (10 + y) + a;      /* last: 12f + a */
            q->headcount = f * (1000 + y) + a;    /* last: 1002f + a */
            q->revenue_cny = (double)(f * (5 + y) + a); /* last: 7f + a */
            lm_public_year *p = &py[2 * y + r];
            p->region = r;
            p->year = 2010 + y;
            p->months = 12;
            p->net_cny = 1.5 * (double)f;           /* sum: 4.5f */
            p->gov_committed_cny = (double)(f * y); /* sum: 3f */
            p->gov_invested_cny = 0.25;             /* sum: 0.75 */
        }
}

/* Funds of region 0: a policy fund, a direct vehicle and a market fund (neither counts). */
static void funds(lm_fund_row fd[3])
{
    memset(fd, 0, 3 * sizeof *fd);
    for (int i = 0; i < 3; ++i) {
        fd[i].fund_id = i;
        fd[i].region = 0;
        fd[i].invest_end = fd[i].life_end = -1;
        fd[i].distributed = 10;
        fd[i].nav = 20;
        fd[i].paid_in = 40;
        fd[i].policy_index = i == 2 ? LM_ROW_NULL_INT64 : 0;
        fd[i].direct = i == 1;
    }
}

static void check_region(const double *m, double f, double a, double dist, double nav,
                         double paid)
{
    cr_assert_float_eq(m[LM_METRIC_DRAGONS], 6 * f + 3 * a, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_BIRTHS], 6 * f + 3 * a, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_ALIVE], 102 * f + a, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_HIGH_TECH], 12 * f + a, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_JOBS], 1002 * f + a, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_REVENUE], 7 * f + a, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_PUBLIC], 4.5 * f, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_GOV_COMMITTED], 3 * f, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_GOV_INVESTED], 0.75, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_FUND_DISTRIBUTED], dist, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_FUND_NAV], nav, 1e-12);
    cr_assert_float_eq(m[LM_METRIC_FUND_PAID], paid, 1e-12);
    if (paid > 0)
        cr_assert_float_eq(m[LM_METRIC_POOL_TVPI], (dist + nav) / paid, 1e-12);
    else
        cr_assert(isnan(m[LM_METRIC_POOL_TVPI]), "TVPI without paid-in: %g",
                  m[LM_METRIC_POOL_TVPI]);
}

Test(metrics, reductions_by_hand)
{
    lm_region_year ry[6];
    lm_public_year py[6];
    lm_fund_row fd[3];
    years(ry, py);
    funds(fd);
    for (int r = 0; r < 2; ++r) {
        double m[LM_METRIC_COUNT] = {0};
        lm__metrics_add(m, &lm__rows_region_year, ry, 6, r);
        lm__metrics_add(m, &lm__rows_public_year, py, 6, r);
        lm__metrics_add(m, &lm__rows_fund, fd, 3, r);
        lm__metrics_finish(m);
        /* Only the policy fund counts: not the direct vehicle, not the market fund. */
        check_region(m, r ? 10 : 1, r, r ? 0 : 10, r ? 0 : 20, r ? 0 : 40);
    }
}

Test(metrics, read_back_equals_memory)
{
    lm_region_year ry[6];
    lm_public_year py[6];
    lm_fund_row fd[3];
    years(ry, py);
    funds(fd);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    lm_error err = {0};
    static const char *const regions[] = {"A", "B"};
    const lm_row_names names = {.regions = regions, .n_regions = 2};
    const struct {
        const lm_row_table *t;
        const void *rows;
        size_t n;
    } sets[] = {{&lm__rows_region_year, ry, 6}, {&lm__rows_public_year, py, 6},
                {&lm__rows_fund, fd, 3}};
    for (size_t i = 0; i < 3; ++i) {
        cr_assert_eq(lm__rows_create(db, ":memory:", sets[i].t, false, &err), LM_OK, "%s",
                     err.message);
        for (int64_t run = 1; run <= 2; ++run)
            cr_assert_eq(lm__rows_insert(db, ":memory:", sets[i].t, run, &names, sets[i].rows,
                                         run == 1 ? sets[i].n : 0, &err),
                         LM_OK, "%s", err.message);
    }
    double m[3 * LM_METRIC_COUNT];
    cr_assert_eq(lm__metrics_read(db, ":memory:", 1, 2, m, &err), LM_OK, "%s", err.message);
    check_region(m, 1, 0, 10, 20, 40);
    check_region(m + LM_METRIC_COUNT, 10, 1, 0, 0, 0);
    /* The total: regions summed, its TVPI of the summed parts. */
    const double *t = m + 2 * LM_METRIC_COUNT;
    cr_assert_float_eq(t[LM_METRIC_DRAGONS], 6 + 63, 1e-12);
    cr_assert_float_eq(t[LM_METRIC_JOBS], 1002 + 10021, 1e-12);
    cr_assert_float_eq(t[LM_METRIC_PUBLIC], 4.5 * 11, 1e-12);
    cr_assert_float_eq(t[LM_METRIC_POOL_TVPI], 30.0 / 40.0, 1e-12);
    /* A run without rows: zeros, TVPI undefined. */
    cr_assert_eq(lm__metrics_read(db, ":memory:", 2, 2, m, &err), LM_OK, "%s", err.message);
    cr_assert_float_eq(m[2 * LM_METRIC_COUNT + LM_METRIC_DRAGONS], 0, 1e-12);
    cr_assert(isnan(m[2 * LM_METRIC_COUNT + LM_METRIC_POOL_TVPI]));
    sqlite3_close(db);
}

/* The cells of the markdown row that starts with "| `name` |". */
static int row_cells(const char *doc, const char *name, char cells[8][256])
{
    char start[96];
    snprintf(start, sizeof start, "\n| `%s` |", name);
    const char *p = strstr(doc, start);
    cr_assert_not_null(p, "docs/experiments.md: no row for metric %s", name);
    p += 2;
    int n = 0;
    while (*p && *p != '\n' && n < 8) {
        const char *e = strchr(p, '|');
        if (!e || e > strchr(p, '\n'))
            break;
        const char *b = p;
        while (b < e && *b == ' ')
            ++b;
        const char *z = e;
        while (z > b && z[-1] == ' ')
            --z;
        snprintf(cells[n], 256, "%.*s", (int)(z - b), b);
        ++n;
        p = e + 1;
    }
    return n;
}

static void quoted(char *buf, size_t size, const char *s)
{
    if (s && *s)
        snprintf(buf, size, "`%s`", s);
    else
        snprintf(buf, size, "%s", "");
}

Test(metrics, docs_list_exactly_the_declared_metrics)
{
    FILE *f = fopen(LM_SOURCE_DIR "/docs/experiments.md", "rb");
    cr_assert_not_null(f);
    static char doc[1 << 20];
    const size_t len = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[len] = '\0';
    const char *sec = strstr(doc, "\n## Metrics\n");
    cr_assert_not_null(sec, "docs/experiments.md has no ## Metrics");
    const char *end = strstr(sec + 1, "\n## ");
    cr_assert_not_null(end);
    /* Rows in the section: as many as metrics (a row is a line "| `...", the header not). */
    int rows = 0;
    for (const char *p = strstr(sec, "\n| `"); p && p < end; p = strstr(p + 1, "\n| `"))
        ++rows;
    cr_assert_eq(rows, LM_METRIC_COUNT, "docs/experiments.md lists %d metrics, %d declared", rows,
                 LM_METRIC_COUNT);
    const char *prev = sec;
    for (int k = 0; k < LM_METRIC_COUNT; ++k) {
        const lm_metric m = (lm_metric)k;
        char cells[8][256], want[7][256];
        cr_assert_eq(row_cells(sec, lm_metric_name(m), cells), 7, "metric %s: not 7 cells",
                     lm_metric_name(m));
        char start[96];
        snprintf(start, sizeof start, "\n| `%s` |", lm_metric_name(m));
        const char *at = strstr(sec, start);
        cr_assert(at > prev, "metric %s out of the declared order", lm_metric_name(m));
        prev = at;
        quoted(want[0], 256, lm_metric_name(m));
        quoted(want[1], 256, lm_metric_word(m));
        quoted(want[2], 256, lm__metric_alias(m));
        quoted(want[3], 256, lm__metric_source(m));
        snprintf(want[4], 256, "%s", lm__metric_reduction(m));
        for (char *c = want[4]; *c; ++c)
            *c = (char)(*c | 0x20);
        snprintf(want[5], 256, "%s", lm__metric_unit(m));
        snprintf(want[6], 256, "%s", lm__metric_doc(m));
        for (int c = 0; c < 7; ++c)
            cr_assert_str_eq(cells[c], want[c], "metric %s, cell %d", lm_metric_name(m), c + 1);
    }
}

Test(metrics, a_command_picks_among_its_metrics_by_any_spelling)
{
    static const lm_metric ids[] = {LM_METRIC_DRAGONS, LM_METRIC_JOBS, LM_METRIC_PUBLIC};
    char list[128];
    cr_assert_eq(lm__metric_pick("headcount", ids, 3, list, sizeof list, " or "), 1);
    cr_assert_eq(lm__metric_pick("public", ids, 3, list, sizeof list, " or "), 2);
    cr_assert_eq(lm__metric_pick("births", ids, 3, list, sizeof list, " or "), -1);
    cr_assert_str_eq(list, "dragons, jobs or public_cny");
    char small[10];
    cr_assert_eq(lm__metric_pick("x", ids, 3, small, sizeof small, ", "), -1);
    cr_assert_str_eq(small, "dragons, ");
}

/* Calibration's named statistics: docs/calibration.md's table lists exactly the declared
 * ones, in their order (the first cell of each row). */
Test(metrics, calibration_docs_list_exactly_the_declared_statistics)
{
    FILE *f = fopen(LM_SOURCE_DIR "/docs/calibration.md", "rb");
    cr_assert_not_null(f);
    static char doc[1 << 20];
    const size_t len = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[len] = '\0';
    const char *at = strstr(doc, "\n| statistic | arguments | value |\n");
    cr_assert_not_null(at, "docs/calibration.md: no table of named statistics");
    at = strchr(strchr(at + 1, '\n') + 1, '\n'); /* past the header and the |---| line */
    int k = 0;
    for (; at && at[1] == '|'; at = strchr(at + 1, '\n'), ++k) {
        char want[96];
        snprintf(want, sizeof want, "| `%s` |", lm__stat_name(k) ? lm__stat_name(k) : "?");
        cr_assert(strncmp(at + 1, want, strlen(want)) == 0,
                  "docs/calibration.md, statistic %d: expected %s", k + 1, want);
    }
    cr_assert_eq(k, LM_STAT_COUNT, "docs/calibration.md lists %d statistics, %d declared", k,
                 LM_STAT_COUNT);
    cr_assert_null(lm__stat_name(LM_STAT_COUNT));
}
