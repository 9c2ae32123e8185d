/* tests/unit/io/test_progress.c -- the progress line (src/io/progress.c): its text, the ETA,
 * fitting a terminal's width, and the redraw throttle, all without a terminal. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "longmen/progress.h"

Test(progress, durations)
{
    char buf[16];
    cr_assert_str_eq(lm_progress_duration(0, buf, sizeof buf), "0:00");
    cr_assert_str_eq(lm_progress_duration(12.4, buf, sizeof buf), "0:12");
    cr_assert_str_eq(lm_progress_duration(59.6, buf, sizeof buf), "1:00");
    cr_assert_str_eq(lm_progress_duration(754.0, buf, sizeof buf), "12:34");
    cr_assert_str_eq(lm_progress_duration(3725.0, buf, sizeof buf), "1:02:05");
    cr_assert_str_eq(lm_progress_duration(-1.0, buf, sizeof buf), "--:--");
}

Test(progress, line_with_bar_and_eta)
{
    /* Fields have fixed widths, so the line keeps its shape from month to month. */
    /* 60 of 240 months in 20 s: 180 months left at 1/3 s each = 60 s. */
    const lm_progress p = {.months_done = 60,
                           .months_total = 240,
                           .month = 2019 * 12 + 11,
                           .firms_alive = 12345,
                           .elapsed_s = 20.0};
    char buf[256];
    lm_progress_format(&p, 100, buf, sizeof buf);
    cr_assert_str_eq(buf, "[#######.......................]  "
                          "month  60/240  2019-12     12,345 firms  elapsed  0:20  ETA  1:00");
    cr_assert_lt((int)strlen(buf), 100);
}

Test(progress, eta_unknown_before_the_first_month)
{
    const lm_progress p = {.months_done = 0,
                           .months_total = 18,
                           .month = 2033 * 12,
                           .firms_alive = 0,
                           .elapsed_s = 0.2};
    char buf[256];
    lm_progress_format(&p, 200, buf, sizeof buf);
    cr_assert_not_null(strstr(buf, "month  0/18  2033-01          0 firms  "
                                   "elapsed  0:00  ETA --:--"),
                       "%s", buf);
    cr_assert(strncmp(buf, "[....", 5) == 0, "%s", buf);
}

Test(progress, narrow_terminals_drop_the_bar_then_cut_the_text)
{
    const lm_progress p = {.months_done = 240,
                           .months_total = 240,
                           .month = 2034 * 12 + 11,
                           .firms_alive = 987,
                           .elapsed_s = 75.0};
    char buf[256];
    lm_progress_format(&p, 80, buf, sizeof buf);
    cr_assert(buf[0] == '[', "%s", buf);
    cr_assert_lt((int)strlen(buf), 80);
    cr_assert_not_null(strstr(buf, "[##########]  month 240/240"), "a full bar: %s", buf);
    lm_progress_format(&p, 70, buf, sizeof buf);
    cr_assert_str_eq(buf, "month 240/240  2034-12        987 firms  elapsed  1:15  ETA  0:00");
    lm_progress_format(&p, 60, buf, sizeof buf);
    cr_assert_str_eq(buf, "month 240/240  2034-12        987 firms  elapsed  1:15  ETA");
    lm_progress_format(&p, 21, buf, sizeof buf);
    cr_assert_str_eq(buf, "month 240/240  2034-");
}

Test(progress, redraws_at_most_ten_times_a_second_and_clears)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lm_progress_bar bar;
    lm_progress_bar_init(&bar, f);
    bar.columns = 100;
    lm_progress p = {.months_done = 0,
                     .months_total = 120,
                     .month = 2015 * 12,
                     .firms_alive = 5,
                     .elapsed_s = 0.0};
    int draws = 0;
    for (int m = 0; m <= 120; ++m) { /* one month every 5 ms: 0.6 s in all */
        p.months_done = m;
        p.elapsed_s = 0.005 * m;
        lm_progress_bar_update(&p, &bar);
    }
    lm_progress_bar_clear(&bar);
    fclose(f);
    for (const char *c = text; *c; ++c)
        draws += *c == '\r';
    /* A draw at 0 s, then one each time 0.1 s have passed: 6 or 7 draws in 0.6 s (rounding
     * decides whether 0.005*20 - 0 reaches 0.1), plus the two \r of clearing. */
    cr_assert_geq(draws, 6 + 2, "%d", draws);
    cr_assert_leq(draws, 7 + 2, "%d", draws);
    cr_assert_eq(text[len - 1], '\r', "the cursor ends at the start of a blank line");
    cr_assert_eq(bar.drawn_cols, 0);
    free(text);
}

Test(progress, nothing_to_clear_when_nothing_was_drawn)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lm_progress_bar bar;
    lm_progress_bar_init(&bar, f);
    lm_progress_bar_clear(&bar);
    fclose(f);
    cr_assert_eq(len, 0);
    free(text);
}
