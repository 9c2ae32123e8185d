/* tests/unit/experiments/test_memory.c -- resource limits (src/experiments/memory.c): the
 * memory estimate against a hand-computed case, the sizes --max-memory accepts, and a run
 * refused up front when the estimate exceeds the limit, before anything is created. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/firms.h"
#include "experiments/experiments_int.h"
#include "longmen/job.h"
#include "lm_test.h"

#define TINY LM_TEST_DATA "/tiny.yaml"

/* ---- sizes ---- */

Test(size, parses_units_in_powers_of_1024)
{
    uint64_t v = 0;
    cr_assert(lm_parse_size("1048576", &v));
    cr_assert_eq(v, 1048576u);
    cr_assert(lm_parse_size("500M", &v));
    cr_assert_eq(v, 500ull << 20);
    cr_assert(lm_parse_size("8G", &v));
    cr_assert_eq(v, 8ull << 30);
    cr_assert(lm_parse_size("1.5G", &v));
    cr_assert_eq(v, 3ull << 29);
    cr_assert(lm_parse_size("4KiB", &v));
    cr_assert_eq(v, 4096u);
    cr_assert(lm_parse_size("2kb", &v));
    cr_assert_eq(v, 2048u);
    cr_assert(lm_parse_size("1T", &v));
    cr_assert_eq(v, 1ull << 40);
}

Test(size, rejects_what_is_not_a_size)
{
    const char *bad[] = {"", "M", "abc", "0", "0M", "-5M", "5X", "5MM", "5 M", "1e30T", "nan",
                         "inf", "12Gx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        uint64_t v = 7;
        cr_assert_not(lm_parse_size(bad[i], &v), "'%s' accepted", bad[i]);
        cr_assert_eq(v, 7u, "'%s' wrote the output", bad[i]);
    }
    cr_assert_not(lm_parse_size(NULL, NULL));
}

Test(size, formats_readably)
{
    char buf[32];
    cr_assert_str_eq(lm_format_size(512, buf, sizeof buf), "512 bytes");
    cr_assert_str_eq(lm_format_size(1536, buf, sizeof buf), "1.5 KB");
    cr_assert_str_eq(lm_format_size(500ull << 20, buf, sizeof buf), "500 MB");
    cr_assert_str_eq(lm_format_size(8ull << 30, buf, sizeof buf), "8.0 GB");
}

/* ---- the estimate ---- */

/* 100 founders a month from outside only, over 24 months: 2400 founders, 4800 firms provided
 * for (rates may double). */
static lm_scenario *outside_only(double rate)
{
    lm_scenario *sc = lm_test_scenario(2, 0.0);
    lm_params *p = lm_test_params(sc);
    p->entry.base_rate = 0.0;
    p->entry.alumni_rate = 0.0;
    p->entry.spinout_rate = 0.0;
    p->entry.returnee_rate = 0.0;
    p->entry.outside_rate = rate;
    return sc;
}

Test(estimate, follows_the_formula)
{
    lm_scenario *sc = outside_only(100.0);
    lm_memory_estimate e;
    const uint64_t total = lm_job_estimate_memory(sc, &e);
    cr_assert_eq(e.months, 24);
    cr_assert_float_eq(e.founders_month, 100.0, 1e-9);
    cr_assert_float_eq(e.firms, 4800.0, 1e-9);
    /* Firm arrays, archive and id index, and at least the month's deal pool besides. */
    cr_assert_geq(e.bytes_per_firm,
                  lm_firms_bytes_per_firm() + sizeof(lm_firm_record) + sizeof(int64_t) + 56.0);
    cr_assert_eq(e.firm_state, (uint64_t)(2.0 * 4800.0 * e.bytes_per_firm));
    cr_assert_eq(e.database, 4800u * 256u);
    cr_assert_eq(e.baseline, 16u << 20);
    cr_assert_gt(e.region_state, 0u);
    cr_assert_eq(total, e.firm_state + e.region_state + e.database + e.baseline);
    cr_assert_eq(e.total, total);
    cr_assert_eq(lm_job_estimate_memory(sc, NULL), total);
    lm_test_scenario_free(sc);
}

Test(estimate, counts_every_source_of_founders)
{
    lm_scenario *sc = outside_only(10.0);
    lm_params *p = lm_test_params(sc);
    p->entry.base_rate = 1e-4;         /* x 500k talent per region x 2 regions = 100 */
    p->entry.alumni_rate = 0.01;
    p->regions[0].platform_alumni = 1000.0; /* 10 */
    p->entry.spinout_rate = 0.5;
    p->regions[1].institution_strength = 4.0; /* 2 */
    lm__policy_defaults(&p->regions[1].policies[0], LM_POLICY_LAB);
    p->regions[1].policies[0].spinout_strength = 6.0; /* 3 */
    lm__policy_defaults(&p->regions[0].policies[0], LM_POLICY_TALENT_PROGRAM);
    p->regions[0].policies[0].talent_level = 2.0;
    p->entry.returnee_rate = 2.5; /* 5 */
    p->regions[0].n_policies = p->regions[1].n_policies = 1;
    lm_memory_estimate e;
    lm_job_estimate_memory(sc, &e);
    /* Region 1 has no alumni yet, but its firms may grow into platforms: team_size 5 of a
     * giant's 10,000 staff, of its 500k people, are 250 platform staff, whose 1% turnover
     * makes 60 alumni over 24 months, founding 0.6 a month. */
    cr_assert_float_eq(e.founders_month, 10.0 + 100.0 + 10.0 + 0.6 + 2.0 + 3.0 + 5.0, 1e-9);
    lm_test_scenario_free(sc);
}

/* Each field that scales the number of firms or what a firm holds moves the estimate the
 * way it moves the run: more platform staff, bigger founding teams against the giant
 * threshold, higher staff caps, turnover and deals seen, or more regions, need more. */
Test(estimate, grows_with_every_field_that_scales_the_run)
{
    lm_scenario *sc = outside_only(100.0);
    lm_params *p = lm_test_params(sc);
    p->entry.alumni_rate = 4e-4;
    p->regions[0].talent[LM_SKILL_SOFTWARE] = 1e6;
    p->regions[0].platform_staff = 1e4;
    p->regions[0].platform_alumni = 1e3;
    p->costs.max_headcount = 5000.0;
    p->platforms.giant_headcount = 10000.0;
    p->end = lm_month_of(2044, 12); /* long enough for alumni to near turnover/decay x staff */
    uint64_t last = lm_job_estimate_memory(sc, NULL);
#define GROWS(what, change)                                                                     \
    do {                                                                                        \
        change;                                                                                 \
        const uint64_t now = lm_job_estimate_memory(sc, NULL);                                  \
        cr_assert_gt(now, last, "%s: %llu, not above %llu", what, (unsigned long long)now,      \
                     (unsigned long long)last);                                                 \
        last = now;                                                                             \
    } while (0)
    GROWS("platform_staff", p->regions[0].platform_staff = 1e5);
    GROWS("team_size", p->sectors[0].team_size = 50.0);
    GROWS("team_size of another sector", p->sectors[1].team_size = 100.0);
    GROWS("max_headcount", p->costs.max_headcount = 1e7);
    GROWS("giant_headcount lower", p->platforms.giant_headcount = 1000.0);
    GROWS("turnover", p->platforms.turnover *= 2.0);
    GROWS("alumni_decay lower", p->platforms.alumni_decay /= 4.0);
    GROWS("talent", p->regions[0].talent[LM_SKILL_HARDWARE] = 1e6);
    lm__policy_defaults(&p->regions[1].policies[0], LM_POLICY_MATCHMAKING);
    p->regions[1].policies[0].deals_seen_multiplier = 1.0;
    p->regions[1].n_policies = 1;
    cr_assert_eq(lm_job_estimate_memory(sc, NULL), last, "a multiplier of 1 changes nothing");
    GROWS("deals_seen_multiplier", p->regions[1].policies[0].deals_seen_multiplier = 8.0);
    lm__policy_defaults(&p->regions[1].policies[1], LM_POLICY_CORRIDOR);
    p->regions[1].policies[1].deals_seen_multiplier = 2.0;
    p->regions[1].n_policies = 2;
    GROWS("a corridor's deals_seen_multiplier", (void)0);
#undef GROWS
    lm_test_scenario_free(sc);

    /* The deal pool holds a weight per investors' home region for every firm. */
    lm_scenario *two = outside_only(100.0), *many = lm_test_scenario(40, 0.0);
    lm_params *pm = lm_test_params(many);
    pm->entry = lm_test_params(two)->entry;
    lm_memory_estimate a, b;
    lm_job_estimate_memory(two, &a);
    lm_job_estimate_memory(many, &b);
    cr_assert_gt(b.bytes_per_firm, a.bytes_per_firm + 38 * sizeof(double) - 1e-9);
    lm_test_scenario_free(two);
    lm_test_scenario_free(many);
}

/* The bounds of the inputs keep the estimate finite and the check meaningful: the largest
 * team and staff fields the loader accepts still give a number, which --max-memory 200M
 * refuses up front. */
Test(estimate, refuses_up_front_what_the_bounds_still_allow)
{
    lm_scenario *sc = outside_only(100.0);
    lm_params *p = lm_test_params(sc);
    p->entry.alumni_rate = 4e-4;
    p->regions[0].talent[LM_SKILL_SOFTWARE] = 1e9;
    const uint64_t before = lm_job_estimate_memory(sc, NULL);
    p->sectors[0].team_size = 100.0;
    p->platforms.giant_headcount = 1000.0;
    p->costs.max_headcount = 1e7;
    lm_error err;
    cr_assert_lt(before, 200ull << 20, "%llu", (unsigned long long)before);
    cr_assert_eq(lm_job_check_memory(sc, before, &err), LM_ENOMEM);
    cr_assert_eq(lm_job_check_memory(sc, 200ull << 20, &err), LM_ENOMEM);
    cr_assert(strstr(err.message, "would need about"), "%s", err.message);
    lm_test_scenario_free(sc);
}

Test(estimate, grows_with_the_period_and_the_rates)
{
    lm_scenario *sc = outside_only(100.0);
    const uint64_t base = lm_job_estimate_memory(sc, NULL);
    lm_test_params(sc)->end += 24;
    const uint64_t longer = lm_job_estimate_memory(sc, NULL);
    cr_assert_gt(longer, base);
    lm_test_params(sc)->entry.outside_rate = 1e6;
    lm_memory_estimate e;
    const uint64_t huge = lm_job_estimate_memory(sc, &e);
    /* 1e6 a month over 4 years: 9.6e7 firms, well over 10 GB. */
    cr_assert_gt(huge, 10ull << 30, "%llu", (unsigned long long)huge);
    lm_test_scenario_free(sc);
}

Test(estimate, saturates_instead_of_overflowing)
{
    lm_scenario *sc = outside_only(1e6);
    lm_test_params(sc)->end = lm_month_of(2214, 12); /* 200 years */
    lm_memory_estimate e;
    const uint64_t total = lm_job_estimate_memory(sc, &e);
    cr_assert_leq(e.firms, 4294967295.0);
    cr_assert_geq(total, e.firm_state);
    lm_test_scenario_free(sc);
}

/* ---- the estimate against a run ----
 * Not under AddressSanitizer: its shadow memory and quarantine are no part of the run's
 * needs. */
#if !defined(__SANITIZE_ADDRESS__)

/* Peak RSS (KB) of a child process that runs path into a fresh folder. */
static long peak_rss_kb(const char *path)
{
    char dir[] = "/tmp/lm-memory-rss-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char out[256];
    snprintf(out, sizeof out, "%s/res", dir);
    const pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        lm_job_config cfg;
        lm_job_config_init(&cfg);
        cfg.scenario_path = path;
        cfg.out_dir = out;
        cfg.quiet = true;
        cfg.threads = 2;
        cfg.max_memory = UINT64_MAX;
        lm_job_result res;
        lm_error err;
        const lm_status st = lm_job_run(&cfg, &res, &err);
        if (st == LM_OK)
            lm_job_result_fini(&res);
        else
            fprintf(stderr, "%s\n", err.message);
        _exit(st == LM_OK ? 0 : 1);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the run of %s failed", path);
    struct rusage ru;
    cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    return ru.ru_maxrss;
}

Test(estimate, a_run_stays_under_its_estimate, .timeout = 300)
{
    const char *const paths[] = {TINY, LM_SOURCE_DIR "/scenarios/hefei.yaml"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; ++i) {
        lm_scenario *sc = NULL;
        lm_error err;
        cr_assert_eq(lm_scenario_load(paths[i], &sc, &err), LM_OK, "%s", err.message);
        const uint64_t estimate = lm_job_estimate_memory(sc, NULL);
        lm_scenario_free(sc);
        const long kb = peak_rss_kb(paths[i]);
        cr_assert_gt(kb, 0);
        cr_assert_lt((uint64_t)kb * 1024u, estimate, "%s: peak %ld KB, estimate %llu bytes",
                     paths[i], kb, (unsigned long long)estimate);
    }
}
#endif

/* ---- the limit ---- */

Test(limit, refuses_with_the_estimate)
{
    lm_scenario *sc = outside_only(100.0);
    lm_error err;
    const uint64_t need = lm_job_estimate_memory(sc, NULL);
    cr_assert_eq(lm_job_check_memory(sc, need, &err), LM_OK);
    cr_assert_eq(lm_job_check_memory(sc, need - 1, &err), LM_ENOMEM);
    char line[1024];
    lm_error_format(&err, line, sizeof line);
    cr_assert(strstr(line, "would need about"), "%s", line);
    cr_assert(strstr(line, "--max-memory"), "%s", line);
    cr_assert_null(strchr(line, '\n'), "%s", line);
    lm_test_scenario_free(sc);
}

Test(limit, default_is_most_of_physical_memory)
{
    const uint64_t def = lm_job_default_max_memory();
    const uint64_t phys = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
    cr_assert_gt(def, 0u);
    cr_assert_leq(def, phys / 5 * 4);
}

Test(limit, a_refused_run_creates_nothing)
{
    char dir[] = "/tmp/lm-memory-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char out[256];
    snprintf(out, sizeof out, "%s/res", dir);
    lm_job_config cfg;
    lm_job_config_init(&cfg);
    cfg.scenario_path = TINY;
    cfg.out_dir = out;
    cfg.quiet = true;
    cfg.max_memory = 1024;
    lm_job_result res;
    lm_error err;
    cr_assert_eq(lm_job_run(&cfg, &res, &err), LM_ENOMEM);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "the refused run created %s", out);
    cr_assert_eq(rmdir(dir), 0, "the refused run left something in %s", dir);
    /* No limit at all: the same run goes through. */
    cfg.max_memory = UINT64_MAX;
    cr_assert_eq(lm_job_run(&cfg, &res, &err), LM_OK, "%s", err.message);
    lm_job_result_fini(&res);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ---- the limit while the run goes ---- */

/* The firms a run has so far, by the estimate's accounting, against --max-memory after
 * every month: a run that outgrows the projection stops instead of being killed. */
Test(limit, checked_while_the_run_goes)
{
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(TINY, &sc, &err), LM_OK, "%s", err.message);
    const lm_sim_config cfg = {.seed = 5, .run = 0, .threads = 1};
    lm_sim *sim = NULL;
    cr_assert_eq(lm_sim_create(sc, &cfg, &sim, &err), LM_OK, "%s", err.message);
    for (int m = 0; m < 12; ++m)
        cr_assert_eq(lm_sim_step(sim, &err), LM_OK, "%s", err.message);
    cr_assert_gt(lm_sim_firms_ever(sim), 10);
    cr_assert_eq(lm__job_check_memory_now(sc, sim, UINT64_MAX, &err), LM_OK);
    cr_assert_eq(lm__job_check_memory_now(sc, sim, (uint64_t)1 << 30, &err), LM_OK);
    cr_assert_eq(lm__job_check_memory_now(sc, sim, (uint64_t)16 << 20, &err), LM_ENOMEM);
    cr_assert(strstr(err.message, "the run outgrew its memory limit: after 12 months"), "%s",
              err.message);
    cr_assert(strstr(err.message, "more than the limit of 16 MB (--max-memory)"), "%s",
              err.message);
    lm_sim_destroy(sim);
    lm_scenario_free(sc);
}
