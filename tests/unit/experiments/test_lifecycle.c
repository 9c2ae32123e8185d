/* tests/unit/experiments/test_lifecycle.c -- the life cycle every experiment shares
 * (src/experiments/lifecycle.c): parallel replications are capped by --max-memory, a run that
 * does not fit at all is refused, and the out folder's names. */
#include <string.h>

#include <criterion/criterion.h>

#include "experiments/lifecycle.h"
#include "longmen/longmen.h"

static lm_scenario *tiny(void)
{
    lm_scenario *sc = NULL;
    lm_error err;
    cr_assert_eq(lm_scenario_load(LM_TEST_DATA "/tiny.yaml", &sc, &err), LM_OK, "%s",
                 err.message);
    return sc;
}

Test(lifecycle, threads_are_capped_by_the_memory_limit)
{
    lm_scenario *sc = tiny();
    const uint64_t one = lm_job_estimate_memory(sc, NULL);
    cr_assert(one > 0);
    lm_job_config job;
    lm_job_config_init(&job);
    job.threads = 4;
    job.max_memory = one * 5 / 2; /* room for two at once */
    int threads = 0;
    uint64_t each = 0;
    lm_error err;
    cr_assert_eq(lm__xp_threads(sc, &job, &threads, &each, &err), LM_OK, "%s", err.message);
    cr_assert_eq(threads, 2);
    cr_assert_eq(each, job.max_memory / 2);

    job.max_memory = UINT64_MAX; /* no limit */
    cr_assert_eq(lm__xp_threads(sc, &job, &threads, &each, &err), LM_OK, "%s", err.message);
    cr_assert_eq(threads, 4);
    cr_assert_eq(each, UINT64_MAX);

    job.max_memory = one / 2; /* not even one */
    cr_assert_eq(lm__xp_threads(sc, &job, &threads, &each, &err), LM_ENOMEM);
    lm_scenario_free(sc);
}

Test(lifecycle, folder_names)
{
    lm_scenario *sc = tiny();
    lm_job_config job;
    lm_job_config_init(&job);
    char final[LM_XP_PATH], partial[LM_XP_PATH + 16], db[LM_XP_PATH + 32];
    lm_error err;
    job.out_dir = "out/x//";
    cr_assert_eq(lm__xp_folder(&job, sc, "run", 5, "-sweep", final, partial, db, &err), LM_OK);
    cr_assert_str_eq(final, "out/x");
    cr_assert_str_eq(partial, "out/x.partial");
    cr_assert_str_eq(db, "out/x.partial/results.sqlite");
    job.out_dir = NULL;
    cr_assert_eq(lm__xp_folder(&job, sc, "run", 5, "-sweep", final, partial, db, &err), LM_OK);
    cr_assert(strncmp(final, "runs/", 5) == 0 && strstr(final, "-seed5-sweep") != NULL, "%s",
              final);
    job.out_dir = "";
    cr_assert_eq(lm__xp_folder(&job, sc, "run", 5, "", final, partial, db, &err), LM_EINVAL);
    lm_scenario_free(sc);
}
