/* app/main.c -- the `longmen` command: dispatches to a command (app/cmd_*.c) and answers
 * --help and --version. Parsing only; everything a command does is a library call, so the
 * server and the tests see the same behaviour as the terminal. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "longmen/longmen.h"
#include "longmen/parallel.h"

static void main_help(FILE *f)
{
    fprintf(f,
            "longmen %s -- an agent-based simulator of regional innovation ecosystems\n"
            "(龙门, the Dragon Gate: the carp that leap it become dragons).\n"
            "\n"
            "Usage:\n"
            "  longmen <command> [options]\n"
            "  longmen --help | --version\n"
            "\n"
            "Commands:\n"
            "  run [SCENARIO]   simulate a scenario month by month with one seed; print a\n"
            "                   summary per region and write a results folder\n"
            "  compare [SCENARIO] --policy EDIT | --adopt X:Y.KIND[@YYYY-MM] | --add ...\n"
            "                   a baseline and a counterfactual with common random numbers:\n"
            "                   paired differences per region ('longmen help compare')\n"
            "  sweep [SCENARIO] --param NAME=LO:HI:STEPS  --runs R [--design sobol --points N]\n"
            "                   a grid or Sobol design over parameters, R replications per\n"
            "                   point, common random numbers ('longmen help sweep')\n"
            "  sensitivity [SCENARIO] --params FILE --points N  [--runs R]\n"
            "                   Sobol indices (Saltelli) of outputs to parameters, with\n"
            "                   bootstrap intervals ('longmen help sensitivity')\n"
            "  optimise [SCENARIO] --region R --budget CNY --levers FILE  [--runs R]\n"
            "                   the policy mix of a region that maximises its expected dragons\n"
            "                   under its annual public budget ('longmen help optimise')\n"
            "  calibrate [SCENARIO] --targets FILE  [--budget N] [--runs R]\n"
            "                   fit free parameters to target moments (method of simulated\n"
            "                   moments, NLopt) ('longmen help calibrate')\n"
            "  report OUT_DIR   write report.html and headline.svg of a results folder again\n"
            "  serve            a local web dashboard: browse runs, start runs, watch them\n"
            "  help [COMMAND]   show this help, or a command's help ('longmen help run')\n"
            "  version          print the version (same as --version)\n"
            "\n"
            "Options:\n"
            "  -h, --help       show this help and exit\n"
            "  -V, --version    print 'longmen %s' and exit\n"
            "\n"
            "Options of run (details: 'longmen run --help'):\n"
            "  --seed N         random seed (default: scenario's)  e.g. --seed 42\n"
            "  --threads T      OpenMP threads, 0 = all cores      e.g. --threads 4\n"
            "  -o, --out DIR    folder (default runs/NAME-seedN)   e.g. --out runs/trial\n"
            "  --from YYYY-MM   first month to simulate            e.g. --from 2018-01\n"
            "  --to YYYY-MM     last month to simulate             e.g. --to 2024-12\n"
            "  -q, --quiet      no progress line; the summary table is still printed\n"
            "  -f, --force      replace an existing results folder\n"
            "  --max-memory SIZE  refuse a run estimated above SIZE  e.g. --max-memory 4G\n"
            "  --runs R         R replications, mean and 90%% intervals  e.g. --runs 20\n"
            "  --resume         finish an interrupted --runs job\n"
            "\n"
            "Examples:\n"
            "  longmen run                                  # scenarios/three-capitals.yaml\n"
            "  longmen run scenarios/three-capitals.yaml --seed 7 --threads 4\n"
            "  longmen run my.yaml --from 2020-01 --to 2024-12 --out runs/short --force\n"
            "  longmen run --runs 20 --threads 2           # 20 replications, 90%% intervals\n"
            "  longmen compare --adopt hefei:hangzhou.talent_rule --runs 10\n"
            "  longmen compare --add hefei:hangzhou.st_fund@2026-01 --to 2030-12\n"
            "  longmen sweep --param Hefei.st_fund.loss_tolerance=0.1:0.5:5 --runs 10\n"
            "  longmen calibrate --targets calibration/essay.yaml --to 2024-12 --budget 200\n"
            "\n"
            "Across processes or machines (Open MPI; docs/scaling.md): the same commands\n"
            "under 'mpirun -np P longmen ...' share the replications, same results.\n"
            "\n"
            "Exit status: 0 success, 1 error, 2 usage error, 130 interrupted (Ctrl-C).\n"
            "Documentation: README.md and docs/ in the source tree.\n",
            lm_version(), lm_version());
}

int cli_usage_error(const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("longmen: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nsee '%s'\n", help);
    return CLI_USAGE;
}

int cli_fail(const lm_error *err)
{
    char line[1024];
    fprintf(stderr, "longmen: %s\n", lm_error_format(err, line, sizeof line));
    return CLI_FAIL;
}

int cli_experiment_end(lm_status st, const lm_error *err, const char *summary, int signal_no)
{
    if (st == LM_EINTR) {
        fprintf(stderr, "longmen: %s\n", err->message);
        return 128 + (signal_no ? signal_no : SIGINT);
    }
    if (st != LM_OK)
        return cli_fail(err);
    if (summary)
        fputs(summary, stdout);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

static int help_command(int argc, char **argv)
{
    if (argc < 2) {
        main_help(stdout);
        return CLI_OK;
    }
    if (argc > 2)
        return cli_usage_error("longmen --help", "help: expected at most one command");
    if (strcmp(argv[1], "run") == 0) {
        cli_run_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "compare") == 0) { /* experiments issue */
        cli_compare_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "sweep") == 0) { /* experiments issue */
        cli_sweep_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "sensitivity") == 0) { /* experiments issue */
        cli_sensitivity_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "optimise") == 0) { /* experiments issue */
        cli_optimise_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "calibrate") == 0) { /* calibration issue */
        cli_calibrate_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "report") == 0) {
        cli_report_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "serve") == 0) {
        cli_serve_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "version") == 0) {
        main_help(stdout);
        return CLI_OK;
    }
    return cli_usage_error("longmen --help", "help: unknown command '%s'", argv[1]);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("longmen --help", "no command given (try 'longmen run')");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
        return help_command(1, argv + 1);
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        if (argc > 2)
            return cli_usage_error("longmen --help", "%s takes no arguments", cmd);
        printf("longmen %s\n", lm_version());
        return CLI_OK;
    }
    if (strcmp(cmd, "help") == 0)
        return help_command(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0) /* experiments issue */
        return cli_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0) /* experiments issue */
        return cli_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "sensitivity") == 0) /* experiments issue */
        return cli_sensitivity(argc - 1, argv + 1);
    if (strcmp(cmd, "optimise") == 0) /* experiments issue */
        return cli_optimise(argc - 1, argv + 1);
    if (strcmp(cmd, "calibrate") == 0) /* calibration issue */
        return cli_calibrate(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return cli_serve(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return cli_usage_error("longmen --help", "unknown option '%s'", cmd);
    return cli_usage_error("longmen --help", "unknown command '%s'", cmd);
}

/* MPI issue: under mpirun/srun the processes run one command together (docs/scaling.md).
 * MPI starts only then; only rank 0 prints (the others' stdout and stderr go to /dev/null:
 * every rank returns the same status and message, lm__par_agree). */
int main(int argc, char **argv)
{
    lm_error err;
    lm_error_clear(&err);
    if (lm_parallel_init(&argc, &argv, &err) != LM_OK)
        return cli_fail(&err);
    if (lm_parallel_rank() != 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            return CLI_FAIL;
    }
    /* Commands that do not distribute their work (report, serve, help) are rank 0's, run
     * as one process: MPI ends first, so that a job `serve` starts does not wait for ranks
     * that are not there. */
    static const char *const spread[] = {"run",       "compare",  "sweep",
                                         "calibrate", "optimise", "sensitivity"};
    bool distributed = false;
    for (size_t i = 0; argc > 1 && i < sizeof spread / sizeof spread[0]; ++i)
        distributed = distributed || strcmp(argv[1], spread[i]) == 0;
    const int rank = lm_parallel_rank();
    if (!distributed)
        lm_parallel_finalize();
    const int rc = rank == 0 || distributed ? dispatch(argc, argv) : CLI_OK;
    fflush(stdout);
    lm_parallel_finalize();
    return rc;
}
