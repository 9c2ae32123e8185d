/* tests/unit/scenario/test_month.c -- "YYYY-MM" months (lm_month_parse, lm_month_format):
 * the only date form of the scenario format and of the CLI's --from/--to. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/params.h"
#include "longmen/longmen.h"

Test(month, parse_known_values)
{
    int32_t m = -1;
    cr_assert(lm_month_parse("2015-01", &m));
    cr_assert_eq(m, 2015 * 12);
    cr_assert(lm_month_parse("2034-12", &m));
    cr_assert_eq(m, 2034 * 12 + 11);
    cr_assert(lm_month_parse("1900-01", &m));
    cr_assert_eq(m, lm_month_of(1900, 1));
    cr_assert(lm_month_parse("2200-12", &m));
    cr_assert_eq(m, lm_month_of(2200, 12));
    cr_assert(lm_month_parse("2020-06", NULL), "out may be NULL");
}

Test(month, parse_rejects)
{
    static const char *const bad[] = {"2015-13", "2015-00", "1899-12",  "2201-01",  "2015-1",
                                      "15-01",   "2015/01", "2015-011", "2015-01 ", " 2015-01",
                                      "",        "20a5-01", "2015-0a",  "+2015-01", "2015-1a"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
        int32_t m = 12345;
        cr_assert_not(lm_month_parse(bad[i], &m), "\"%s\"", bad[i]);
        cr_assert_eq(m, 12345, "out untouched on failure");
    }
    cr_assert_not(lm_month_parse(NULL, NULL));
}

Test(month, round_trip_every_month)
{
    char buf[8];
    for (int32_t m = lm_month_of(1900, 1); m <= lm_month_of(2200, 12); ++m) {
        int32_t back = -1;
        cr_assert(lm_month_parse(lm_month_format(m, buf), &back), "%s", buf);
        cr_assert_eq(back, m);
        cr_assert_eq(lm_month_year(m), m / 12);
        cr_assert_eq(lm_month_moy(m), m % 12 + 1);
    }
}

Test(month, format_values)
{
    char buf[8];
    cr_assert_str_eq(lm_month_format(lm_month_of(2015, 1), buf), "2015-01");
    cr_assert_str_eq(lm_month_format(lm_month_of(2034, 12), buf), "2034-12");
    cr_assert_str_eq(lm_month_format(lm_month_of(987, 3), buf), "0987-03");
    cr_assert_eq(lm_month_format(lm_month_of(2015, 1), buf), buf, "returns buf");
    /* out of the printable range: the nearest end, never more than 8 bytes */
    cr_assert_str_eq(lm_month_format(-5, buf), "0000-01");
    cr_assert_str_eq(lm_month_format(LM_MONTH_NEVER, buf), "9999-12");
}
