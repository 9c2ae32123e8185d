/* tests/unit/io/test_table.c -- display widths, number formatting, table alignment and the
 * run summary (src/io/table.c). The alignment tests measure every printed line in display
 * columns: a CJK name padded by bytes would push its row's numbers out of line. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "io/table.h"

/* Runs the writer into a memory stream; the caller frees the text. */
static char *capture_table(const char *const *cells, int rows, int cols, const char *align,
                           bool total)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    lm__table_write(f, cells, rows, cols, align, total);
    fclose(f);
    return text;
}

Test(table, width_of_cjk_is_two_per_character)
{
    cr_assert_eq(lm__utf8_width("杭州"), 4);
    cr_assert_eq(lm__utf8_width("甲市"), 4);
    cr_assert_eq(lm__utf8_width("한국"), 4); /* hangul */
    cr_assert_eq(lm__utf8_width("ＡＢ"), 4); /* fullwidth forms */
    cr_assert_eq(lm__utf8_width("、。"), 4); /* CJK punctuation */
    cr_assert_eq(lm__utf8_width("𠀀"), 2);   /* CJK extension B, 4-byte UTF-8 */
}

Test(table, width_of_ascii_is_one_per_character)
{
    cr_assert_eq(lm__utf8_width(""), 0);
    cr_assert_eq(lm__utf8_width(NULL), 0);
    cr_assert_eq(lm__utf8_width("Hangzhou"), 8);
    cr_assert_eq(lm__utf8_width("12,345.67"), 9);
    cr_assert_eq(lm__utf8_width("Zhōu"), 4); /* Latin with a precomposed accent */
}

Test(table, width_of_mixed_combining_and_malformed)
{
    cr_assert_eq(lm__utf8_width("A杭B"), 4);
    cr_assert_eq(lm__utf8_width("e\xcc\x81"), 1);      /* e + combining acute */
    cr_assert_eq(lm__utf8_width("a\342\200\213b"), 2); /* zero-width space */
    cr_assert_eq(lm__utf8_width("\377a"), 2);          /* a stray byte counts one column */
    cr_assert_eq(lm__utf8_width("\xe6\x9d"), 2);       /* truncated 3-byte sequence */
    cr_assert_eq(lm__utf8_width("\xc0\xaf"), 2);       /* overlong '/' is not a character */
    cr_assert_eq(lm__codepoint_width(0x4E00), 2);
    cr_assert_eq(lm__codepoint_width(0x9FFF), 2);
    cr_assert_eq(lm__codepoint_width(0x303F), 1); /* half-width ideographic space */
    cr_assert_eq(lm__codepoint_width('\t'), 0);
}

Test(table, counts_get_thousands_separators)
{
    char buf[32];
    cr_assert_str_eq(lm__format_count(0, buf, sizeof buf), "0");
    cr_assert_str_eq(lm__format_count(999, buf, sizeof buf), "999");
    cr_assert_str_eq(lm__format_count(1000, buf, sizeof buf), "1,000");
    cr_assert_str_eq(lm__format_count(2385, buf, sizeof buf), "2,385");
    cr_assert_str_eq(lm__format_count(1234567, buf, sizeof buf), "1,234,567");
    cr_assert_str_eq(lm__format_count(-12345, buf, sizeof buf), "-12,345");
    cr_assert_str_eq(lm__format_count(INT64_MIN, buf, sizeof buf), "-9,223,372,036,854,775,808");
}

Test(table, mixed_names_align_by_display_columns)
{
    /* clang-format off */
    const char *cells[] = {
        "region",   "firms", "share",
        "杭州",     "12,345", "61.2%",
        "Shanghai", "987",    "5.0%",
        "合肥市",   "1,000",  "-",
        "total",    "14,332", "40.1%",
    };
    /* clang-format on */
    char *text = capture_table(cells, 5, 3, "lrr", true);
    const char *expected = "region     firms  share\n"
                           "--------  ------  -----\n"
                           "杭州      12,345  61.2%\n"
                           "Shanghai     987   5.0%\n"
                           "合肥市     1,000      -\n"
                           "--------  ------  -----\n"
                           "total     14,332  40.1%\n";
    cr_assert_str_eq(text, expected);
    /* Every line spans the same number of terminal columns. */
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        cr_assert_eq(lm__utf8_width(line), 23, "line '%s'", line);
    free(text);
}

Test(table, left_aligned_last_column_has_no_trailing_spaces)
{
    const char *cells[] = {"n", "name", "1", "甲市", "22", "x"};
    char *text = capture_table(cells, 3, 2, "rl", false);
    cr_assert_str_eq(text, " n  name\n--  ----\n 1  甲市\n22  x\n");
    free(text);
}

/* Two regions over 2033-01 .. 2034-06: the revenue column must take the last year only and
 * say it covers six months; flows sum over both years. */
Test(table, summary_sums_flows_and_takes_stocks_at_the_end)
{
    const char *names[] = {"甲市", "Yi"};
    lm_region_year years[4];
    memset(years, 0, sizeof years);
    const int32_t start = 2033 * 12, end = 2034 * 12 + 5;
    for (int i = 0; i < 4; ++i) {
        years[i].region = i % 2;
        years[i].year = 2033 + i / 2;
        years[i].months = i / 2 ? 6 : 12;
    }
    years[0].births = 1200, years[0].births_nonlocal = 700, years[0].deaths = 300;
    years[0].alive = 900, years[0].launched = 40, years[0].revenue_cny = 5.0e9;
    years[2].births = 800, years[2].births_nonlocal = 300, years[2].deaths = 500;
    years[2].alive = 1200, years[2].launched = 25, years[2].revenue_cny = 2.386e9;
    years[1].alive = 3, years[3].alive = 0; /* a region without founders: share "-" */
    years[3].revenue_cny = 1234.567e9;      /* large amounts get separators */
    years[0].high_tech = 25, years[2].high_tech = 30; /* a stock: the last year's */
    years[0].dragons_new = 2, years[2].dragons_new = 1; /* a flow: summed */

    lm_summary s = {.scenario = "tiny",
                    .seed = 42,
                    .start = start,
                    .end = end,
                    .n_regions = 2,
                    .region_names = names,
                    .years = years,
                    .n_years = 4,
                    .out_dir = "runs/tiny-seed42"};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lm_error err;
    cr_assert_eq(lm__summary_write(f, &s, &err), LM_OK);
    fclose(f);

    cr_assert(strstr(text, "tiny  seed 42  2033-01 to 2034-06 (18 months)\n") == text, "%s", text);
    cr_assert_not_null(strstr(text, "revenue 2034 (6 mo), CNY bn"), "%s", text);
    /* 甲市: alive 1,200 (end), births 2,000, deaths 800, launched 65, revenue 2.39 bn, 50%. */
    cr_assert_not_null(strstr(text, "\n甲市          1,200   2,000     800        65"), "%s", text);
    cr_assert_not_null(strstr(text, "2.39               50.0%         30        3\n"), "%s", text);
    cr_assert_not_null(strstr(text, "\nYi                0       0       0         0"
                                    "                     1,234.57                   -"
                                    "          0        0\n"),
                       "%s", text);
    cr_assert_not_null(strstr(text, "\ntotal         1,200   2,000     800        65"
                                    "                     1,236.95               50.0%"
                                    "         30        3\n"),
                       "%s", text);
    cr_assert_not_null(strstr(text, "\nresults: runs/tiny-seed42\n"), "%s", text);

    /* The table's lines (header to total) all span the same terminal width. */
    int width = -1, rows = 0;
    char *copy = strdup(text);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "region", 6) && strncmp(line, "--", 2) && strncmp(line, "甲市", 6) &&
            strncmp(line, "Yi", 2) && strncmp(line, "total", 5))
            continue;
        if (width < 0)
            width = lm__utf8_width(line);
        cr_assert_eq(lm__utf8_width(line), width, "line '%s'", line);
        ++rows;
    }
    cr_assert_eq(rows, 6); /* header, rule, two regions, rule, total */
    free(copy);
    free(text);
}
