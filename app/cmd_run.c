/* app/cmd_run.c -- `longmen run`: parse the options into an lm_job_config, run the job
 * (src/experiments/job.c), show progress on a terminal, print the summary table. Ctrl-C
 * asks the job to stop after the current month; the job then removes its temporary
 * folder, so an interrupted run leaves nothing half-written. */
#include <signal.h>
#include <stdio.h>

#include "cli.h"
#include "longmen/experiments.h"
#include "longmen/job.h"
#include "longmen/longmen.h"

#define RUN_HELP "longmen run --help"

void cli_run_help(FILE *f)
{
    fprintf(f,
            "Usage: longmen run [SCENARIO] [options]\n"
            "\n"
            "Simulates SCENARIO month by month with one seed, prints a summary table per\n"
            "region on stdout and writes a results folder with results.sqlite (every\n"
            "observation; tables in docs/output.md) and summary.txt (the same table).\n"
            "\n"
            "  SCENARIO         a YAML scenario (docs/scenarios.md). Default:\n"
            "                   scenarios/three-capitals.yaml in the current folder, else\n"
            "                   the one in longmen's source tree, here:\n"
            "                   %s\n"
            "                   e.g. longmen run scenarios/hefei.yaml\n"
            "  --seed N         random seed, 0 to 9223372036854775807. Default: the\n"
            "                   scenario's `seed`. The same seed gives the same results,\n"
            "                   whatever the number of threads.\n"
            "                   e.g. --seed 42\n"
            "  --threads T      OpenMP threads; 0 (default) = OpenMP's choice, normally\n"
            "                   all cores.\n"
            "                   e.g. --threads 4\n"
            "  -o, --out DIR    results folder. Default: runs/<scenario name>-seed<N>,\n"
            "                   under the current folder. It must not exist, unless\n"
            "                   --force; missing parent folders are created.\n"
            "                   e.g. --out runs/trial\n"
            "  --from YYYY-MM   first month to simulate (default: the scenario's start);\n"
            "                   must lie in the scenario's period.\n"
            "                   e.g. --from 2018-01\n"
            "  --to YYYY-MM     last month to simulate (default: the scenario's end).\n"
            "                   e.g. --to 2024-12\n"
            "  --max-memory SIZE  refuse a run whose estimated memory exceeds SIZE (K, M,\n"
            "                   G, T: powers of 1024), before it starts; the error gives\n"
            "                   the estimate. Default: 80%% of physical memory.\n"
            "                   e.g. --max-memory 4G\n"
            "  -q, --quiet      no progress line. The summary table is still printed (it\n"
            "                   is the result); errors still go to stderr.\n"
            "                   e.g. longmen run --quiet > table.txt\n"
            "  -f, --force      replace an existing results folder (only once the new\n"
            "                   one is complete), and only one that longmen wrote (its\n"
            "                   .longmen-results marker); any other folder is refused.\n"
            "                   e.g. longmen run --seed 7 --force\n"
            "  --runs R         R replications (1 to 10000; default 1): replication i\n"
            "                   simulates with the seed and run index i, in parallel over\n"
            "                   --threads (each simulation single-threaded). The table\n"
            "                   shows per region the mean and its 90%% t-interval; the\n"
            "                   database holds every replication (run_id 1..R; with\n"
            "                   firm and deal rows for the first --detail of them).\n"
            "                   Default folder: runs/<scenario name>-seed<N>-runs<R>.\n"
            "                   e.g. --runs 20\n"
            "  --detail K       with --runs: replications 1..K keep a row for every firm\n"
            "                   and deal; the others keep every table but those two, where\n"
            "                   they keep only dragons, unicorns, platforms and exited firms\n"
            "                   (run.detail = 0): a replication of the default scenario then\n"
            "                   writes about 9 MB instead of 170. 'all' or 0 to 10000;\n"
            "                   default 1 (the report's firm tables show replication 1).\n"
            "                   e.g. longmen run --runs 1000 --detail 5\n"
            "  --resume         with --runs: an interrupted job left <DIR>.partial with its\n"
            "                   finished replications; run only the missing ones.\n"
            "                   e.g. longmen run --runs 20 --out runs/r20 --resume\n"
            "  -h, --help       show this help.\n",
            lm_default_scenario_path());
    fprintf(f,
            "Options may come before or after SCENARIO; --opt=VALUE works too.\n"
            "\n"
            "Progress: when stderr is a terminal, one line there shows months done, the\n"
            "current month, firms alive, elapsed time and ETA; nothing otherwise.\n"
            "The results folder appears only when complete (written under a temporary name,\n"
            "then renamed). Ctrl-C stops after the current month and keeps nothing.\n"
            "\n"
            "Examples:\n"
            "  longmen run\n"
            "  longmen run scenarios/three-capitals.yaml --seed 7 --threads 4\n"
            "  longmen run my.yaml --from 2020-01 --to 2024-12 --out runs/short --force\n"
            "  longmen run --quiet > table.txt\n"
            "  longmen run scenarios/hefei.yaml --runs 20 --threads 2 --out runs/h20\n"
            "\n"
            "With --runs, Ctrl-C stops after the current month of each replication and keeps\n"
            "the finished ones in <DIR>.partial; --resume continues (docs/experiments.md).\n"
            "\n"
            "Exit status: 0 success, 1 error (one line on stderr: file:line:col: field:\n"
            "message for scenario errors), 2 usage error, 130 interrupted.\n");
}

/* --runs, --detail, --seed... are the options every experiment shares (app/experiment_options.c);
 * run has no other (cli_experiment_takes_value refuses the rest before this is called). */
static int set_value(void *user, const char *name, const char *value)
{
    return cli_experiment_value(user, RUN_HELP, name, value);
}

int cli_run(int argc, char **argv)
{
    lm_experiment_config x;
    lm_experiment_config_init(&x);
    static const cli_experiment_cmd cmd = {"run", RUN_HELP, cli_run_help, set_value,
                                           cli_experiment_takes_value};
    const int rc = cli_experiment_parse(argc, argv, &cmd, &x, &x);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    lm_job_config cfg = x.job;

    /* Progress only for a person watching: a pipe, a log file or a test sees nothing. */
    lm_progress_bar bar;
    volatile sig_atomic_t *stop_signal = cli_experiment_start(&cfg, &bar);

    /* Several replications (one without --runs stays the job below). */
    if (x.runs > 1 || x.resume) {
        x.job = cfg;
        lm_experiment_result xr = {.summary = NULL};
        lm_error xerr;
        const lm_status xst = lm_experiment_replicate(&x, &xr, &xerr);
        lm_progress_bar_clear(&bar);
        const int exit_code = cli_experiment_end(xst, &xerr, xr.summary, *stop_signal);
        lm_experiment_result_fini(&xr);
        return exit_code;
    }

    lm_job_result res;
    lm_error err;
    const lm_status st = lm_job_run(&cfg, &res, &err);
    lm_progress_bar_clear(&bar);
    if (st == LM_EINTR) {
        fputs("interrupted\n", stderr);
        return 128 + (*stop_signal ? *stop_signal : SIGINT);
    }
    if (st != LM_OK)
        return cli_fail(&err);
    fputs(res.summary, stdout);
    lm_job_result_fini(&res);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
