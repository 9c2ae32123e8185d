/* app/cmd_run.c -- `longmen run`: parse the options into an lm_job_config, run the job
 * (src/experiments/job.c), show progress on a terminal, print the summary table. Ctrl-C
 * asks the job to stop after the current month; the job then removes its temporary
 * folder, so an interrupted run leaves nothing half-written. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "longmen/experiments.h"
#include "longmen/job.h"
#include "longmen/longmen.h"

#define RUN_HELP "longmen run --help"

/* The signal that asked us to stop, 0 while none did. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

/* experiments issue: --runs R and --resume (src/experiments/replicate.c). */
static int opt_runs = 1;
static int opt_detail = LM_DETAIL_DEFAULT;
static bool opt_resume;

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
            "                   one is complete).\n"
            "                   e.g. longmen run --seed 7 --force\n"
            "  --runs R         R replications (1 to 10000; default 1): replication i\n"
            "                   simulates with the seed and run index i, in parallel over\n"
            "                   --threads (each simulation single-threaded). The table\n"
            "                   shows per region the mean and its 90%% t-interval; the\n"
            "                   database holds every replication (run_id 1..R).\n"
            "                   Default folder: runs/<scenario name>-seed<N>-runs<R>.\n"
            "                   e.g. --runs 20\n"
            "  --detail K       with --runs: replications 1..K keep a row for every firm\n"
            "                   and deal; the others keep every table but those two, where\n"
            "                   they keep only dragons, unicorns, platforms and exited firms\n"
            "                   (run.detail = 0): a replication of the default scenario then\n"
            "                   writes about 9 MB instead of 170. 'all' or 0 to 10000;\n"
            "                   default 20.\n"
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

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; ++s)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!all_digits(s))
        return false;
    errno = 0;
    char *end;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || *end)
        return false;
    *out = v;
    return true;
}

/* Options that take a value; a flag has none. */
typedef enum {
    OPT_SEED,
    OPT_THREADS,
    OPT_OUT,
    OPT_FROM,
    OPT_TO,
    OPT_MAX_MEMORY,
    OPT_RUNS,   /* experiments issue */
    OPT_RESUME, /* experiments issue */
    OPT_DETAIL,
    OPT_QUIET,
    OPT_FORCE,
    OPT_HELP,
    OPT_UNKNOWN
} opt_id;

static opt_id option_of(const char *name)
{
    static const struct {
        const char *name;
        opt_id id;
    } table[] = {
        {"--seed", OPT_SEED},   {"--threads", OPT_THREADS}, {"--out", OPT_OUT},
        {"-o", OPT_OUT},        {"--from", OPT_FROM},       {"--to", OPT_TO},
        {"--quiet", OPT_QUIET}, {"-q", OPT_QUIET},          {"--force", OPT_FORCE},
        {"-f", OPT_FORCE},      {"--help", OPT_HELP},       {"-h", OPT_HELP},
        {"--max-memory", OPT_MAX_MEMORY},
        {"--runs", OPT_RUNS},   {"--resume", OPT_RESUME}, /* experiments issue */
        {"--detail", OPT_DETAIL},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i)
        if (strcmp(name, table[i].name) == 0)
            return table[i].id;
    return OPT_UNKNOWN;
}

static int set_value(lm_job_config *cfg, opt_id id, const char *name, const char *value)
{
    switch (id) {
    case OPT_SEED:
        /* Seeds are stored as SQLite integers, which are signed 64-bit. */
        if (!parse_u64(value, &cfg->seed) || cfg->seed > (uint64_t)INT64_MAX)
            return cli_usage_error(RUN_HELP, "%s %s: expected an integer from 0 to %" PRId64, name,
                                   value, INT64_MAX);
        cfg->has_seed = true;
        return CLI_OK;
    case OPT_THREADS: {
        uint64_t t;
        if (!parse_u64(value, &t) || t > 4096)
            return cli_usage_error(RUN_HELP, "%s %s: expected an integer from 0 to 4096", name,
                                   value);
        cfg->threads = (int)t;
        return CLI_OK;
    }
    case OPT_OUT:
        if (!*value)
            return cli_usage_error(RUN_HELP, "%s: expected a folder", name);
        cfg->out_dir = value;
        return CLI_OK;
    case OPT_FROM:
    case OPT_TO: {
        int32_t m;
        if (!lm_month_parse(value, &m))
            return cli_usage_error(RUN_HELP, "%s %s: expected YYYY-MM", name, value);
        if (id == OPT_FROM) {
            cfg->from = m;
            cfg->has_from = true;
        } else {
            cfg->to = m;
            cfg->has_to = true;
        }
        return CLI_OK;
    }
    case OPT_MAX_MEMORY:
        if (!lm_parse_size(value, &cfg->max_memory))
            return cli_usage_error(RUN_HELP, "%s %s: expected a size such as 500M or 8G", name,
                                   value);
        return CLI_OK;
    case OPT_RUNS: { /* experiments issue */
        uint64_t r;
        if (!parse_u64(value, &r) || r < 1 || r > LM_MAX_RUNS)
            return cli_usage_error(RUN_HELP, "%s %s: expected an integer from 1 to %d", name,
                                   value, LM_MAX_RUNS);
        opt_runs = (int)r;
        return CLI_OK;
    }
    case OPT_DETAIL:
        return cli_detail_value(RUN_HELP, name, value, &opt_detail);
    default:
        return CLI_OK;
    }
}

/* Fills cfg from argv. Returns CLI_OK, CLI_USAGE (message printed), or -1 after --help. */
static int parse(int argc, char **argv, lm_job_config *cfg)
{
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        char *arg = argv[i];
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (cfg->scenario_path)
                return cli_usage_error(RUN_HELP, "run: one scenario at a time, got '%s' and '%s'",
                                       cfg->scenario_path, arg);
            cfg->scenario_path = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        /* --name=value: split a copy of the name off the value. */
        char name[32];
        const char *value = NULL;
        const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        if (eq && (size_t)(eq - arg) < sizeof name) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
            value = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", arg);
        }
        const opt_id id = eq && (size_t)(eq - arg) >= sizeof name ? OPT_UNKNOWN : option_of(name);
        switch (id) {
        case OPT_UNKNOWN:
            return cli_usage_error(RUN_HELP, "run: unknown option '%s'", arg);
        case OPT_HELP:
            cli_run_help(stdout);
            return -1;
        case OPT_QUIET:
        case OPT_FORCE:
        case OPT_RESUME:
            if (value)
                return cli_usage_error(RUN_HELP, "%s takes no value", name);
            if (id == OPT_QUIET)
                cfg->quiet = true;
            else if (id == OPT_RESUME)
                opt_resume = true; /* experiments issue */
            else
                cfg->force = true;
            continue;
        default:
            break;
        }
        if (!value) {
            if (i + 1 >= argc)
                return cli_usage_error(RUN_HELP, "%s: missing value", name);
            value = argv[++i];
        }
        const int rc = set_value(cfg, id, name, value);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* One-shot: a second Ctrl-C kills at once, for a user who will not wait for the month. */
    sa.sa_flags = SA_RESETHAND;
    const int signals[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; ++i) {
        struct sigaction old;
        /* A signal ignored on entry (nohup, a background job of a script) stays ignored. */
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(signals[i], &sa, NULL);
    }
}

int cli_run(int argc, char **argv)
{
    lm_job_config cfg;
    lm_job_config_init(&cfg);
    const int rc = parse(argc, argv, &cfg);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;

    /* Progress only for a person watching: a pipe, a log file or a test sees nothing. */
    lm_progress_bar bar;
    lm_progress_bar_init(&bar, stderr);
    if (!cfg.quiet && isatty(STDERR_FILENO)) {
        cfg.progress = lm_progress_bar_update;
        cfg.progress_user = &bar;
    }
    cfg.stop_flag = &stop_signal;
    catch_signals();

    /* experiments issue: several replications (one without --runs stays the job below). */
    if (opt_runs > 1 || opt_resume) {
        lm_experiment_config x;
        lm_experiment_config_init(&x);
        x.job = cfg;
        x.runs = opt_runs;
        x.resume = opt_resume;
        x.detail = opt_detail;
        lm_experiment_result xr = {.summary = NULL};
        lm_error xerr;
        const lm_status xst = lm_experiment_replicate(&x, &xr, &xerr);
        lm_progress_bar_clear(&bar);
        const int exit_code = cli_experiment_end(xst, &xerr, xr.summary, stop_signal);
        lm_experiment_result_fini(&xr);
        return exit_code;
    }

    lm_job_result res;
    lm_error err;
    const lm_status st = lm_job_run(&cfg, &res, &err);
    lm_progress_bar_clear(&bar);
    if (st == LM_EINTR) {
        fputs("interrupted\n", stderr);
        return 128 + (stop_signal ? stop_signal : SIGINT);
    }
    if (st != LM_OK)
        return cli_fail(&err);
    fputs(res.summary, stdout);
    lm_job_result_fini(&res);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
