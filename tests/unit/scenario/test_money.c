/* tests/unit/scenario/test_money.c -- amounts of money (src/scenario/money.c): the forms an
 * analyst writes (10bn, 1e10, 100亿, 5000万, "2.5 billion CNY") and the errors for the others,
 * which name the valid units and the closest one. */
#include <criterion/criterion.h>
#include <string.h>

#include "longmen/optimise.h"

Test(money, accepts_latin_and_chinese_units)
{
    static const struct {
        const char *text;
        double cny;
    } ok[] = {{"10bn", 1e10},     {"1e10", 1e10},          {"100亿", 1e10},
              {"5000万", 5e7},    {"2.5 billion CNY", 2.5e9}, {"500m", 5e8},
              {"1.5e9", 1.5e9},   {"3 万亿", 3e12},         {"20亿元", 2e9},
              {" 750k ", 7.5e5},  {"2BN", 2e9},            {"1500000000", 1.5e9}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
        double v = -1;
        cr_assert(lm_parse_money(ok[i].text, &v), "%s", ok[i].text);
        cr_assert_float_eq(v, ok[i].cny, ok[i].cny * 1e-12, "%s: %g", ok[i].text, v);
    }
}

Test(money, refuses_with_a_reason)
{
    static const struct {
        const char *text, *why;
    } bad[] = {{"10bln", "unknown unit \"bln\"; did you mean \"bn\"? Valid: k, thousand, 万"},
               {"ten billion", "no number at the start"},
               {"-5bn", "cannot be negative"},
               {"inf", "no number at the start"},
               {"10 bn extra", "unknown unit \"bn extra\""},
               {"1e400", "out of range"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        double v = 42;
        char why[400];
        cr_assert_not(lm_parse_money_why(bad[i].text, &v, why, sizeof why), "%s", bad[i].text);
        cr_assert_float_eq(v, 42, 0, "%s: out untouched", bad[i].text);
        cr_assert_not_null(strstr(why, bad[i].why), "%s: \"%s\" lacks \"%s\"", bad[i].text, why,
                           bad[i].why);
    }
}
