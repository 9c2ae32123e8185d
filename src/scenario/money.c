/* src/scenario/money.c -- amounts of money as people write them: "2e9", "10bn", "500m",
 * "100亿", "5000万", "1.5e9 CNY". One parser for the command line (--budget) and for every
 * money field of a scenario (keys naming CNY: budget_cny_year, fund_size_cny, ...), so that
 * an amount that works in one place works in the other. Chinese units matter because the
 * sources an analyst copies from (budgets, fund announcements) count in 万 and 亿. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "longmen/optimise.h"
#include "scenario/load_int.h"

static const struct {
    const char *unit;
    double factor;
} units[] = {
    {"k", 1e3},        {"thousand", 1e3}, {"万", 1e4},       {"m", 1e6},
    {"mn", 1e6},       {"million", 1e6},  {"亿", 1e8},       {"bn", 1e9},
    {"b", 1e9},        {"billion", 1e9},  {"万亿", 1e12},    {"tn", 1e12},
    {"trillion", 1e12},
};
#define N_UNITS (sizeof units / sizeof units[0])

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        ++s;
    return s;
}

/* A currency word at the end: CNY, RMB, 元, yuan (case-insensitive for the Latin ones). */
static size_t currency(const char *s)
{
    static const char *const words[] = {"cny", "rmb", "yuan", "元"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; ++i) {
        const size_t n = strlen(words[i]);
        if (strncasecmp(s, words[i], n) == 0 && *skip_spaces(s + n) == '\0')
            return n;
    }
    return 0;
}

bool lm__money_parse(const char *text, double *out, char *why, size_t size)
{
    if (why && size)
        why[0] = '\0';
    if (!text) {
        if (why)
            snprintf(why, size, "no amount");
        return false;
    }
    const char *s = skip_spaces(text);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* strtod also reads "inf", "nan" and hex; an amount is a plain decimal number */
    const bool plain = end != s && strspn(s, "0123456789.+-eE") >= (size_t)(end - s);
    if (!plain) {
        if (why)
            snprintf(why, size, "no number at the start");
        return false;
    }
    if (errno == ERANGE || !isfinite(v)) {
        if (why)
            snprintf(why, size, "out of range");
        return false;
    }
    if (v < 0) {
        if (why)
            snprintf(why, size, "an amount cannot be negative");
        return false;
    }
    const char *u = skip_spaces(end);
    if (*u && !currency(u)) {
        /* the unit runs to a space or the end; the longest known unit wins ("万亿" not "万") */
        size_t len = 0;
        double f = 0;
        for (size_t i = 0; i < N_UNITS; ++i) {
            const size_t n = strlen(units[i].unit);
            if (n > len && strncasecmp(u, units[i].unit, n) == 0) {
                const char *rest = skip_spaces(u + n);
                if (*rest == '\0' || currency(rest)) {
                    len = n;
                    f = units[i].factor;
                }
            }
        }
        if (len == 0) {
            if (why) {
                char word[48];
                snprintf(word, sizeof word, "%s", u);
                const char *names[N_UNITS];
                for (size_t i = 0; i < N_UNITS; ++i)
                    names[i] = units[i].unit;
                snprintf(why, size, "unknown unit \"%s\"", word);
                lm__did_you_mean(why, size, word, names, N_UNITS);
            }
            return false;
        }
        v *= f;
    }
    if (!isfinite(v)) {
        if (why)
            snprintf(why, size, "too large");
        return false;
    }
    *out = v;
    return true;
}

bool lm_parse_money(const char *text, double *out)
{
    return lm__money_parse(text, out, NULL, 0);
}

bool lm_parse_money_why(const char *text, double *out, char *why, size_t size)
{
    return lm__money_parse(text, out, why, size);
}
